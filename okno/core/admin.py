"""Django admin for reference data: open to Okno administrators (role), whatever
Django's per-model permissions say, so nobody has to hand out permissions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okno.accounts.services import is_admin

admin.site.site_header = "Okno"
admin.site.site_title = "Okno"
admin.site.index_title = "Okno"
admin.site.site_url = "/"


def _admin(request: HttpRequest) -> bool:
    return is_admin(request.user)  # type: ignore[arg-type]


class AdminOnly:
    """Administrators may view, add and change. Nothing is deleted: reference rows
    that appeals point at are retired with "active" off."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnly(AdminOnly):
    """Records of what happened: looked at, never touched."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReferenceAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display: tuple[str, ...] = ("name", "name_en", "code", "is_active")
    search_fields = ("name", "name_en", "code")
