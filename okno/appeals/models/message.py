"""Messages on an appeal (inbound, outbound, internal notes) and their files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.appeals.choices import ApprovalStatus, Channel, DeliveryStatus, Direction


class Message(models.Model):
    """One message in an appeal's thread.

    An outbound reply that needs approval waits with ``approval_status=pending``
    and ``delivery_status=held`` until a supervisor approves it.
    """

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client author"),
    )
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    # What a mail quoted from earlier correspondence, cut from ``body_text`` for the
    # timeline and kept here so the whole text can still be read.
    quoted_text = models.TextField(_("quoted text"), blank=True)
    body_html = models.TextField(_("sanitised HTML"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    approval_status = models.CharField(
        _("approval"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.NOT_REQUIRED
    )
    approval_comment = models.TextField(_("approver's comment"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Where the appeal goes once this reply is out (it may wait for approval first).
    status_after = models.CharField(max_length=20, blank=True)
    delivery_status = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_APPLICABLE
    )
    # The channel's own id (an e-mail Message-ID, a messenger message id), for threading.
    external_id = models.CharField(max_length=500, blank=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["appeal", "created_at"], name="message_appeal_idx"),
            models.Index(fields=["approval_status"], name="message_approval_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} #{self.pk}"

    @property
    def is_reply(self) -> bool:
        return self.direction == Direction.OUTBOUND


def attachment_path(instance: Attachment, filename: str) -> str:
    # Content-addressed: the same file uploaded twice is stored once, and the
    # name on disk never carries the client's file name.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256[2:4]}/{instance.sha256}"


class Attachment(models.Model):
    """A file on an appeal. Stored outside the web root under its SHA-256 and
    served only by the view that checks who may see the appeal."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename
