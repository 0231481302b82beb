"""Enumerations of the appeal domain. Codes are stored; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    MAIL = "mail", _("E-mail")
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    MESSENGER = "messenger", _("Messenger")
    PAPER = "paper", _("Paper letter")
    IN_PERSON = "in_person", _("In person")


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_WORK = "in_work", _("In work")
    WAITING_CLIENT = "waiting_client", _("Waiting for client")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    MERGED = "merged", _("Merged")

    @classmethod
    def open_values(cls) -> list[str]:
        """Statuses in which the appeal still needs work from us or the client."""
        return [cls.NEW, cls.IN_WORK, cls.WAITING_CLIENT]

    @classmethod
    def final_values(cls) -> list[str]:
        return [cls.CLOSED, cls.CANCELLED, cls.MERGED]


# Moves ``change_status`` accepts. Closing, cancelling, merging and reopening have
# services of their own (they need an outcome, a reason or a target).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.IN_WORK, Status.WAITING_CLIENT, Status.ANSWERED}),
    Status.IN_WORK: frozenset({Status.WAITING_CLIENT, Status.ANSWERED}),
    Status.WAITING_CLIENT: frozenset({Status.IN_WORK, Status.ANSWERED}),
    Status.ANSWERED: frozenset({Status.IN_WORK, Status.WAITING_CLIENT}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.MERGED: frozenset(),
}


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")

    @property
    def rank(self) -> int:
        return PRIORITY_RANK[self.value]


PRIORITY_RANK: dict[str, int] = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.CRITICAL: 4}


class Outcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY_SATISFIED = "partly_satisfied", _("Partly satisfied")
    REFUSED = "refused", _("Refused")
    EXPLAINED = "explained", _("Explained")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    NOTE = "note", _("Internal note")


class ApprovalStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for rework")


class DeliveryStatus(models.TextChoices):
    NOT_APPLICABLE = "n/a", _("Not applicable")
    HELD = "held", _("Held")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Undelivered (bounced)")


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related")
    DUPLICATE = "duplicate", _("Duplicate")
    REPEAT = "repeat", _("Repeat appeal")


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    FIELD_CHANGED = "field_changed", _("Field changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    MESSAGE_RECEIVED = "message_received", _("Message received")
    REPLY_SENT = "reply_sent", _("Reply sent")
    REPLY_SUBMITTED = "reply_submitted", _("Reply submitted for approval")
    REPLY_APPROVED = "reply_approved", _("Reply approved")
    REPLY_RETURNED = "reply_returned", _("Reply returned")
    NOTE_ADDED = "note_added", _("Note added")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")
    MERGED_INTO = "merged_into", _("Merged into another appeal")
    MERGED_FROM = "merged_from", _("Another appeal merged in")
    LINKED = "linked", _("Linked")
    UNLINKED = "unlinked", _("Unlinked")
    SUBCASE_CREATED = "subcase_created", _("Sub-case created")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("Deadline recomputed")
    DEADLINE_PAUSED = "deadline_paused", _("Deadline paused")
    DEADLINE_RESUMED = "deadline_resumed", _("Deadline resumed")
    DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
    DEADLINE_BREACHED = "deadline_breached", _("Deadline breached")
    ACKNOWLEDGED = "acknowledged", _("Acknowledgement sent")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    ROUTED = "routed", _("Routed")
