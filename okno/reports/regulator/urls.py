from django.urls import path

from okno.reports.regulator import views

app_name = "regulator"

urlpatterns = [
    path("", views.report, name="report"),
    path("appeals/", views.appeals, name="appeals"),
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:pk>/", views.template_edit, name="template"),
]
