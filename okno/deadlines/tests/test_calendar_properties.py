"""Properties of the term arithmetic (hypothesis), and the shipped default calendar
checked day by day against the official per-day calendar for 2013–2026."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okno.deadlines.calendar import WorkingCalendar, base_kinds, get_calendar
from okno.deadlines.choices import CalendarBase, DayOffRule, TermUnit

# The per-day official calendar (xmlcalendar.ru, 2013–2026), trimmed to the columns
# the tests read; SHARED is where it came from, on machines that have it.
CSV = Path(__file__).parent / "data" / "ru_calendar_days_2013_2026.csv.gz"
SHARED = Path("/work/shared/data/calendar/ru_calendar_days_2013_2026.csv")

PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Instants from 2013 to 2026 in any of a few zones.
instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)),
    st.datetimes(min_value=dt.datetime(2013, 1, 1), max_value=dt.datetime(2026, 12, 1)),
    st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "Europe/Kaliningrad", "UTC", "America/New_York"]),
)
# ... and early enough that 40 working days later is still inside the official file.
official_instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)),
    st.datetimes(min_value=dt.datetime(2013, 1, 1), max_value=dt.datetime(2026, 10, 15)),
    st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "UTC"]),
)
durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=2000))


@functools.cache
def official() -> dict[dt.date, tuple[bool, bool]]:
    with gzip.open(CSV, "rt", encoding="utf-8") as f:
        return {
            dt.date.fromisoformat(row["date"]): (row["is_working_day"] == "True", row["is_short_day"] == "True")
            for row in csv.DictReader(f)
        }


@pytest.fixture(params=["ru", "office-vvo"])
def cal(request, db) -> WorkingCalendar:
    """The shipped default, and a weekends-only calendar in Vladivostok with a lunch break."""
    if request.param == "ru":
        return get_calendar()
    return WorkingCalendar(
        id=0,
        code="office-vvo",
        name="Office",
        time_zone="Asia/Vladivostok",
        kinds=base_kinds(CalendarBase.NONE),
        day_start=dt.time(8, 30),
        day_end=dt.time(17, 30),
        lunch=(dt.time(12, 0), dt.time(12, 45)),
        short_day_minutes=60,
    )


def test_the_committed_copy_is_the_official_file() -> None:
    if not SHARED.exists():
        return  # a clean clone has only the copy
    with SHARED.open(encoding="utf-8") as f:
        shared = {
            dt.date.fromisoformat(row["date"]): (row["is_working_day"] == "True", row["is_short_day"] == "True")
            for row in csv.DictReader(f)
        }
    assert shared == official()


def test_the_default_calendar_agrees_with_the_official_calendar_every_day_2013_2026(db) -> None:
    ru = get_calendar()
    days = official()
    assert len(days) == 5113
    wrong = [
        (day, expected, (ru.is_working_day(day), ru.is_short_day(day)))
        for day, expected in days.items()
        if (ru.is_working_day(day), ru.is_short_day(day)) != expected
    ]
    assert wrong == []


@PROPERTIES
@given(start=official_instants, n=st.integers(min_value=0, max_value=40))
def test_working_days_agree_with_the_official_calendar(db, start: dt.datetime, n: int) -> None:
    ru = get_calendar()
    days = official()
    local = start.astimezone(ru.tz).date()
    day, counted = local, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += days[day][0]
    if n == 0 and not days[day][0]:  # zero days: today, moved by the day-off rule
        while not days[day][0]:
            day += dt.timedelta(days=1)
    assert ru.add(start, n, TermUnit.WORKING_DAYS) == dt.datetime.combine(day, dt.time.max, ru.tz)


@PROPERTIES
@given(start=instants, n=st.integers(min_value=1, max_value=250))
def test_adding_working_days_lands_on_a_working_day(cal: WorkingCalendar, start: dt.datetime, n: int) -> None:
    due = cal.add(start, n, TermUnit.WORKING_DAYS)
    assert due.tzinfo == cal.tz and due.time() == dt.time.max
    assert cal.is_working_day(due.date())
    assert due.date() > start.astimezone(cal.tz).date()
    assert cal.working_days_between(start.astimezone(cal.tz).date() + dt.timedelta(days=1), due.date()) == n


@PROPERTIES
@given(start=instants, later=durations, n=st.integers(min_value=0, max_value=250), more=st.integers(0, 30))
def test_adding_working_days_is_monotonic(
    cal: WorkingCalendar, start: dt.datetime, later: dt.timedelta, n: int, more: int
) -> None:
    due = cal.add(start, n, TermUnit.WORKING_DAYS)
    assert cal.add(start, n + more, TermUnit.WORKING_DAYS) >= due
    assert cal.add(start + later, n, TermUnit.WORKING_DAYS) >= due
    if more and n:  # (zero days from a day off is the next working day, as is one day)
        assert cal.add(start, n + more, TermUnit.WORKING_DAYS) > due


@PROPERTIES
@given(start=instants, n=st.integers(min_value=0, max_value=400))
def test_calendar_days_with_the_next_rule_never_end_on_a_day_off(
    cal: WorkingCalendar, start: dt.datetime, n: int
) -> None:
    due = cal.add(start, n, TermUnit.CALENDAR_DAYS, DayOffRule.NEXT)
    plain = cal.add(start, n, TermUnit.CALENDAR_DAYS, DayOffRule.NONE)
    before = cal.add(start, n, TermUnit.CALENDAR_DAYS, DayOffRule.PREVIOUS)
    assert cal.is_working_day(due.date()) and cal.is_working_day(before.date())
    assert before <= plain <= due
    assert plain.date() == start.astimezone(cal.tz).date() + dt.timedelta(days=n)
    # Nothing but days off between the term's own last day and where it moved.
    assert cal.working_days_between(plain.date(), due.date() - dt.timedelta(days=1)) == 0


@PROPERTIES
@given(start=instants, duration=durations)
def test_working_time_added_is_the_working_time_between(
    cal: WorkingCalendar, start: dt.datetime, duration: dt.timedelta
) -> None:
    due = cal.add_working_time(start, duration)
    assert due.tzinfo == cal.tz
    assert cal.working_time_between(start, due) == duration
    if duration:
        hours = cal.working_hours(due.date())
        assert hours is not None and hours[0] < due <= hours[1]


@PROPERTIES
@given(start=instants, a=durations, b=durations)
def test_working_time_is_monotonic_and_additive(
    cal: WorkingCalendar, start: dt.datetime, a: dt.timedelta, b: dt.timedelta
) -> None:
    first = cal.add_working_time(start, a)
    assert cal.add_working_time(start, a + b) >= first
    assert cal.working_time_between(start, cal.add_working_time(start, a + b)) == a + b
