"""Changing calendars: administrators only, one default, and a change is seen at
once by the next deadline computed (the compiled copy is dropped)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from okno.core.errors import InvalidInput, NotFound
from okno.deadlines import calendar as calendar_module
from okno.deadlines.calendar import get_calendar
from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.choices import DayKind, TermUnit
from okno.deadlines.models import Calendar, CalendarDay
from okno.deadlines.services import calendars as services


@pytest.fixture(autouse=True)
def _shipped_calendar(db) -> None:
    """Transactional tests elsewhere flush what the data migration shipped."""
    install_default_calendar()


MSK = ZoneInfo("Europe/Moscow")


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, MSK)


@pytest.mark.parametrize("persona", ["anna", "sergey", "dina", "kira", "spec"])
def test_only_administrators_change_calendars(org, persona: str) -> None:
    user = getattr(org, persona)
    day = dt.date(2025, 3, 12)
    with pytest.raises(PermissionDenied):
        services.set_day(user, "ru", day, DayKind.DAY_OFF)
    services.set_day(org.adam, "ru", day, DayKind.DAY_OFF)
    with pytest.raises(PermissionDenied):
        services.clear_day(user, "ru", day)
    with pytest.raises(PermissionDenied):
        services.create_calendar(user, {"code": "x", "name": "X"})
    with pytest.raises(PermissionDenied):
        services.update_calendar(user, "ru", {"name": "X"})
    assert CalendarDay.objects.filter(date=day).count() == 1
    assert Calendar.objects.get(code="ru").name == "Россия (московское время)"


def test_an_override_changes_deadlines_at_once(org) -> None:
    ru = get_calendar()
    start = dt.datetime(2025, 3, 11, 10, tzinfo=MSK)  # Tuesday
    assert ru.add(start, 1, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 12))

    row = services.set_day(org.adam, "ru", dt.date(2025, 3, 12), DayKind.DAY_OFF, "  Наводнение  ")
    assert (row.kind, row.note, row.changed_by) == (DayKind.DAY_OFF, "Наводнение", org.adam)
    assert get_calendar().add(start, 1, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 13))
    assert get_calendar().add(start, 1, TermUnit.WORKING_DAYS) == end_of(dt.date(2025, 3, 13))

    services.set_day(org.adam, "ru", dt.date(2025, 3, 15), DayKind.WORKING)  # a working Saturday
    assert get_calendar().add(dt.datetime(2025, 3, 14, 10, tzinfo=MSK), 1, TermUnit.WORKING_DAYS) == end_of(
        dt.date(2025, 3, 15)
    )
    services.set_day(org.adam, "ru", dt.date(2025, 3, 13), DayKind.SHORT)
    assert get_calendar().working_hours(dt.date(2025, 3, 13))[1] == dt.datetime(2025, 3, 13, 17, tzinfo=MSK)

    assert services.clear_day(org.adam, "ru", dt.date(2025, 3, 12)) is True
    assert services.clear_day(org.adam, "ru", dt.date(2025, 3, 12)) is False
    assert get_calendar().add(start, 1, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 12))


def test_another_process_sees_a_change_once_it_rechecks(org, monkeypatch) -> None:
    """Another process changed the rows: this one notices by ``updated_at`` after
    ``RECHECK_SECONDS`` (a change made here is seen at once, above)."""
    before = get_calendar()
    day = dt.date(2025, 3, 12)
    # What the calendar service in another process writes:
    CalendarDay.objects.create(calendar_id=before.id, date=day, kind=DayKind.DAY_OFF)
    Calendar.objects.filter(pk=before.id).update(updated_at=timezone.now())
    monkeypatch.setattr(calendar_module, "RECHECK_SECONDS", 3600.0)
    assert get_calendar() is before and before.is_working_day(day)
    monkeypatch.setattr(calendar_module, "RECHECK_SECONDS", 0.0)
    after = get_calendar()
    assert after is not before and not after.is_working_day(day)
    assert get_calendar() is after  # the same updated_at: nothing to recompile


def test_there_is_exactly_one_default_calendar(org) -> None:
    partner = services.create_calendar(
        org.adam, {"code": "partner", "name": "Партнёр", "base": "none", "time_zone": "Asia/Yekaterinburg"}
    )
    assert not partner.is_default
    assert get_calendar().code == "ru"
    services.update_calendar(org.adam, partner, {"is_default": True})
    assert list(Calendar.objects.filter(is_default=True).values_list("code", flat=True)) == ["partner"]
    assert get_calendar().code == "partner" and get_calendar().tz == ZoneInfo("Asia/Yekaterinburg")
    with pytest.raises(InvalidInput):
        services.update_calendar(org.adam, "partner", {"is_default": False})
    with pytest.raises(IntegrityError), transaction.atomic():
        Calendar.objects.filter(code="ru").update(is_default=True)


def test_calendar_settings_are_validated(org) -> None:
    with pytest.raises(InvalidInput) as zone:
        services.create_calendar(org.adam, {"code": "mars", "name": "Марс", "time_zone": "Mars/Olympus"})
    assert zone.value.field == "time_zone"
    with pytest.raises(InvalidInput):
        services.create_calendar(org.adam, {"code": "x", "name": "X", "day_start": dt.time(18), "day_end": dt.time(9)})
    with pytest.raises(InvalidInput):
        services.create_calendar(org.adam, {"code": "x", "name": "X", "lunch_start": dt.time(13)})
    with pytest.raises(InvalidInput):
        services.create_calendar(
            org.adam, {"code": "x", "name": "X", "lunch_start": dt.time(8), "lunch_end": dt.time(9, 30)}
        )
    with pytest.raises(InvalidInput):
        services.create_calendar(org.adam, {"code": "x", "name": "X", "short_day_minutes": 9 * 60})
    with pytest.raises(InvalidInput) as duplicate:
        services.create_calendar(org.adam, {"code": "ru", "name": "Ещё одна"})
    assert duplicate.value.field == "code"
    with pytest.raises(InvalidInput):
        services.set_day(org.adam, "ru", dt.date(2025, 3, 12), "holiday")
    with pytest.raises(InvalidInput):
        services.set_day(org.adam, "ru", dt.date(1900, 1, 1), DayKind.DAY_OFF)
    with pytest.raises(NotFound):
        services.set_day(org.adam, "nowhere", dt.date(2025, 3, 12), DayKind.DAY_OFF)
    assert Calendar.objects.count() == 1


def test_changed_hours_apply_to_the_next_computation(org) -> None:
    start = dt.datetime(2025, 3, 12, 16, tzinfo=MSK)
    assert get_calendar().add(start, 3, TermUnit.WORKING_HOURS) == dt.datetime(2025, 3, 13, 10, tzinfo=MSK)
    services.update_calendar(org.adam, "ru", {"day_start": dt.time(8), "day_end": dt.time(20), "time_zone": "UTC"})
    cal = get_calendar()
    assert cal.tz == ZoneInfo("UTC")
    assert cal.add(start, 3, TermUnit.WORKING_HOURS) == dt.datetime(2025, 3, 12, 16, tzinfo=ZoneInfo("UTC"))


def test_a_database_without_a_default_calendar_gets_the_shipped_one_back(db) -> None:
    CalendarDay.objects.all().delete()
    Calendar.objects.all().delete()
    ru = get_calendar()
    row = Calendar.objects.get()
    assert (row.code, row.is_default, ru.id) == ("ru", True, row.pk)
    assert not ru.is_working_day(dt.date(2020, 4, 15))  # the 2020 non-working weeks came with it
    assert CalendarDay.objects.filter(calendar=row).count() > 40
