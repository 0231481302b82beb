"""Term arithmetic on the shipped default calendar (Russia, Moscow time) and on
calendars made for the test: the cases a person checking a deadline by hand would try."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from okno.core.errors import InvalidInput
from okno.deadlines.calendar import WorkingCalendar, base_kinds, get_calendar
from okno.deadlines.choices import CalendarBase, DayOffRule, TermUnit
from okno.deadlines.models import Calendar

MSK = ZoneInfo("Europe/Moscow")
VLAT = ZoneInfo("Asia/Vladivostok")
UTC = dt.UTC


def end_of(day: dt.date, tz: ZoneInfo = MSK) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tz)


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = MSK) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=tz)


@pytest.fixture
def ru(db) -> WorkingCalendar:
    return get_calendar()


def test_the_default_calendar_is_russia_in_moscow_time(ru: WorkingCalendar) -> None:
    row = Calendar.objects.get(is_default=True)
    assert (row.code, row.name_en, row.time_zone, row.base) == ("ru", "Russia (Moscow time)", "Europe/Moscow", "ru")
    assert ru.id == row.pk and ru.code == "ru" and ru.tz == MSK
    assert get_calendar("ru") is ru and get_calendar(row.pk) is ru and get_calendar(row) is ru


def test_a_term_of_days_begins_the_next_day_and_ends_at_the_end_of_its_last_day(ru: WorkingCalendar) -> None:
    # Monday 10 March 2025, a minute before midnight: the term still begins on Tuesday.
    start = at(2025, 3, 10, 23, 59)
    assert ru.add(start, 1, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 11))
    assert ru.add(start, 3, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 13))
    assert ru.add(start, 0, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 10))
    assert ru.add(start, 3, TermUnit.CALENDAR_DAYS).tzinfo == MSK


def test_a_term_ending_on_saturday_moves_to_monday_under_article_193(ru: WorkingCalendar) -> None:
    start = at(2025, 3, 12, 15)  # Wednesday; three days end on Saturday the 15th
    assert ru.add(start, 3, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 17))
    assert ru.add(start, 3, TermUnit.CALENDAR_DAYS, DayOffRule.NEXT) == end_of(dt.date(2025, 3, 17))
    assert ru.add(start, 3, TermUnit.CALENDAR_DAYS, DayOffRule.PREVIOUS) == end_of(dt.date(2025, 3, 14))
    assert ru.add(start, 3, TermUnit.CALENDAR_DAYS, DayOffRule.NONE) == end_of(dt.date(2025, 3, 15))


def test_a_term_ending_in_the_new_year_holidays_moves_past_all_of_them(ru: WorkingCalendar) -> None:
    # 31 Dec 2025 is a transferred day off, 1–8 Jan holidays, 9 Jan transferred, 10–11 a weekend.
    start = at(2025, 12, 29, 12)
    assert ru.add(start, 2, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2026, 1, 12))
    assert ru.add(start, 5, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2026, 1, 12))
    assert ru.add(start, 5, TermUnit.CALENDAR_DAYS, DayOffRule.PREVIOUS) == end_of(dt.date(2025, 12, 30))
    assert ru.add(start, 5, TermUnit.CALENDAR_DAYS, DayOffRule.NONE) == end_of(dt.date(2026, 1, 3))


def test_working_days_skip_weekends_holidays_and_transferred_days(ru: WorkingCalendar) -> None:
    friday = at(2025, 12, 26, 17)
    assert ru.add(friday, 1, TermUnit.WORKING_DAYS) == end_of(dt.date(2025, 12, 29))
    assert ru.add(friday, 2, TermUnit.WORKING_DAYS) == end_of(dt.date(2025, 12, 30))
    assert ru.add(friday, 3, TermUnit.WORKING_DAYS) == end_of(dt.date(2026, 1, 12))
    # A working Saturday counts (1 Nov 2025, shortened); 3 and 4 Nov do not.
    assert ru.add(at(2025, 10, 31, 9), 1, TermUnit.WORKING_DAYS) == end_of(dt.date(2025, 11, 1))
    assert ru.add(at(2025, 10, 31, 9), 2, TermUnit.WORKING_DAYS) == end_of(dt.date(2025, 11, 5))
    # Started on a day off: the first working day after it is day one.
    assert ru.add(at(2026, 1, 3, 10), 1, TermUnit.WORKING_DAYS) == end_of(dt.date(2026, 1, 12))


def test_the_same_instant_gives_different_deadlines_in_moscow_and_vladivostok(ru: WorkingCalendar, org) -> None:
    from okno.deadlines.services.calendars import create_calendar

    far_east = get_calendar(
        create_calendar(org.adam, {"code": "ru-vvo", "name": "Россия (Владивосток)", "time_zone": "Asia/Vladivostok"})
    )
    # Thursday 20:00 in Moscow is already Friday 03:00 in Vladivostok.
    instant = at(2025, 3, 13, 20)
    assert instant.astimezone(VLAT).date() == dt.date(2025, 3, 14)
    assert ru.add(instant, 1, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 14), MSK)
    assert far_east.add(instant, 1, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 17), VLAT)
    assert ru.add(instant, 1, TermUnit.WORKING_DAYS) == end_of(dt.date(2025, 3, 14), MSK)
    assert far_east.add(instant, 1, TermUnit.WORKING_DAYS) == end_of(dt.date(2025, 3, 17), VLAT)
    # Any zone in, the calendar's zone out.
    assert ru.add(instant.astimezone(UTC), 1, TermUnit.CALENDAR_DAYS) == end_of(dt.date(2025, 3, 14), MSK)
    assert far_east.add(instant, 1, TermUnit.CALENDAR_DAYS).tzinfo == VLAT


def test_shortened_pre_holiday_days_are_an_hour_shorter(ru: WorkingCalendar) -> None:
    short = dt.date(2025, 11, 1)  # a working Saturday before the Unity Day break
    assert ru.is_working_day(short) and ru.is_short_day(short)
    assert ru.working_hours(short) == (at(2025, 11, 1, 9), at(2025, 11, 1, 17))
    assert ru.working_hours(dt.date(2025, 10, 31)) == (at(2025, 10, 31, 9), at(2025, 10, 31, 18))
    assert ru.working_hours(dt.date(2025, 11, 4)) is None
    assert ru.is_short_day(dt.date(2026, 4, 30)) and not ru.is_short_day(dt.date(2026, 4, 29))


def test_working_hours_count_only_working_time(ru: WorkingCalendar) -> None:
    # Eight hours from the start of the shortened Saturday end exactly at its 17:00.
    assert ru.add(at(2025, 11, 1, 9), 8, TermUnit.WORKING_HOURS) == at(2025, 11, 1, 17)
    # One more hour: 3 and 4 November are off, so Wednesday 10:00.
    assert ru.add(at(2025, 11, 1, 9), 9, TermUnit.WORKING_HOURS) == at(2025, 11, 5, 10)
    # Started in the evening, at night or on a day off: counts from the next morning.
    assert ru.add(at(2025, 3, 11, 21), 2, TermUnit.WORKING_HOURS) == at(2025, 3, 12, 11)
    assert ru.add(at(2025, 3, 15, 12), 2, TermUnit.WORKING_HOURS) == at(2025, 3, 17, 11)
    assert ru.add(at(2025, 3, 12, 17, 30), 1.5, TermUnit.WORKING_HOURS) == at(2025, 3, 13, 10)
    # Ending exactly at 18:00 is 18:00, not the next morning.
    assert ru.add(at(2025, 3, 12, 16), 2, TermUnit.WORKING_HOURS) == at(2025, 3, 12, 18)
    assert ru.add_working_time(at(2025, 3, 12, 16), dt.timedelta(hours=2)) == at(2025, 3, 12, 18)
    # Zero adds nothing, even at night.
    assert ru.add(at(2025, 3, 15, 3), 0, TermUnit.WORKING_HOURS) == at(2025, 3, 15, 3)


def test_working_time_between_two_instants(ru: WorkingCalendar) -> None:
    hours = dt.timedelta(hours=1)
    assert ru.working_time_between(at(2025, 3, 12, 10), at(2025, 3, 12, 12)) == 2 * hours
    assert ru.working_time_between(at(2025, 3, 14, 17), at(2025, 3, 17, 10)) == 2 * hours
    assert ru.working_time_between(at(2025, 3, 17, 10), at(2025, 3, 14, 17)) == -2 * hours
    assert ru.working_time_between(at(2025, 3, 15, 0), at(2025, 3, 16, 23)) == dt.timedelta(0)
    # A week around the November holidays: 31 Oct 9 h, 1 Nov 8 h, 5 Nov 9 h.
    assert ru.working_time_between(at(2025, 10, 31, 0), at(2025, 11, 5, 23)) == 26 * hours
    # Instants in other zones are fine.
    assert ru.working_time_between(at(2025, 3, 12, 7, tz=UTC), at(2025, 3, 12, 9, tz=UTC)) == 2 * hours


def test_next_and_previous_working_day(ru: WorkingCalendar) -> None:
    assert ru.next_working_day(dt.date(2026, 1, 1)) == dt.date(2026, 1, 12)
    assert ru.previous_working_day(dt.date(2026, 1, 1)) == dt.date(2025, 12, 30)
    assert ru.next_working_day(dt.date(2026, 1, 12)) == dt.date(2026, 1, 12)
    assert ru.previous_working_day(dt.date(2026, 1, 12)) == dt.date(2026, 1, 12)


def test_a_lunch_break_is_not_working_time() -> None:
    cal = WorkingCalendar(
        id=0,
        code="office",
        name="Office",
        time_zone="Europe/Moscow",
        kinds=base_kinds(CalendarBase.NONE),
        day_start=dt.time(9),
        day_end=dt.time(18),
        lunch=(dt.time(13), dt.time(14)),
    )
    wed = dt.date(2025, 3, 12)
    assert cal.working_hours(wed) == (at(2025, 3, 12, 9), at(2025, 3, 12, 18))
    assert cal.add(at(2025, 3, 12, 12), 2, TermUnit.WORKING_HOURS) == at(2025, 3, 12, 15)
    assert cal.add(at(2025, 3, 12, 12), 1, TermUnit.WORKING_HOURS) == at(2025, 3, 12, 13)
    assert cal.add(at(2025, 3, 12, 13, 30), 1, TermUnit.WORKING_HOURS) == at(2025, 3, 12, 15)
    assert cal.working_time_between(at(2025, 3, 12, 0), at(2025, 3, 13, 0)) == dt.timedelta(hours=8)
    # "Weekends only" knows no holidays: 8 March 2025 is a Saturday, 10 March a Monday.
    assert cal.is_working_day(dt.date(2025, 3, 10)) and not cal.is_working_day(dt.date(2025, 3, 8))


def test_bad_terms_are_refused(ru: WorkingCalendar) -> None:
    start = at(2025, 3, 12, 10)
    with pytest.raises(InvalidInput):
        ru.add(dt.datetime(2025, 3, 12, 10), 1, TermUnit.CALENDAR_DAYS)  # naive
    with pytest.raises(InvalidInput):
        ru.add(start, -1, TermUnit.WORKING_DAYS)
    with pytest.raises(InvalidInput):
        ru.add(start, 1.5, TermUnit.CALENDAR_DAYS)
    with pytest.raises(InvalidInput):
        ru.add(start, float("nan"), TermUnit.WORKING_HOURS)
    with pytest.raises(InvalidInput):
        ru.add(start, 1, "fortnights")
    with pytest.raises(InvalidInput):
        ru.add(at(2100, 12, 30, 10), 5, TermUnit.WORKING_DAYS)
    with pytest.raises(InvalidInput):
        ru.is_working_day(dt.date(1980, 1, 1))
    # Whole numbers given as floats are fine (a JSON body may carry 3.0).
    assert ru.add(start, 3.0, TermUnit.CALENDAR_DAYS) == ru.add(start, 3, TermUnit.CALENDAR_DAYS)
