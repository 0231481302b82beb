"""Read-only views for finding out why an appeal went where it did: statuses,
their history, limits. Changes go through the settings pages and the API (they
fill freed capacity under the assignment lock; the admin would not)."""

from __future__ import annotations

from django.contrib import admin

from okno.core.admin import ReadOnly
from okno.routing.agents.models import AgentProfile, AgentStatusChange, ChannelLimit


@admin.register(AgentProfile)
class AgentProfileAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "status", "status_since", "max_open", "channel_limits", "languages", "last_assigned_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__last_name")


@admin.register(AgentStatusChange)
class AgentStatusChangeAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "user", "previous", "status", "changed_by")
    list_filter = ("status",)
    list_select_related = ("user", "changed_by")
    raw_id_fields = ("user", "changed_by")
    date_hierarchy = "at"


@admin.register(ChannelLimit)
class ChannelLimitAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("channel", "max_open")
