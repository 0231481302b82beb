"""Working-day calendars and the days an administrator has corrected.

A calendar's day is decided by its overrides (:class:`CalendarDay`) first, then by
its base (the Russian official calendar from ``holidays``, or plain weekends). The
arithmetic lives in :mod:`okno.deadlines.calendar`; these rows only describe it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from okno.core.models import Named
from okno.deadlines.choices import CalendarBase, DayKind


def validate_time_zone(value: str) -> None:
    """Accept IANA names only (``Europe/Moscow``), so deadlines never fall back to UTC."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}) from None


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


class Calendar(Named):
    """Which days are working days and the hours of each, in one time zone."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )
    base = models.CharField(_("base calendar"), max_length=8, choices=CalendarBase.choices, default=CalendarBase.RU)
    day_start = models.TimeField(_("working day starts"), default=dt.time(9, 0))
    day_end = models.TimeField(_("working day ends"), default=dt.time(18, 0))
    lunch_start = models.TimeField(_("lunch break starts"), null=True, blank=True)
    lunch_end = models.TimeField(_("lunch break ends"), null=True, blank=True)
    short_day_minutes = models.PositiveSmallIntegerField(_("pre-holiday day is shorter by (minutes)"), default=60)
    is_default = models.BooleanField(_("default calendar"), default=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="deadlines_calendar_one_default",
            ),
            models.CheckConstraint(
                condition=Q(day_end__gt=F("day_start")),
                name="deadlines_calendar_day_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(lunch_start__isnull=True, lunch_end__isnull=True)
                | Q(
                    lunch_start__gt=F("day_start"),
                    lunch_end__gt=F("lunch_start"),
                    lunch_end__lt=F("day_end"),
                ),
                name="deadlines_calendar_lunch_inside_day",
            ),
        ]

    def validate_constraints(self, exclude: Any = None) -> None:
        # Making a calendar the default steps the old one down in the same transaction
        # (services.calendars); checking "one default" before that would refuse it.
        # The database still enforces it.
        exclude = set(exclude or ())
        exclude.add("is_default")
        super().validate_constraints(exclude=exclude)

    def clean(self) -> None:
        super().clean()
        if (self.lunch_start is None) != (self.lunch_end is None):
            raise ValidationError(_("Give both ends of the lunch break, or neither."))
        if self.day_start and self.day_end and self.day_end <= self.day_start:
            raise ValidationError(_("The working day must end after it starts."))
        if (
            self.lunch_start
            and self.lunch_end
            and not (self.day_start < self.lunch_start < self.lunch_end < self.day_end)
        ):
            raise ValidationError(_("The lunch break must lie inside the working day."))
        if self.day_start and self.day_end and self.short_day_minutes is not None:
            minutes = _minutes(self.day_end) - _minutes(self.day_start)
            if self.lunch_start and self.lunch_end:
                minutes -= _minutes(self.lunch_end) - _minutes(self.lunch_start)
            if self.short_day_minutes >= minutes:
                raise ValidationError({"short_day_minutes": _("A shortened day must still have some working time.")})


class CalendarDay(models.Model):
    """An administrator's (or an import's) word on one day of one calendar.

    It beats the base calendar. Only days that differ from the base need a row, but a
    row that agrees with it is harmless.
    """

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of day"), max_length=8, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("corrected day")
        verbose_name_plural = _("corrected days")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="deadlines_calendarday_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.calendar.code} {self.date.isoformat()} {self.get_kind_display()}"
