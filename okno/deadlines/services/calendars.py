"""Changing working calendars and their days: administrators only.

Every change bumps ``Calendar.updated_at`` and drops this process's compiled copy at
once (and again on commit, in case something compiled it meanwhile from the old
rows); other processes notice the new ``updated_at`` within
``calendar.RECHECK_SECONDS``. Deadlines already set are not moved here: that is the
deadline services' decision (``clocks.recompute_appeal``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.core import reference
from okno.core.errors import InvalidInput, NotFound
from okno.deadlines import calendar as calendar_service
from okno.deadlines.choices import DayKind
from okno.deadlines.models import Calendar, CalendarDay

CALENDAR_FIELDS = (
    "code",
    "name",
    "name_en",
    "time_zone",
    "base",
    "day_start",
    "day_end",
    "lunch_start",
    "lunch_end",
    "short_day_minutes",
    "is_default",
)


def touch(calendar: Calendar | int) -> None:
    """Mark a calendar changed (its days or settings) so every process recompiles it."""
    pk = calendar if isinstance(calendar, int) else calendar.pk
    Calendar.objects.filter(pk=pk).update(updated_at=timezone.now())
    calendar_service.forget(pk)
    transaction.on_commit(lambda: calendar_service.forget(pk))
    _replan_running(pk)


def _replan_running(pk: int) -> None:
    """Running deadlines on this calendar follow the change (in the background, each
    move an event on its appeal, said in the installation's language whatever the
    administrator's)."""
    from okno.deadlines.services import recompute

    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The working-day calendar changed.")
    recompute.schedule(calendar_id=pk, reason=reason)


def _lock(calendar: Calendar | int | str) -> Calendar:
    qs = Calendar.objects.select_for_update()
    if isinstance(calendar, Calendar):
        found = qs.filter(pk=calendar.pk).first()
    elif isinstance(calendar, int):
        found = qs.filter(pk=calendar).first()
    else:
        found = qs.filter(code=calendar).first()
    if found is None:
        raise NotFound(_("No such calendar."))
    return found


def _save(calendar: Calendar, values: dict[str, Any]) -> Calendar:
    if values.get("is_default"):
        # One default: the constraint would refuse a second one, so step the old one down first.
        Calendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(
            is_default=False, updated_at=timezone.now()
        )
    existed = calendar.pk is not None
    saved = reference.apply(calendar, values, CALENDAR_FIELDS)
    calendar_service.forget()
    transaction.on_commit(calendar_service.forget)
    if existed:
        _replan_running(saved.pk)
    return saved


@transaction.atomic
def create_calendar(actor: User, values: dict[str, Any]) -> Calendar:
    """A new calendar (``values``: any of ``CALENDAR_FIELDS``; code and name required)."""
    require_admin(actor)
    return _save(Calendar(), values)


@transaction.atomic
def update_calendar(actor: User, calendar: Calendar | int | str, changes: dict[str, Any]) -> Calendar:
    """Change a calendar's settings. The default calendar stays the default until
    another one is made the default."""
    require_admin(actor)
    locked = _lock(calendar)
    if locked.is_default and "is_default" in changes and not changes["is_default"]:
        raise InvalidInput(
            _("There must be a default calendar: make another calendar the default instead."), field="is_default"
        )
    return _save(locked, changes)


def _check_day(day: dt.date) -> None:
    if not calendar_service.FIRST_DAY <= day <= calendar_service.LAST_DAY:
        raise InvalidInput(
            _("The calendar covers %(first)s to %(last)s only.")
            % {"first": calendar_service.FIRST_DAY.isoformat(), "last": calendar_service.LAST_DAY.isoformat()},
            field="date",
        )


@transaction.atomic
def set_day(
    actor: User, calendar: Calendar | int | str, day: dt.date, kind: DayKind | str, note: str = ""
) -> CalendarDay:
    """Say what one day is in this calendar, whatever its base calendar says."""
    require_admin(actor)
    locked = _lock(calendar)
    _check_day(day)
    try:
        kind = DayKind(kind)
    except ValueError:
        raise InvalidInput(_("Unknown kind of day."), field="kind") from None
    note = " ".join((note or "").split())
    if len(note) > 200:
        raise InvalidInput(_("The note is too long (200 characters at most)."), field="note")
    row, _created = CalendarDay.objects.update_or_create(
        calendar=locked, date=day, defaults={"kind": kind, "note": note, "changed_by": actor}
    )
    touch(locked)
    return row


@transaction.atomic
def clear_day(actor: User, calendar: Calendar | int | str, day: dt.date) -> bool:
    """Give a day back to the base calendar. False if it had no override."""
    require_admin(actor)
    locked = _lock(calendar)
    deleted, _rows = CalendarDay.objects.filter(calendar=locked, date=day).delete()
    if deleted:
        touch(locked)
    return bool(deleted)


# -- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class DayInfo:
    """One day of a calendar as pages and the API show it."""

    date: dt.date
    kind: DayKind
    overridden: bool
    note: str
    starts: dt.datetime | None
    ends: dt.datetime | None

    @property
    def is_working_day(self) -> bool:
        return self.kind != DayKind.DAY_OFF

    @property
    def is_short_day(self) -> bool:
        return self.kind == DayKind.SHORT


def days(calendar: Calendar, first: dt.date, last: dt.date) -> list[DayInfo]:
    """Every day from ``first`` to ``last`` (both included): its kind, override and hours."""
    _check_day(first)
    _check_day(last)
    cal = calendar_service.get_calendar(calendar)
    overrides = dict(
        CalendarDay.objects.filter(calendar=calendar, date__gte=first, date__lte=last).values_list("date", "note")
    )
    out = []
    day, one = first, dt.timedelta(days=1)
    while day <= last:
        hours = cal.working_hours(day)
        out.append(
            DayInfo(
                date=day,
                kind=cal.kind(day),
                overridden=day in overrides,
                note=overrides.get(day, ""),
                starts=hours[0] if hours else None,
                ends=hours[1] if hours else None,
            )
        )
        day += one
    return out


def day_info(calendar: Calendar, day: dt.date) -> DayInfo:
    return days(calendar, day, day)[0]
