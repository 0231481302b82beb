"""Choices of the mail channel."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Security(models.TextChoices):
    SSL = "ssl", _("TLS from the start (implicit)")
    STARTTLS = "starttls", _("STARTTLS")
    PLAIN = "plain", _("None (loopback only)")


class ProcessedAction(models.TextChoices):
    SEEN = "seen", _("Mark as read")
    MOVE = "move", _("Move to a folder")


class MailboxState(models.TextChoices):
    STOPPED = "stopped", _("Not running")
    CONNECTING = "connecting", _("Connecting")
    IDLE = "idle", _("Connected, waiting for mail")
    FETCHING = "fetching", _("Receiving")
    ERROR = "error", _("Error")


class InboundState(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    DONE = "done", _("Processed")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundOutcome(models.TextChoices):
    APPEAL = "appeal", _("New appeal")
    THREADED = "threaded", _("Added to an appeal")
    BOUNCE = "bounce", _("Delivery report")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    OWN = "own", _("Sent by Okno itself")
    QUARANTINED = "quarantined", _("Quarantined")


class OutboundKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    ACKNOWLEDGEMENT = "ack", _("Acknowledgement")


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNDELIVERED = "undelivered", _("Undelivered (bounced)")
