"""Reading official calendars into a calendar's overrides.

Two formats:

* **xmlcalendar.ru** XML, one year per file (``<calendar year="2024">``, then
  ``<day d="MM.DD" t="1|2|3" h="holiday id" f="MM.DD"/>``: t=1 day off, t=2 shortened
  working day, t=3 working day on a weekend). A file describes its whole year: a day
  it does not list is an ordinary day (Monday to Friday working, weekends off).
* **Per-day CSV** with a ``date`` column and either ``kind`` (working / short /
  day_off) or ``is_working_day`` and ``is_short_day`` (true/false), plus an optional
  ``holiday_title`` or ``note``. It describes the days it lists.

Importing makes the calendar agree with the file on every day the file describes,
with as few rows as possible: a day the base calendar already gets right loses its
override (an administrator's correction of such a day included; the file wins),
any other day gets one. Each file is imported in its own transaction: a bad file
changes nothing.

The default calendar ("Russia (Moscow time)") is created by a data migration from the
official calendar for 2013–2026 committed in ``data/xmlcalendar_ru/`` (public-law
data, as published by xmlcalendar.ru); :func:`install_default_calendar` does it, and
also recreates the default calendar if a database has lost it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.core.errors import InvalidInput
from okno.deadlines.calendar import _CODE_KIND, _ORD0, FIRST_DAY, LAST_DAY, base_kinds
from okno.deadlines.choices import CalendarBase, DayKind

OFFICIAL_DIR = Path(__file__).resolve().parent / "data" / "xmlcalendar_ru"
DEFAULT_CODE = "ru"
DEFAULT_NAME = "Россия (московское время)"
DEFAULT_NAME_EN = "Russia (Moscow time)"
NOTE_MAX = 200


@dataclass(frozen=True)
class OfficialDay:
    date: dt.date
    kind: DayKind
    note: str = ""


@dataclass
class ParsedFile:
    """What one file says: the days it describes and what each of them is."""

    path: str
    days: list[OfficialDay]
    years: list[int] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    days: int = 0

    def __iadd__(self, other: ImportResult) -> ImportResult:
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged
        self.days += other.days
        return self


def _plain(day: dt.date) -> DayKind:
    return DayKind.WORKING if day.weekday() < 5 else DayKind.DAY_OFF


def _bad(path: str, message: str) -> InvalidInput:
    return InvalidInput(_("%(file)s: %(problem)s") % {"file": path, "problem": message})


# -- parsing ---------------------------------------------------------------------------


def parse_xmlcalendar(data: bytes, path: str = "XML") -> ParsedFile:
    """Every day of the file's year, as the file says it is."""
    try:
        root = ET.fromstring(data)  # noqa: S314 - see the import above
    except ET.ParseError as exc:
        raise _bad(path, _("not well-formed XML (%(error)s).") % {"error": exc}) from None
    if root.tag != "calendar":
        raise _bad(path, _("the root element must be <calendar>."))
    try:
        year = int(root.get("year", ""))
    except ValueError:
        raise _bad(path, _("the <calendar> element has no year.")) from None
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise _bad(path, _("year %(year)s is outside the calendar's range.") % {"year": year})
    titles = {h.get("id"): (h.get("title") or "").strip() for h in root.iterfind("holidays/holiday")}
    days_el = root.find("days")
    if days_el is None:
        raise _bad(path, _("there is no <days> element."))
    listed: dict[dt.date, OfficialDay] = {}
    kinds = {"1": DayKind.DAY_OFF, "2": DayKind.SHORT, "3": DayKind.WORKING}
    for el in days_el.iterfind("day"):
        d, t = el.get("d", ""), el.get("t", "")
        try:
            month, day_of_month = (int(part) for part in d.split("."))
            date = dt.date(year, month, day_of_month)
        except ValueError:
            raise _bad(path, _("bad day %(day)r.") % {"day": d}) from None
        if t not in kinds:
            raise _bad(path, _("day %(day)s has an unknown type %(type)r.") % {"day": d, "type": t})
        note = titles.get(el.get("h"), "")
        moved = el.get("f")
        if moved and not note:
            note = _("Moved from %(day)s") % {"day": ".".join(reversed(moved.split(".")))}
        listed[date] = OfficialDay(date, kinds[t], note[:NOTE_MAX])
    days = []
    current, one = dt.date(year, 1, 1), dt.timedelta(days=1)
    while current.year == year:
        days.append(listed.get(current) or OfficialDay(current, _plain(current)))
        current += one
    return ParsedFile(path, days, [year])


_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n", ""}


def _flag(value: str | None, path: str, line: int, column: str) -> bool:
    v = (value or "").strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise _bad(path, _("line %(line)s: %(column)s is not true or false.") % {"line": line, "column": column})


