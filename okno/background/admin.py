from __future__ import annotations

from django.contrib import admin

from okno.background.models import TaskRecord
from okno.core.admin import ReadOnly


@admin.register(TaskRecord)
class TaskRecordAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Records of what ran: looked at here, retried from /system/tasks/."""

    list_display = ("task_path", "status", "queue_name", "priority", "enqueued_at", "started_at", "finished_at")
    list_filter = ("status", "queue_name")
    search_fields = ("id", "task_path", "periodic_name")
    date_hierarchy = "enqueued_at"
