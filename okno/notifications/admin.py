from __future__ import annotations

from django.contrib import admin

from okno.core.admin import ReadOnly
from okno.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """For finding out why someone did not get an e-mail: state, attempts, times."""

    list_display = ("created_at", "user", "kind", "appeal", "read_at", "email_state", "email_attempts", "emailed_at")
    list_filter = ("kind", "email_state")
    list_select_related = ("user", "appeal")
    raw_id_fields = ("user", "appeal")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "kind", "in_app", "by_email")
    list_filter = ("kind", "in_app", "by_email")
    list_select_related = ("user",)
