"""Enumerations of routing. Codes are stored; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentMode(models.TextChoices):
    MANUAL = "manual", _("Manual (a dispatcher assigns)")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class Arrival(models.TextChoices):
    """When an appeal arrived, for the rule condition on time of arrival."""

    WORKING_HOURS = "working", _("In working hours")
    OFF_HOURS = "off_hours", _("Out of working hours")
