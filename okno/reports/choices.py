"""Enumerations of the reports domain. Codes are stored; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportCode(models.TextChoices):
    VOLUMES = "volumes", _("Volumes")
    OUTCOMES = "outcomes", _("Outcomes by category")
    TIMELINESS = "timeliness", _("On time and late by deadline regime")
    OVERDUE = "overdue", _("Current and overdue appeals")
    AGENTS = "agents", _("Agents and queues")
    REPEATS = "repeats", _("Repeat appeals")


class Schedule(models.TextChoices):
    OFF = "off", _("Not mailed")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
