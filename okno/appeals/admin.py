from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okno.appeals.models import Appeal, Category, Event, Kind, Message, Tag
from okno.core.admin import AdminOnly, ReadOnly, ReferenceAdmin


@admin.register(Kind)
class KindAdmin(ReferenceAdmin):
    list_display = ("name", "name_en", "code", "requires_reply_approval", "is_active", "position")
    list_filter = ("is_active",)
    fields = ("code", "name", "name_en", "requires_reply_approval", "is_active", "position")


class SubcategoryInline(AdminOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Category
    fk_name = "parent"
    extra = 1
    fields = ("code", "name", "name_en", "is_active", "position")


@admin.register(Category)
class CategoryAdmin(ReferenceAdmin):
    list_display = ("name", "name_en", "code", "parent", "is_active", "position")
    list_filter = ("is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    fields = ("code", "name", "name_en", "parent", "is_active", "position")
    inlines = [SubcategoryInline]

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        # Two levels only: subcategories are edited under their category.
        return [] if obj is not None and obj.parent_id else list(self.inlines)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Tag)
class TagAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name",)
    search_fields = ("name",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


class MessageInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Message
    extra = 0
    fields = ("created_at", "direction", "channel", "author", "approval_status", "delivery_status")
    readonly_fields = fields
    show_change_link = False


@admin.register(Appeal)
class AppealAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Appeals are read here; they change only through the operator window and the API."""

    list_display = ("number", "subject", "status", "priority", "queue", "assignee", "created_at", "due_at")
    list_filter = ("status", "priority", "channel", "queue", "kind")
    search_fields = ("number", "subject")
    date_hierarchy = "created_at"
    list_select_related = ("queue", "assignee")
    inlines = [MessageInline]


@admin.register(Event)
class EventAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """The audit trail: no one may add, change or delete an event, not even here."""

    list_display = ("created_at", "appeal", "kind", "actor_label", "field")
    list_filter = ("kind",)
    search_fields = ("appeal__number", "actor_label")
    list_select_related = ("appeal",)
    date_hierarchy = "created_at"
