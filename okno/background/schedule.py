"""Periodic jobs: a Django task plus a five-field cron schedule.

Apps declare them in their ``tasks.py`` (autodiscovered at start-up)::

    @periodic("*/1 * * * *", description=_("Find deadline reminders and breaches due now"))
    @task
    def sweep_deadlines() -> dict: ...

The worker started with ``--scheduler`` (exactly one per installation) checks the
schedules once a minute and enqueues each due job through the task backend, so a
job's run is an ordinary task record, marked with the job's name.

Schedules are read in the installation's time zone (``TIME_ZONE``): "0 2 * * *" is
2 a.m. there, whatever the server's clock says. Fields: minute, hour, day of month,
month, day of week (0 or 7 = Sunday); each ``*``, ``n``, ``a-b``, ``a-b/s``, ``*/s``
or a comma list of those. As in huey, every field must match (day of month *and*
day of week), unlike classic cron's "either".
"""

from __future__ import annotations

import inspect
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task
from django.utils import timezone
from huey import crontab

__all__ = ["Cron", "PeriodicJob", "get_job", "periodic", "periodic_jobs"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

# name, lowest, highest (day of week: 7 is Sunday again).
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("day_of_week", 0, 7))
_RANGE = re.compile(r"(\d+)-(\d+)(?:/(\d+))?")
_EVERY = re.compile(r"\*/(\d+)")
# How far ahead "next run" looks: long enough for "29 February on a Monday".
_HORIZON_DAYS = 366 * 30


def _parse_field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for piece in text.split(","):
        if piece == "*":
            values.update(range(low, high + 1))
        elif piece.isdecimal():
            if not low <= int(piece) <= high:
                raise ValueError(f"{name}: {piece} is out of range {low}-{high}")
            values.add(int(piece))
        elif match := _RANGE.fullmatch(piece):
            first, last, step = int(match[1]), int(match[2]), int(match[3] or 1)
            if not (low <= first <= high and low <= last <= high) or step < 1:
                raise ValueError(f"{name}: {piece} is out of range {low}-{high}")
            top = 6 if name == "day_of_week" else high
            span = list(range(first, last + 1)) if first <= last else [*range(first, top + 1), *range(low, last + 1)]
            values.update(span[::step])
        elif match := _EVERY.fullmatch(piece):
            if name == "day_of_week" or int(match[1]) < 1:
                raise ValueError(f"{name}: {piece} is not supported")
            values.update(range(low, high + 1)[:: int(match[1])])
        else:
            raise ValueError(f"{name}: {piece!r} is not a cron value")
    if name == "day_of_week":
        values = {value % 7 for value in values}
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A parsed five-field schedule. ``matches`` is huey's own ``crontab`` (what the
    scheduler runs); the value sets answer "when next" for the administrators' page."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    matches: Callable[[datetime], bool]

    @classmethod
    def parse(cls, expression: str) -> Cron:
        parts = expression.split()
        if len(parts) != 5:
            raise ValueError(f"a cron schedule has five fields (minute hour day month weekday): {expression!r}")
        sets = [_parse_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
        matches = crontab(*parts, strict=True)
        minutes, hours, days, months, weekdays = sets
        return cls(" ".join(parts), minutes, hours, days, months, weekdays, matches)

    def is_due(self, moment: datetime) -> bool:
        """Whether the minute of ``moment`` (aware) is on the schedule, in local time."""
        return bool(self.matches(timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)))

    def next_after(self, moment: datetime) -> datetime | None:
        """The first scheduled minute after ``moment`` (aware), in local time; None if
        there is none within 30 years (an impossible date such as 31 February)."""
        tz = timezone.get_default_timezone()
        start = timezone.localtime(moment, tz).replace(second=0, microsecond=0, tzinfo=None) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(_HORIZON_DAYS):
            weekday = (day.weekday() + 1) % 7
            if day.month in self.months and day.day in self.days and weekday in self.weekdays:
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return timezone.make_aware(candidate, tz)
            day += timedelta(days=1)
        return None


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: Cron
    description: Any  # str or a lazy translation, shown in the reader's language
    task: Task[..., Any]

    def is_due_utc(self, timestamp: datetime) -> bool:
        """huey's scheduler passes naive UTC timestamps."""
        return self.cron.is_due(timestamp.replace(tzinfo=UTC))


_jobs: dict[str, PeriodicJob] = {}
_listeners: list[Callable[[PeriodicJob], None]] = []
_lock = threading.Lock()


def periodic(cron: str, *, name: str | None = None, description: Any = "") -> Callable[[Task[_P, _R]], Task[_P, _R]]:
    """Run the decorated Django task on a cron schedule (see the module docstring).
    Put it above ``@task``; the task is returned unchanged and can still be enqueued
    by hand. ``name`` defaults to the task's module path."""
    try:
        schedule = Cron.parse(cron)
    except ValueError as exc:
        raise ImproperlyConfigured(f"@periodic({cron!r}): {exc}") from None

    def decorator(task: Task[_P, _R]) -> Task[_P, _R]:
        if not isinstance(task, Task):
            raise ImproperlyConfigured("@periodic decorates a django.tasks task: put it above @task.")
        required = [
            p.name
            for p in inspect.signature(task.func).parameters.values()
            if p.default is p.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            and not (task.takes_context and p.name == "context")
        ]
        if required:
            raise ImproperlyConfigured(f"Periodic task {task.module_path} must not need arguments: {required}")
        _register(PeriodicJob(name=name or task.module_path, cron=schedule, description=description, task=task))
        return task

    return decorator


def _register(job: PeriodicJob) -> None:
    with _lock:
        known = _jobs.get(job.name)
        if known is not None and known.task.module_path != job.task.module_path:
            raise ImproperlyConfigured(
                f"Two periodic jobs are named {job.name!r}: {known.task.module_path} and {job.task.module_path}"
            )
        _jobs[job.name] = job
        listeners = list(_listeners)
    for listener in listeners:
        listener(job)


def on_register(listener: Callable[[PeriodicJob], None]) -> None:
    """Call ``listener`` for every job registered from now on (huey instances that
    already exist learn about late jobs this way)."""
    with _lock:
        _listeners.append(listener)


def periodic_jobs() -> list[PeriodicJob]:
    with _lock:
        return sorted(_jobs.values(), key=lambda job: job.name)


def get_job(name: str) -> PeriodicJob | None:
    with _lock:
        return _jobs.get(name)
