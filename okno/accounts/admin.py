from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import ApiToken, User
from okno.core.admin import AdminOnly, ReadOnly
from okno.queues.models import Membership


class MembershipInline(AdminOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    fields = ("queue", "joined_at")
    readonly_fields = ("joined_at",)
    verbose_name = _("queue")
    verbose_name_plural = _("queues")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return super().has_change_permission(request, obj)


@admin.register(User)
class OknoUserAdmin(AdminOnly, UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "last_name", "first_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "queues")
    search_fields = ("username", "last_name", "first_name", "email")
    ordering = ("last_name", "first_name", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal details"), {"fields": ("last_name", "first_name", "patronymic", "email", "language")}),
        (_("Role"), {"fields": ("role", "is_active")}),
        (_("Django"), {"classes": ("collapse",), "fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "last_name", "first_name", "role", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "key_prefix")
