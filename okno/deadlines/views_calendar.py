"""Administrators' pages for working calendars: the list, and a year of one calendar
where a click on a day opens a small form (htmx) to set or clear its override.

Calendar settings (hours, zone, lunch, default) are edited in the Django admin,
which goes through the same services."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.core.auth import login_required
from okno.core.errors import OknoError
from okno.deadlines import calendar as calendar_service
from okno.deadlines.choices import DayKind
from okno.deadlines.models import Calendar
from okno.deadlines.services import calendars as services


class DayForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of day"), choices=DayKind.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may change reference data."))
    return user


def _calendar(code: str) -> Calendar:
    found = Calendar.objects.filter(code=code).first()
    if found is None:
        raise Http404
    return found


def _day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None
    if not calendar_service.FIRST_DAY <= day <= calendar_service.LAST_DAY:
        raise Http404
    return day


@login_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    calendars = Calendar.objects.annotate(overrides=Count("days")).order_by("-is_default", "name")
    year = dt.date.today().year  # noqa: DTZ011 - only picks which year the links open
    return render(
        request, "deadlines/calendar_list.html", {"nav_section": "calendars", "calendars": calendars, "year": year}
    )


@login_required
def calendar_year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    _admin(request)
    calendar = _calendar(code)
    if not calendar_service.FIRST_DAY.year <= year <= calendar_service.LAST_DAY.year:
        raise Http404
    by_date = {d.date: d for d in services.days(calendar, dt.date(year, 1, 1), dt.date(year, 12, 31))}
    grid = stdlib_calendar.Calendar(firstweekday=0)
    months = [
        {
            "first": dt.date(year, month, 1),
            "weeks": [
                [by_date[day] if day.month == month else None for day in week]
                for week in grid.monthdatescalendar(year, month)
            ],
        }
        for month in range(1, 13)
    ]
    counts = {kind: sum(1 for d in by_date.values() if d.kind == kind) for kind in DayKind}
    context: dict[str, Any] = {
        "nav_section": "calendars",
        "calendar": calendar,
        "year": year,
        "months": months,
        "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
        "working_days": counts[DayKind.WORKING] + counts[DayKind.SHORT],
        "short_days": counts[DayKind.SHORT],
        "days_off": counts[DayKind.DAY_OFF],
        "overridden": sum(1 for d in by_date.values() if d.overridden),
        "has_previous": year > calendar_service.FIRST_DAY.year,
        "has_next": year < calendar_service.LAST_DAY.year,
    }
    return render(request, "deadlines/calendar_year.html", context)


def _panel(
    request: HttpRequest, calendar: Calendar, day: dt.date, form: DayForm | None = None, *, saved: str = ""
) -> HttpResponse:
    info = services.day_info(calendar, day)
    if form is None:
        form = DayForm(initial={"kind": info.kind, "note": info.note})
    context = {"calendar": calendar, "day": info, "form": form, "saved": saved, "oob": bool(saved)}
    return render(request, "deadlines/_calendar_day_panel.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_day(request: HttpRequest, code: str, day: str) -> HttpResponse:
    """GET: the form for one day. POST: set its override; the answer re-renders the
    panel and, out of band, the day's cell in the year grid."""
    user = _admin(request)
    calendar = _calendar(code)
    date = _day(day)
    if request.method == "GET":
        return _panel(request, calendar, date)
    form = DayForm(request.POST)
    if form.is_valid():
        try:
            services.set_day(user, calendar, date, form.cleaned_data["kind"], form.cleaned_data["note"])
        except OknoError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _panel(request, calendar, date, saved=_("Saved."))
    return _panel(request, calendar, date, form)


@login_required
@require_POST
def calendar_day_clear(request: HttpRequest, code: str, day: str) -> HttpResponse:
    user = _admin(request)
    calendar = _calendar(code)
    date = _day(day)
    services.clear_day(user, calendar, date)
    return _panel(request, calendar, date, saved=_("The day follows the base calendar again."))
