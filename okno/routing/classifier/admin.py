from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from okno.core.admin import AdminOnly
from okno.routing.classifier.models import ClassifierModel


@admin.register(ClassifierModel)
class ClassifierModelAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: models are trained by ``manage.py classifier`` or the weekly job and
    switched on /settings/classifier/ (a blob edited here would no longer verify)."""

    list_display = ("target", "version", "is_active", "created_at", "source", "features", "accuracy", "macro_f1")
    list_filter = ("target", "is_active")
    exclude = ("blob",)
    readonly_fields = (
        "target",
        "version",
        "created_at",
        "created_by",
        "source",
        "features",
        "trained_on",
        "tested_on",
        "train_seconds",
        "accuracy",
        "macro_f1",
        "metrics",
        "labels",
        "signature",
        "is_active",
        "activated_at",
        "notes",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClassifierModel]:
        return super().get_queryset(request).defer("blob")

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
