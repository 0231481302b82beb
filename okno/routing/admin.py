"""Django admin for routing: rules, queues' routing and appeals' routing records,
looked at only. Rules are edited at /settings/routing/ (their conditions and
actions are checked there); queues' assignment modes and thresholds on the agents'
and the classifier's settings pages."""

from __future__ import annotations

from django.contrib import admin

from okno.core.admin import ReadOnly
from okno.routing.models import AppealRouting, QueueRouting, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "position", "is_active", "stop", "is_preset", "updated_at", "updated_by")
    list_filter = ("is_active", "is_preset")
    search_fields = ("name", "description")
    ordering = ("position", "id")


@admin.register(QueueRouting)
class QueueRoutingAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("queue", "mode", "auto_apply_threshold", "last_assigned")


@admin.register(AppealRouting)
class AppealRoutingAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("appeal", "language", "to_dispatcher", "routed_at")
    list_filter = ("to_dispatcher", "language")
    raw_id_fields = ("appeal",)
