"""Importing official calendars: an xmlcalendar.ru year and the per-day CSV, through
``manage.py import_calendar``; a bad file changes nothing."""

from __future__ import annotations

import datetime as dt
import gzip
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from okno.core.errors import InvalidInput
from okno.deadlines.calendar import get_calendar
from okno.deadlines.calendar_import import OFFICIAL_DIR, install_default_calendar, parse_xmlcalendar
from okno.deadlines.choices import DayKind
from okno.deadlines.models import CalendarDay
from okno.deadlines.services.calendars import create_calendar, set_day


@pytest.fixture(autouse=True)
def _shipped_calendar(db) -> None:
    """Transactional tests elsewhere flush what the data migration shipped."""
    install_default_calendar()


CSV_GZ = Path(__file__).parent / "data" / "ru_calendar_days_2013_2026.csv.gz"


@pytest.fixture
def plain(org):
    """A weekends-only calendar: it knows no holidays until it imports them."""
    return create_calendar(org.adam, {"code": "plain", "name": "Без праздников", "base": "none"})


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_calendar", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_importing_one_xml_year_makes_the_calendar_official_for_that_year(plain) -> None:
    assert get_calendar("plain").is_working_day(dt.date(2024, 1, 2))
    out = run(str(OFFICIAL_DIR / "2024_calendar.xml"), "--calendar", "plain")
    assert "plain: 1 file(s), 366 days of 2024" in out
    cal = get_calendar("plain")
    assert not cal.is_working_day(dt.date(2024, 1, 2))  # New Year holidays
    assert cal.is_working_day(dt.date(2024, 4, 27))  # a working Saturday (t=3)
    assert cal.is_short_day(dt.date(2024, 11, 2))  # a shortened working Saturday (t=2)
    assert not cal.is_working_day(dt.date(2024, 4, 29))  # moved from 27 April
    assert cal.is_working_day(dt.date(2025, 1, 2))  # other years untouched
    note = CalendarDay.objects.get(calendar__code="plain", date=dt.date(2024, 4, 29)).note
    assert note == "Moved from 27.04"
    assert CalendarDay.objects.get(calendar__code="plain", date=dt.date(2024, 5, 9)).note == "День Победы"


def test_importing_the_per_day_csv_agrees_with_it_every_day(plain, tmp_path: Path) -> None:
    csv_path = tmp_path / "days.csv"
    csv_path.write_bytes(gzip.decompress(CSV_GZ.read_bytes()))
    out = run(str(csv_path), "--calendar", "plain", "--format", "csv")
    assert "5113 days of 2013–2026" in out
    cal = get_calendar("plain")
    rows = csv_path.read_text().splitlines()[1:]
    for line in rows:
        day, _type, working, short = line.split(",")
        date = dt.date.fromisoformat(day)
        assert (cal.is_working_day(date), cal.is_short_day(date)) == (working == "True", short == "True"), day
    # Only the days weekends alone would get wrong have rows.
    assert CalendarDay.objects.filter(calendar__code="plain").count() < 600
    # Importing again changes nothing.
    assert "0 added, 0 changed, 0 removed" in run(str(csv_path), "--calendar", "plain")


def test_an_import_replaces_overrides_the_file_disagrees_with(org) -> None:
    set_day(org.adam, "ru", dt.date(2024, 5, 9), DayKind.WORKING, "ошибка")  # the file says a holiday
    set_day(org.adam, "ru", dt.date(2023, 5, 9), DayKind.WORKING, "другой год")
    out = run(str(OFFICIAL_DIR / "2024_calendar.xml"))  # the default calendar
    assert "ru: 1 file(s)" in out and "1 removed" in out
    assert not CalendarDay.objects.filter(calendar__code="ru", date=dt.date(2024, 5, 9)).exists()
    assert not get_calendar().is_working_day(dt.date(2024, 5, 9))
    assert get_calendar().is_working_day(dt.date(2023, 5, 9))


def test_a_bad_file_is_refused_and_nothing_is_imported(plain, tmp_path: Path) -> None:
    good = OFFICIAL_DIR / "2024_calendar.xml"
    broken = tmp_path / "2025.xml"
    broken.write_text('<calendar year="2025"><days><day d="02.30" t="1"/></days></calendar>')
    with pytest.raises(CommandError, match=r"2025\.xml: bad day '02\.30'.*Nothing was imported"):
        run(str(good), str(broken), "--calendar", "plain")
    assert not CalendarDay.objects.filter(calendar__code="plain").exists()

    for content, problem in [
        ("<calendar><days/></calendar>", "no year"),
        ('<calendar year="2025"><days><day d="01.01" t="7"/></days></calendar>', "unknown type"),
        ('<calendar year="2025">', "not well-formed"),
        ("<html/>", "root element"),
    ]:
        broken.write_text(content)
        with pytest.raises(CommandError, match=problem):
            run(str(broken), "--calendar", "plain")
    bad_csv = tmp_path / "days.csv"
    bad_csv.write_text("date,is_working_day,is_short_day\n2025-01-01,False,False\n2025-13-01,True,False\n")
    with pytest.raises(CommandError, match="line 3: bad date"):
        run(str(bad_csv), "--calendar", "plain")
    bad_csv.write_text("day,kind\n2025-01-01,day_off\n")
    with pytest.raises(CommandError, match="needs a date column"):
        run(str(bad_csv), "--calendar", "plain")
    with pytest.raises(CommandError, match="No calendar"):
        run(str(good), "--calendar", "nowhere")
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.xml"), "--calendar", "plain")
    assert not CalendarDay.objects.filter(calendar__code="plain").exists()


def test_a_simple_kind_csv_is_accepted(plain, tmp_path: Path) -> None:
    path = tmp_path / "partner.csv"
    path.write_text("date,kind,note\n2025-03-12,day_off,Санитарный день\n2025-03-15,short,\n")
    run(str(path), "--calendar", "plain")
    cal = get_calendar("plain")
    assert not cal.is_working_day(dt.date(2025, 3, 12)) and cal.is_short_day(dt.date(2025, 3, 15))
    assert CalendarDay.objects.get(date=dt.date(2025, 3, 12), calendar__code="plain").note == "Санитарный день"


def test_the_committed_official_years_parse() -> None:
    years = sorted(int(p.name[:4]) for p in OFFICIAL_DIR.glob("*_calendar.xml"))
    assert years == list(range(2013, 2027))
    with pytest.raises(InvalidInput):
        parse_xmlcalendar(b'<calendar year="1800"><days/></calendar>')
