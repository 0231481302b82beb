from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from okno.accounts.services import is_admin
from okno.core.admin import AdminOnly
from okno.deadlines.admin_policies import AppealClockAdmin, DeadlinePolicyAdmin  # noqa: F401 - registers them
from okno.deadlines.models import Calendar, CalendarDay
from okno.deadlines.services import calendars as calendar_services


@admin.register(Calendar)
class CalendarAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Calendar settings; saving goes through the calendar services (one default,
    compiled copies dropped). Days are corrected on /settings/calendars/."""

    list_display = ("name", "name_en", "code", "time_zone", "base", "day_start", "day_end", "is_default")
    search_fields = ("name", "name_en", "code")
    fields = calendar_services.CALENDAR_FIELDS

    def save_model(self, request: HttpRequest, obj: Calendar, form: Any, change: bool) -> None:
        values = {f: form.cleaned_data[f] for f in calendar_services.CALENDAR_FIELDS if f in form.cleaned_data}
        if change:
            saved = calendar_services.update_calendar(request.user, obj.pk, values)  # type: ignore[arg-type]
        else:
            saved = calendar_services.create_calendar(request.user, values)  # type: ignore[arg-type]
        obj.pk = saved.pk


@admin.register(CalendarDay)
class CalendarDayAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("date", "calendar", "kind", "note", "changed_by", "changed_at")
    list_filter = ("calendar", "kind")
    date_hierarchy = "date"
    search_fields = ("note",)
    fields = ("calendar", "date", "kind", "note", "changed_by", "changed_at")
    readonly_fields = ("changed_by", "changed_at")
    list_select_related = ("calendar", "changed_by")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change and (obj.calendar_id, obj.date) != (form.initial.get("calendar"), form.initial.get("date")):
            old = CalendarDay.objects.get(pk=obj.pk)
            calendar_services.clear_day(request.user, old.calendar_id, old.date)  # type: ignore[arg-type]
        saved = calendar_services.set_day(request.user, data["calendar"], data["date"], data["kind"], data["note"])  # type: ignore[arg-type]
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_services.clear_day(request.user, obj.calendar_id, obj.date)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            calendar_services.clear_day(request.user, day.calendar_id, day.date)  # type: ignore[arg-type]