def parse_csv(data: bytes, path: str = "CSV") -> ParsedFile:
    """The days a per-day CSV lists."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad(path, _("the file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or ())
    if "date" not in columns or not ({"kind"} <= columns or {"is_working_day", "is_short_day"} <= columns):
        raise _bad(path, _("a CSV needs a date column and either kind or is_working_day and is_short_day."))
    days: dict[dt.date, OfficialDay] = {}
    for row in reader:
        line = reader.line_num
        try:
            date = dt.date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            raise _bad(path, _("line %(line)s: bad date.") % {"line": line}) from None
        if not FIRST_DAY <= date <= LAST_DAY:
            raise _bad(path, _("line %(line)s: the date is outside the calendar's range.") % {"line": line})
        if "kind" in columns:
            try:
                kind = DayKind((row.get("kind") or "").strip())
            except ValueError:
                raise _bad(path, _("line %(line)s: unknown kind of day.") % {"line": line}) from None
        elif not _flag(row.get("is_working_day"), path, line, "is_working_day"):
            kind = DayKind.DAY_OFF
        else:
            kind = DayKind.SHORT if _flag(row.get("is_short_day"), path, line, "is_short_day") else DayKind.WORKING
        note = (row.get("note") or row.get("holiday_title") or "").strip()
        days[date] = OfficialDay(date, kind, note[:NOTE_MAX])
    if not days:
        raise _bad(path, _("the file lists no days."))
    return ParsedFile(path, sorted(days.values(), key=lambda d: d.date), sorted({d.year for d in days}))


def parse_file(path: str | Path, fmt: str = "auto") -> ParsedFile:
    """Read one file in the given format (``auto``: by its first bytes)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise _bad(str(p), exc.strerror or str(exc)) from None
    if fmt == "auto":
        fmt = "xmlcalendar" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "csv"
    if fmt == "xmlcalendar":
        return parse_xmlcalendar(data, str(p))
    if fmt == "csv":
        return parse_csv(data, str(p))
    raise InvalidInput(_("Unknown format: %(format)s") % {"format": fmt}, field="format")


# -- applying ---------------------------------------------------------------------------


def apply_days(
    calendar: Any,
    days: Iterable[OfficialDay],
    *,
    actor: Any = None,
    day_model: Any = None,
) -> ImportResult:
    """Make ``calendar``'s overrides agree with ``days`` (the caller holds a transaction).

    ``day_model`` is the ``CalendarDay`` model to use (a data migration passes its
    historical one).
    """
    if day_model is None:
        from okno.deadlines.models import CalendarDay

        day_model = CalendarDay
    base = base_kinds(calendar.base)
    days = list(days)
    result = ImportResult(days=len(days))
    if not days:
        return result
    first, last = min(d.date for d in days), max(d.date for d in days)
    existing = {
        row.date: row for row in day_model.objects.filter(calendar_id=calendar.pk, date__gte=first, date__lte=last)
    }
    now = timezone.now()
    create, update, delete = [], [], []
    for day in days:
        row = existing.get(day.date)
        base_kind = _CODE_KIND[base[day.date.toordinal() - _ORD0]]
        if day.kind == base_kind:
            if row is not None:
                delete.append(row.pk)
            else:
                result.unchanged += 1
        elif row is None:
            create.append(day_model(calendar_id=calendar.pk, date=day.date, kind=day.kind, note=day.note,
                                    changed_by=actor, changed_at=now))  # fmt: skip
        elif row.kind != day.kind or row.note != day.note:
            row.kind, row.note, row.changed_by, row.changed_at = day.kind, day.note, actor, now
            update.append(row)
        else:
            result.unchanged += 1
    day_model.objects.bulk_create(create, batch_size=500)
    day_model.objects.bulk_update(update, ["kind", "note", "changed_by", "changed_at"], batch_size=500)
    day_model.objects.filter(pk__in=delete).delete()
    result.created, result.updated, result.deleted = len(create), len(update), len(delete)
    return result


def import_parsed(actor: Any, calendar: Any, parsed: ParsedFile) -> ImportResult:
    """Import one parsed file into ``calendar`` in one transaction. Administrators only
    (``actor`` None is the command line, which has the server's rights)."""
    from okno.deadlines.services import calendars as services

    if actor is not None:
        from okno.accounts.services import require_admin

        require_admin(actor)
    with transaction.atomic():
        result = apply_days(calendar, parsed.days, actor=actor)
        services.touch(calendar)
    return result


def official_days() -> list[OfficialDay]:
    """The Russian official calendar committed with the app (2013–2026)."""
    days: list[OfficialDay] = []
    for path in sorted(OFFICIAL_DIR.glob("*_calendar.xml")):
        days.extend(parse_xmlcalendar(path.read_bytes(), path.name).days)
    return days


def install_default_calendar(calendar_model: Any = None, day_model: Any = None) -> Any:
    """Create (or make default again) the shipped "Russia (Moscow time)" calendar with
    the official days as overrides. The data migration passes its historical models."""
    if calendar_model is None:
        from okno.deadlines.models import Calendar, CalendarDay

        calendar_model, day_model = Calendar, CalendarDay
    with transaction.atomic():
        calendar, created = calendar_model.objects.get_or_create(
            code=DEFAULT_CODE,
            defaults={
                "name": DEFAULT_NAME,
                "name_en": DEFAULT_NAME_EN,
                "time_zone": "Europe/Moscow",
                "base": CalendarBase.RU,
                "is_default": not calendar_model.objects.filter(is_default=True).exists(),
            },
        )
        if created:
            apply_days(calendar, official_days(), day_model=day_model)
        elif not calendar_model.objects.filter(is_default=True).exists():
            calendar_model.objects.filter(pk=calendar.pk).update(is_default=True)
            calendar.is_default = True
    return calendar


__all__ = [
    "DEFAULT_CODE",
    "ImportResult",
    "OfficialDay",
    "ParsedFile",
    "apply_days",
    "import_parsed",
    "install_default_calendar",
    "official_days",
    "parse_csv",
    "parse_file",
    "parse_xmlcalendar",
]
