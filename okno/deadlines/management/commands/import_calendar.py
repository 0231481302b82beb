"""``manage.py import_calendar PATH...``: official calendars into a calendar's overrides."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from okno.core.errors import OknoError


class Command(BaseCommand):
    help = (
        "Import xmlcalendar.ru XML files (one year each) or per-day CSV files into a working calendar. "
        "Days the base calendar already gets right need no override and lose any they had. "
        "All files are read first; each is then imported in its own transaction."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="XML or CSV files.")
        parser.add_argument("--calendar", metavar="CODE", help="The calendar's code (default: the default calendar).")
        parser.add_argument("--format", choices=["auto", "xmlcalendar", "csv"], default="auto", dest="fmt")

    def handle(self, *args: Any, paths: list[str], calendar: str | None, fmt: str, **options: Any) -> None:
        from okno.deadlines.calendar_import import ImportResult, import_parsed, parse_file
        from okno.deadlines.models import Calendar

        if calendar is None:
            target = Calendar.objects.filter(is_default=True).first()
        else:
            target = Calendar.objects.filter(code=calendar).first()
        if target is None:
            raise CommandError(f"No calendar with code {calendar!r}." if calendar else "There is no default calendar.")
        try:
            parsed = [parse_file(path, fmt) for path in paths]
        except OknoError as exc:
            raise CommandError(f"{exc.message} Nothing was imported.") from None
        total = ImportResult()
        done = 0
        quiet = options.get("verbosity", 1) == 0
        with tqdm(total=sum(len(p.days) for p in parsed), unit=" days", file=sys.stderr, disable=quiet) as bar:
            for p in parsed:
                bar.set_description(p.path.rsplit("/", 1)[-1])
                try:
                    total += import_parsed(None, target, p)
                except Exception as exc:
                    raise CommandError(
                        f"{p.path}: {exc}. This file was not imported; {done} file(s) before it were."
                    ) from exc
                done += 1
                bar.update(len(p.days))
        years = sorted({y for p in parsed for y in p.years})
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        self.stdout.write(
            self.style.SUCCESS(
                f"{target.code}: {done} file(s), {total.days} days of {span}; overrides "
                f"{total.created} added, {total.updated} changed, {total.deleted} removed "
                f"(the base calendar agrees), {total.unchanged} days unchanged."
            )
        )
