from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notification is about. Preferences are kept per kind."""

    REMINDER = "deadline_reminder", _("Deadline approaching")
    BREACH = "deadline_breach", _("Deadline missed")
    ESCALATION = "deadline_escalation", _("Deadline missed in my queue")
    EXTENSION = "deadline_extended", _("Deadline extended")
    ASSIGNED = "appeal_assigned", _("Appeal assigned to me")
    CONSULTATION = "agent_consultation", _("An agent asks for help")


# Out of the box, e-mail only for what must not wait for someone to look at the
# bell: a missed deadline. Everything is shown in the app.
DEFAULT_BY_EMAIL = frozenset({NotificationKind.BREACH, NotificationKind.ESCALATION})


def default_preference(kind: str) -> tuple[bool, bool]:
    """``(in_app, by_email)`` for someone who has not chosen."""
    return True, kind in DEFAULT_BY_EMAIL


class EmailState(models.TextChoices):
    """Where a notification stands with e-mail. ``PENDING`` (empty) means "not yet
    decided": the mailer picks those rows up."""

    PENDING = "", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Failed")
