"""The working-day calendar service: which days are working days, and term arithmetic.

Every deadline in Okno is computed here, so these are the rules (Civil Code of the
Russian Federation, art. 191–194):

* A term is counted in the calendar's time zone. ``start`` may be given in any zone;
  it is converted first, so the same instant can fall on different local dates in
  Moscow and Vladivostok and give different deadlines. Results are aware datetimes
  in the calendar's zone.
* **Calendar days** (art. 191, 192). The term begins on the day *after* ``start``'s
  local date; a term of N days ends at the end (23:59:59.999999 local time) of the
  N-th day. If that day is not a working day the day-off rule applies: ``NEXT``
  (art. 193, the law's default) moves the end to the end of the next working day,
  ``PREVIOUS`` to the end of the previous one, ``NONE`` leaves it.
* **Working days.** The end of the N-th working day after ``start``'s local date
  (the day of ``start`` itself never counts). The rule is moot: the day is a working
  day. N = 0 means the end of ``start``'s own day, with the rule applied.
* **Working hours.** An exact instant: only working time counts (the day's hours,
  minus the lunch break if the calendar has one, shorter on a shortened day). A
  ``start`` outside working time counts from the next working period. A result that
  falls exactly on the end of a working period is that end, not the next morning.
  Adding zero returns ``start`` itself.
* Amounts must not be negative; days must be whole numbers; hours may be fractional.
* Working time is measured on the wall clock (a working day of 09:00–18:00 is nine
  hours even on the night a zone changed its offset).

Which day is what: a calendar's own overrides (:class:`~okno.deadlines.models.CalendarDay`)
first, then its base, the Russian official calendar as the ``holidays`` package knows
it (public holidays and the government's transfers; the working day before a public
holiday is shortened, Labour Code art. 95), or just Saturdays and Sundays off. The
shipped default calendar carries the official calendar for 2013–2026 as overrides
where ``holidays`` disagrees with it (see ``calendar_import``).

Speed: each calendar is compiled once per process into flat arrays over 1990–2100
(kind of each day, working-day ordinals with prefix counts, working-time prefix sums),
so an ``add`` is a time-zone conversion, an index lookup or one ``bisect``, and a
datetime construction: a few microseconds. The compiled calendar is cached per
process; the services drop it at once when a calendar or its days change, and every
other process rechecks ``Calendar.updated_at`` at most every ``RECHECK_SECONDS``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import threading
import time
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from okno.core.errors import InvalidInput, NotFound
from okno.deadlines.choices import CalendarBase, DayKind, DayOffRule, TermUnit

if TYPE_CHECKING:
    from okno.deadlines.models import Calendar

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "WorkingCalendar",
    "base_kinds",
    "forget",
    "get_calendar",
]

FIRST_DAY: Final = dt.date(1990, 1, 1)
LAST_DAY: Final = dt.date(2100, 12, 31)
RECHECK_SECONDS: Final = 10.0

_ORD0: Final = FIRST_DAY.toordinal()
_NDAYS: Final = LAST_DAY.toordinal() - _ORD0 + 1
_US_PER_S: Final = 1_000_000
_DAY_END: Final = dt.time.max  # 23:59:59.999999

# Day kinds in the compiled arrays.
OFF: Final = 0
WORK: Final = 1
SHORT: Final = 2
_KIND_CODE: Final = {DayKind.DAY_OFF: OFF, DayKind.WORKING: WORK, DayKind.SHORT: SHORT}
_CODE_KIND: Final = {v: k for k, v in _KIND_CODE.items()}

Intervals = tuple[tuple[int, int], ...]  # working periods of a day, microseconds from local midnight


def _us(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_S + t.microsecond


def _out_of_range() -> InvalidInput:
    return InvalidInput(
        _("The calendar covers %(first)s to %(last)s only.")
        % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
    )


@cache
def base_kinds(base: str) -> bytes:
    """The kind (OFF/WORK/SHORT) of every day 1990–2100 in a base calendar, before overrides."""
    kinds = bytearray(_NDAYS)
    if base == CalendarBase.RU:
        import holidays

        ru = holidays.country_holidays("RU", years=range(FIRST_DAY.year, LAST_DAY.year + 1))
        substituted = ru.tr(ru.substituted_label).split("%", 1)[0]
        # A public holiday, not a day off moved from elsewhere: only these shorten the eve.
        public = {
            d.toordinal() - _ORD0
            for d, name in ru.items()
            if not all(part.startswith(substituted) for part in name.split("; "))
        }
        for i in range(_NDAYS):
            if ru.is_working_day(dt.date.fromordinal(i + _ORD0)):
                kinds[i] = SHORT if i + 1 in public else WORK
    else:
        for i in range(_NDAYS):
            if (i + _ORD0) % 7 not in (6, 0):  # date.toordinal() % 7: 6 is Saturday, 0 Sunday
                kinds[i] = WORK
    return bytes(kinds)


def _cut_from_end(periods: Intervals, minutes: int) -> Intervals:
    """The periods of a day shortened by ``minutes`` at its end."""
    left = minutes * 60 * _US_PER_S
    out = list(periods)
    while left > 0 and out:
        start, end = out[-1]
        if end - start > left:
            out[-1] = (start, end - left)
            break
        left -= end - start
        out.pop()
    return tuple(out)


class WorkingCalendar:
    """One calendar compiled for arithmetic. Immutable; share it freely between threads."""

    __slots__ = (
        "_days",
        "_kinds",
        "_periods",
        "_totals",
        "_wcount",
        "_wtime",
        "code",
        "id",
        "name",
        "tz",
        "version",
    )

    def __init__(
        self,
        *,
        id: int,
        code: str,
        name: str,
        time_zone: str,
        kinds: bytes | bytearray,
        day_start: dt.time,
        day_end: dt.time,
        lunch: tuple[dt.time, dt.time] | None = None,
        short_day_minutes: int = 60,
        version: object = None,
    ) -> None:
        self.id = id
        self.code = code
        self.name = name
        self.tz = ZoneInfo(time_zone)
        self.version = version
        if lunch is None:
            normal: Intervals = ((_us(day_start), _us(day_end)),)
        else:
            normal = ((_us(day_start), _us(lunch[0])), (_us(lunch[1]), _us(day_end)))
        short = _cut_from_end(normal, short_day_minutes)
        self._kinds = bytes(kinds)
        self._periods: tuple[Intervals, Intervals, Intervals] = ((), normal, short)
        self._totals = tuple(sum(e - s for s, e in p) for p in self._periods)
        # _days: indexes of working days; _wcount[i]: working days before day i;
        # _wtime[i]: working microseconds before day i (both have _NDAYS + 1 entries).
        days: list[int] = []
        wcount = [0] * (_NDAYS + 1)
        wtime = [0] * (_NDAYS + 1)
        totals = self._totals
        n = t = 0
        for i, k in enumerate(self._kinds):
            if k:
                days.append(i)
                n += 1
                t += totals[k]
            wcount[i + 1] = n
            wtime[i + 1] = t
        self._days = days
        self._wcount = wcount
        self._wtime = wtime

    def __repr__(self) -> str:
        return f"<WorkingCalendar {self.code} {self.tz.key}>"

    # -- days --------------------------------------------------------------------

    def _index(self, day: dt.date) -> int:
        i = day.toordinal() - _ORD0
        if not 0 <= i < _NDAYS:
            raise _out_of_range()
        return i

    def kind(self, day: dt.date) -> DayKind:
        """What ``day`` is in this calendar, overrides included."""
        return _CODE_KIND[self._kinds[self._index(day)]]

    def is_working_day(self, day: dt.date) -> bool:
        return self._kinds[self._index(day)] != OFF

    def is_short_day(self, day: dt.date) -> bool:
        return self._kinds[self._index(day)] == SHORT

    def working_hours(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """When the working day begins and ends (aware, in ``tz``); None on a day off.
        A lunch break, if any, lies inside."""
        periods = self._periods[self._kinds[self._index(day)]]
        if not periods:
            return None
        return self._at(day, periods[0][0]), self._at(day, periods[-1][1])

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        i = self._index(day)
        try:
            return dt.date.fromordinal(self._days[self._wcount[i]] + _ORD0)
        except IndexError:
            raise _out_of_range() from None

    def previous_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the last working day before it."""
        j = self._wcount[self._index(day) + 1] - 1
        if j < 0:
            raise _out_of_range()
        return dt.date.fromordinal(self._days[j] + _ORD0)

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """How many working days there are from ``first`` to ``last``, both included."""
        if last < first:
            return 0
        return self._wcount[self._index(last) + 1] - self._wcount[self._index(first)]

    # -- terms -------------------------------------------------------------------

    def add(
        self,
        start: dt.datetime,
        amount: int | float,
        unit: TermUnit | str,
        rule: DayOffRule | str = DayOffRule.NEXT,
    ) -> dt.datetime:
        """When a term of ``amount`` ``unit`` that starts at ``start`` ends (see the module
        docstring for the rules)."""
        if unit == TermUnit.WORKING_HOURS:
            if not amount >= 0 or math.isinf(amount):
                raise InvalidInput(_("A term must be a non-negative number."), field="amount")
            return self._add_us(start, round(amount * 3600 * _US_PER_S))
        n = int(amount)
        if n != amount or n < 0:
            raise InvalidInput(_("A term in days must be a whole non-negative number."), field="amount")
        if start.tzinfo is None:
            raise InvalidInput(_("Give times with their time zone."), field="start")
        i = start.astimezone(self.tz).toordinal() - _ORD0
        if unit == TermUnit.WORKING_DAYS and n:
            if not 0 <= i < _NDAYS:
                raise _out_of_range()
            try:
                j = self._days[self._wcount[i + 1] + n - 1]
            except IndexError:
                raise _out_of_range() from None
        elif unit == TermUnit.CALENDAR_DAYS or unit == TermUnit.WORKING_DAYS:
            j = i + n
            if not 0 <= j < _NDAYS:
                raise _out_of_range()
            if not self._kinds[j] and rule != DayOffRule.NONE:
                if rule == DayOffRule.NEXT:
                    try:
                        j = self._days[self._wcount[j]]
                    except IndexError:
                        raise _out_of_range() from None
                elif rule == DayOffRule.PREVIOUS:
                    k = self._wcount[j] - 1
                    if k < 0:
                        raise _out_of_range()
                    j = self._days[k]
                else:
                    raise InvalidInput(_("Unknown day-off rule: %(rule)s") % {"rule": rule}, field="rule")
        else:
            raise InvalidInput(_("Unknown unit of a term: %(unit)s") % {"unit": unit}, field="unit")
        return dt.datetime.combine(dt.date.fromordinal(j + _ORD0), _DAY_END, self.tz)

    def add_working_time(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant when ``duration`` of working time after ``start`` has passed."""
        if duration < dt.timedelta(0):
            raise InvalidInput(_("A term must be a non-negative number."), field="amount")
        return self._add_us(start, (duration.days * 86400 + duration.seconds) * _US_PER_S + duration.microseconds)

    def _add_us(self, start: dt.datetime, us: int) -> dt.datetime:
        if not us:
            if start.tzinfo is None:
                raise InvalidInput(_("Give times with their time zone."), field="start")
            return start.astimezone(self.tz)
        target = self._position(start) + us
        wtime = self._wtime
        k = bisect.bisect_left(wtime, target)
        if k > _NDAYS:
            raise _out_of_range()
        i = k - 1  # wtime[i] < target <= wtime[i + 1]: day i is a working day
        left = target - wtime[i]
        for s, e in self._periods[self._kinds[i]]:
            if left <= e - s:
                return self._at_index(i, s + left)
            left -= e - s
        raise AssertionError("working-time prefix sums are inconsistent")  # pragma: no cover

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from ``start`` to ``end``; negative if ``end`` is earlier."""
        return dt.timedelta(microseconds=self._position(end) - self._position(start))

    # -- helpers -------------------------------------------------------------------

    def _position(self, moment: dt.datetime) -> int:
        """Working microseconds from the beginning of the calendar to ``moment``."""
        if moment.tzinfo is None:
            raise InvalidInput(_("Give times with their time zone."), field="start")
        local = moment.astimezone(self.tz)
        i = local.toordinal() - _ORD0
        if not 0 <= i < _NDAYS:
            raise _out_of_range()
        kind = self._kinds[i]
        pos = self._wtime[i]
        if kind:
            us = ((local.hour * 60 + local.minute) * 60 + local.second) * _US_PER_S + local.microsecond
            for s, e in self._periods[kind]:
                if us >= e:
                    pos += e - s
                else:
                    if us > s:
                        pos += us - s
                    break
        return pos

    def _at_index(self, i: int, us: int) -> dt.datetime:
        return self._at(dt.date.fromordinal(i + _ORD0), us)

    def _at(self, day: dt.date, us: int) -> dt.datetime:
        seconds, micro = divmod(us, _US_PER_S)
        if seconds >= 86400:  # a working period ending at midnight
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), self.tz)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return dt.datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=self.tz)


