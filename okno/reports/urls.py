"""Pages of the reports domain under ``/reports/``."""

from django.urls import path

from okno.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.page, name="page"),
    path("export/<str:fmt>/", views.export_view, name="export"),
    path("drill/", views.drill, name="drill"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("saved/", views.saved_list, name="saved"),
    path("saved/new/", views.saved_create, name="saved_new"),
    path("saved/<int:pk>/", views.saved_edit, name="saved_edit"),
    path("saved/<int:pk>/delete/", views.saved_delete, name="saved_delete"),
    path("saved/<int:pk>/send/", views.saved_send, name="saved_send"),
]
