"""Micro benchmark of the working-day calendar: ``WorkingCalendar.add`` per second.

    .venv/bin/python bench/calendar_ops.py            # 200,000 calls per unit
    .venv/bin/python bench/calendar_ops.py 50000

The shipped default calendar (Russia, Moscow time, with the official 2013–2026 days
as overrides) is compiled in memory, without a database, exactly as
``get_calendar()`` compiles it. Starts are random instants of 2024–2026 in five time
zones; amounts are random (1–60 calendar days, 1–30 working days, 1–80 working
hours, rules mixed). Prints the one-off compile time, one line per unit, and last
``calendar_ops add_per_sec=…`` for the mix of all three (what a clock computation
does: its due date, risk point and alarms are 3–4 such calls).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OKNO_DATA_DIR", tempfile.mkdtemp(prefix="okno-bench-calendar-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("calls", nargs="?", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from okno.deadlines.calendar import base_kinds, compile_calendar
    from okno.deadlines.calendar_import import official_days
    from okno.deadlines.choices import DayOffRule, TermUnit
    from okno.deadlines.models import Calendar

    started = time.perf_counter()
    base_kinds("ru")
    row = Calendar(pk=1, code="ru", name="Россия", time_zone="Europe/Moscow", base="ru")
    cal = compile_calendar(row, [(d.date, d.kind) for d in official_days()])
    print(f"compile_ms={(time.perf_counter() - started) * 1000:.0f} (once per process)")

    rng = random.Random(args.seed)
    zones = [ZoneInfo(z) for z in ("Europe/Moscow", "Asia/Vladivostok", "Europe/Kaliningrad", "Asia/Yekaterinburg")]
    zones.append(ZoneInfo("UTC"))
    first = dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp()
    span = dt.datetime(2026, 10, 1, tzinfo=dt.UTC).timestamp() - first
    rules = [DayOffRule.NEXT, DayOffRule.NEXT, DayOffRule.PREVIOUS, DayOffRule.NONE]
    limits = {TermUnit.CALENDAR_DAYS: 60, TermUnit.WORKING_DAYS: 30, TermUnit.WORKING_HOURS: 80}

    def calls(units: list[TermUnit]) -> list[tuple[dt.datetime, int, TermUnit, DayOffRule]]:
        out = []
        for _ in range(args.calls):
            unit = rng.choice(units)
            start = dt.datetime.fromtimestamp(first + rng.random() * span, rng.choice(zones))
            out.append((start, rng.randint(1, limits[unit]), unit, rng.choice(rules)))
        return out

    add = cal.add
    for label, units in [
        ("calendar_days", [TermUnit.CALENDAR_DAYS]),
        ("working_days", [TermUnit.WORKING_DAYS]),
        ("working_hours", [TermUnit.WORKING_HOURS]),
        ("mixed", list(limits)),
    ]:
        work = calls(units)
        for start, amount, unit, rule in work[:1000]:  # warm-up
            add(start, amount, unit, rule)
        t = time.perf_counter()
        for start, amount, unit, rule in work:
            add(start, amount, unit, rule)
        seconds = time.perf_counter() - t
        per_sec = len(work) / seconds
        if label == "mixed":
            print(f"calendar_ops add_per_sec={per_sec:.0f}")
        else:
            print(f"calendar_ops unit={label} add_per_sec={per_sec:.0f} us_per_call={seconds / len(work) * 1e6:.2f}")


if __name__ == "__main__":
    main()
