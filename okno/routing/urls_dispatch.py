from django.urls import path

from okno.routing import views_dispatch

app_name = "routing_dispatch"

urlpatterns = [
    path("dispatch/", views_dispatch.waiting, name="waiting"),
    path("appeals/<int:appeal_id>/", views_dispatch.panel, name="panel"),
    path("appeals/<int:appeal_id>/apply/", views_dispatch.apply_suggestion, name="apply"),
    path("appeals/<int:appeal_id>/reroute/", views_dispatch.reroute, name="reroute"),
    path("appeals/<int:appeal_id>/release/", views_dispatch.release, name="release"),
]
