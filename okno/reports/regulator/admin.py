"""Read-only in the Django admin: templates change only through the editor at
/reports/regulator/templates/ (it validates them and keeps a version per change)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okno.reports.regulator.models import RegulatorReportTemplate, RegulatorReportTemplateVersion


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegulatorReportTemplate)
class RegulatorReportTemplateAdmin(ReadOnly):
    list_display = ("name", "regulator", "version", "is_active", "updated_at")


@admin.register(RegulatorReportTemplateVersion)
class RegulatorReportTemplateVersionAdmin(ReadOnly):
    list_display = ("template", "number", "created_at", "created_by")
