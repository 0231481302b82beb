"""Administrators' routing pages under ``/settings/routing/``."""

from django.urls import path

from okno.routing import views

app_name = "routing"
urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new/", views.rule_new, name="new"),
    path("dry-run/", views.dry_run, name="dry_run"),
    path("<int:pk>/edit/", views.rule_edit, name="edit"),
    path("<int:pk>/toggle/", views.rule_toggle, name="toggle"),
    path("<int:pk>/move/<str:direction>/", views.rule_move, name="move"),
    path("<int:pk>/delete/", views.rule_delete, name="delete"),
]
