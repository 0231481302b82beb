"""Enumerations of the deadline domain. Codes are stored; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TermUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")


class DayOffRule(models.TextChoices):
    """What happens to a term whose last day is not a working day."""

    NEXT = "next", _("Move to the next working day (Civil Code art. 193)")
    PREVIOUS = "previous", _("Move to the previous working day")
    NONE = "none", _("Do not move")


class CalendarBase(models.TextChoices):
    """Where a calendar's days come from before its overrides."""

    RU = "ru", _("Russian official calendar")
    NONE = "none", _("Weekends only")


class DayKind(models.TextChoices):
    WORKING = "working", _("Working day")
    SHORT = "short", _("Shortened working day")
    DAY_OFF = "day_off", _("Day off")


class ClockKind(models.TextChoices):
    """What a clock times."""

    REGISTRATION = "registration", _("Registration")
    FIRST_RESPONSE = "first_response", _("First response")
    ANSWER = "answer", _("Answer")
    STAGE = "stage", _("Stage")


class CountsFrom(models.TextChoices):
    RECEIVED = "received", _("Receipt")
    REGISTERED = "registered", _("Registration")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MET_LATE = "met_late", _("Met late")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


class AlarmKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    LAST_DAY = "last_day", _("Last working day")
    BREACH = "breach", _("Breach")


class Risk(models.TextChoices):
    """How an open deadline looks in lists."""

    OK = "ok", _("On track")
    DUE_TODAY = "due_today", _("Due today")
    AT_RISK = "at_risk", _("At risk")
    OVERDUE = "overdue", _("Overdue")