# -- the per-process cache -------------------------------------------------------------

_lock = threading.Lock()
_compiled: dict[int, tuple[float, WorkingCalendar]] = {}  # by Calendar.id, with when it was checked
_aliases: dict[str | None, int] = {}  # code (or None for the default) -> id


def compile_calendar(calendar: Calendar, overrides: Iterable[tuple[dt.date, str]] | None = None) -> WorkingCalendar:
    """Build the arrays of one calendar row (its overrides read from the database unless given)."""
    from okno.deadlines.models import CalendarDay

    kinds = bytearray(base_kinds(calendar.base))
    if overrides is None:
        overrides = CalendarDay.objects.filter(calendar=calendar, date__gte=FIRST_DAY, date__lte=LAST_DAY).values_list(
            "date", "kind"
        )
    for day, kind in overrides:
        i = day.toordinal() - _ORD0
        if 0 <= i < _NDAYS:
            kinds[i] = _KIND_CODE[DayKind(kind)]
    lunch = (
        (calendar.lunch_start, calendar.lunch_end)
        if calendar.lunch_start is not None and calendar.lunch_end is not None
        else None
    )
    return WorkingCalendar(
        id=calendar.pk,
        code=calendar.code,
        name=calendar.name,
        time_zone=calendar.time_zone,
        kinds=kinds,
        day_start=calendar.day_start,
        day_end=calendar.day_end,
        lunch=lunch,
        short_day_minutes=calendar.short_day_minutes,
        version=calendar.updated_at,
    )


