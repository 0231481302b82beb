"""The post pages under ``/post/``."""

from django.urls import path

from okno.channels.post import views

app_name = "post"
urlpatterns = [
    path("", views.letter_list, name="letters"),
    path("print/", views.print_letters, name="print"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/returned/", views.letter_returned, name="letter_returned"),
    path("registries/form/", views.registry_form, name="registry_form"),
    path("registries/<int:pk>/", views.registry_detail, name="registry"),
    path("registries/<int:pk>/pdf/", views.registry_pdf, name="registry_pdf"),
    path("registries/<int:pk>/xlsx/", views.registry_xlsx, name="registry_xlsx"),
    path("registries/<int:pk>/post/", views.registry_post, name="registry_post"),
    path("registries/<int:pk>/undo/", views.registry_undo, name="registry_undo"),
]
