from __future__ import annotations

from django.contrib import admin

from okno.core.admin import AdminOnly, ReferenceAdmin
from okno.queues.models import Membership, Queue


class MemberInline(AdminOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 1
    fields = ("user", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return super().has_change_permission(request, obj)


@admin.register(Queue)
class QueueAdmin(ReferenceAdmin):
    list_display = ("name", "name_en", "code", "requires_reply_approval", "answer_term_days", "is_active", "position")
    list_filter = ("is_active",)
    fields = (
        "code",
        "name",
        "name_en",
        "description",
        "requires_reply_approval",
        "answer_term_days",
        "is_active",
        "position",
    )
    inlines = [MemberInline]
