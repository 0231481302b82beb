"""Enumerations of agents' work. Codes are stored; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgentStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    BREAK = "break", _("Break")
    # Asks a supervisor for help; takes no new appeals meanwhile.
    CONSULTATION = "consultation", _("Consultation")
    MAIL = "mail", _("Working on mail")
    CHATS = "chats", _("Working on chats")
    OFFLINE = "offline", _("Offline")