def _load(key: int | str | None) -> Calendar:
    from okno.deadlines.models import Calendar

    if key is None:
        found = Calendar.objects.filter(is_default=True).first()
        if found is None:
            from okno.deadlines.calendar_import import install_default_calendar

            found = install_default_calendar()
        return found
    lookup = {"pk": key} if isinstance(key, int) else {"code": key}
    found = Calendar.objects.filter(**lookup).first()
    if found is None:
        raise NotFound(_("No such calendar."))
    return found


def get_calendar(calendar: Calendar | int | str | None = None) -> WorkingCalendar:
    """The compiled calendar: by row, id or code; ``None`` is the default calendar.

    Cached per process. A change made through the calendar services reaches this
    process at once and every other process within ``RECHECK_SECONDS``.
    """
    if calendar is None or isinstance(calendar, str):
        key: int | None = _aliases.get(calendar)
        if key is None:
            row = _load(calendar)
            with _lock:
                _aliases[calendar] = row.pk
            return _get_by_id(row.pk, row)
        return _get_by_id(key)
    if isinstance(calendar, int):
        return _get_by_id(calendar)
    return _get_by_id(calendar.pk, calendar)


def _get_by_id(pk: int, row: Calendar | None = None) -> WorkingCalendar:
    now = time.monotonic()
    hit = _compiled.get(pk)
    if hit is not None:
        if now - hit[0] < RECHECK_SECONDS:
            return hit[1]
        from okno.deadlines.models import Calendar

        version = Calendar.objects.filter(pk=pk).values_list("updated_at", flat=True).first()
        if version is not None and version == hit[1].version:
            _compiled[pk] = (now, hit[1])
            return hit[1]
        forget(pk)
    if row is None or row.pk != pk:
        row = _load(pk)
    compiled = compile_calendar(row)
    with _lock:
        _compiled[pk] = (now, compiled)
    return compiled


def forget(calendar: Calendar | int | None = None) -> None:
    """Drop this process's compiled copy of one calendar (or of all), and the
    code and default aliases, which a change may have moved."""
    pk = calendar.pk if calendar is not None and not isinstance(calendar, int) else calendar
    with _lock:
        if pk is None:
            _compiled.clear()
        else:
            _compiled.pop(pk, None)
        _aliases.clear()
