from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    SPECIALIST = "specialist", _("Specialist")
    SUPERVISOR = "supervisor", _("Supervisor")
    COMPLIANCE = "compliance", _("Compliance officer")
    ADMIN = "admin", _("Administrator")
