"""Pages of the deadlines domain under ``/deadlines/``."""

from django.urls import path

from okno.deadlines import views_clocks, views_performance
from okno.deadlines import views_policies as policies

app_name = "deadlines"
urlpatterns = [
    path("appeals/<int:appeal_id>/", views_clocks.panel, name="panel"),
    path("appeals/<int:appeal_id>/clocks/<int:clock_id>/extend/", views_clocks.extend, name="extend"),
    path("performance/", views_performance.performance, name="performance"),
    path("policies/", policies.policies, name="policies"),
    path("policies/list/", policies.policy_list, name="policy_list"),
    path("policies/new/", policies.policy_new, name="policy_new"),
    path("policies/<slug:code>/edit/", policies.policy_edit, name="policy_edit"),
    path("policies/<slug:code>/toggle/", policies.policy_toggle, name="policy_toggle"),
    path("policies/<slug:code>/move/<str:direction>/", policies.policy_move, name="policy_move"),
    path("policies/<slug:code>/delete/", policies.policy_delete, name="policy_delete"),
]
