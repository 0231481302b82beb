"""Mailboxes, the raw mail they received, and the mail that leaves through them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.appeals.choices import Priority
from okno.channels.mail.choices import (
    InboundOutcome,
    InboundState,
    MailboxState,
    OutboundKind,
    OutboundState,
    ProcessedAction,
    Security,
)


class AcknowledgementTemplate(models.Model):
    """What a client gets when their mail is registered, in Russian and English.

    Django template syntax over ``number``, ``subject``, ``due_date``, ``client_name``,
    ``mailbox_name`` and ``organisation``; plain text (nothing is HTML-escaped)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    subject_ru = models.CharField(_("subject (Russian)"), max_length=300)
    body_ru = models.TextField(_("text (Russian)"))
    subject_en = models.CharField(_("subject (English)"), max_length=300)
    body_en = models.TextField(_("text (English)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("acknowledgement template")
        verbose_name_plural = _("acknowledgement templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Mailbox(models.Model):
    """One mailbox Okno reads (IMAP) and answers from (SMTP), with its own logic:
    where its appeals go, what they are, and how clients are acknowledged.

    Passwords are stored encrypted (``okno.core.secrets``) and never shown back."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    address = models.EmailField(_("address"), max_length=320, help_text=_("The address clients write to."))
    is_active = models.BooleanField(_("active"), default=True)

    imap_host = models.CharField(_("IMAP server"), max_length=255)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(_("IMAP security"), max_length=10, choices=Security.choices, default=Security.SSL)
    imap_username = models.CharField(_("IMAP login"), max_length=320)
    imap_password = models.TextField(_("IMAP password (encrypted)"), blank=True, editable=False)
    imap_folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    processed_action = models.CharField(
        _("processed mail"), max_length=10, choices=ProcessedAction.choices, default=ProcessedAction.SEEN
    )
    processed_folder = models.CharField(_("move processed mail to"), max_length=255, blank=True)
    verify_tls = models.BooleanField(_("verify the server's certificate"), default=True)

    smtp_host = models.CharField(_("SMTP server"), max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=465)
    smtp_security = models.CharField(_("SMTP security"), max_length=10, choices=Security.choices, default=Security.SSL)
    smtp_username = models.CharField(_("SMTP login"), max_length=320, blank=True)
    smtp_password = models.TextField(_("SMTP password (encrypted)"), blank=True, editable=False)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)

    queue = models.ForeignKey(
        "queues.Queue", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("queue")
    )
    kind = models.ForeignKey(
        "appeals.Kind", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kind")
    )
    category = models.ForeignKey(
        "appeals.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    acknowledge = models.BooleanField(_("acknowledge new appeals"), default=True)
    acknowledgement_template = models.ForeignKey(
        AcknowledgementTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledgement template"),
    )
    reopen_days = models.PositiveIntegerField(
        _("reopen closed appeals within (days)"),
        default=30,
        help_text=_("A reply to an appeal closed longer ago opens a new appeal linked to it."),
    )
    sender_limit_per_hour = models.PositiveIntegerField(
        _("mails per sender per hour"),
        default=30,
        help_text=_("Mail beyond this from one sender is quarantined: it stops mail loops."),
    )

    # Where the listener is: UIDVALIDITY and the last UID stored, and its state.
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    state = models.CharField(
        _("state"), max_length=12, choices=MailboxState.choices, default=MailboxState.STOPPED, editable=False
    )
    state_detail = models.TextField(_("detail"), blank=True, editable=False)
    state_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_received_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InboundMail(models.Model):
    """One received mail, stored as received before anything can fail.

    Unique per (mailbox, UIDVALIDITY, UID) and by ``message_key`` (the Message-ID
    and what the sender wrote), so the same mail fetched twice, delivered to two
    mailboxes or imported again is kept once. Processing claims ``pending`` rows and
    marks them done in the same transaction as the appeal it makes."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, null=True, blank=True, related_name="inbound")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    message_key = models.CharField(max_length=64, unique=True)
    mail_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("File name for imported mail."))
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    state = models.CharField(_("state"), max_length=12, choices=InboundState.choices, default=InboundState.PENDING)
    outcome = models.CharField(_("outcome"), max_length=12, choices=InboundOutcome.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("appeal")
    )
    message = models.ForeignKey("appeals.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("received mail")
        verbose_name_plural = _("received mail")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"],
                condition=Q(uid__isnull=False),
                name="inbound_mail_uid_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["state", "id"], name="inbound_state_idx"),
            models.Index(fields=["sender", "received_at"], name="inbound_sender_idx"),
            models.Index(fields=["mailbox", "outcome"], name="inbound_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class OutboundMail(models.Model):
    """A mail leaving through a mailbox: a reply, an acknowledgement, a notice.

    The outbox: rows wait ``queued`` until the sender takes them; a temporary
    failure puts them back with a later ``next_attempt_at``; nothing is lost while
    the SMTP server is down. ``mail_id`` (its Message-ID) is fixed when the row is made, so a
    resend after a crash is the same mail to the client's program."""

    message = models.OneToOneField("appeals.Message", on_delete=models.CASCADE, related_name="outbound_mail")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, null=True, blank=True, related_name="outbound")
    kind = models.CharField(_("kind"), max_length=16, choices=OutboundKind.choices, default=OutboundKind.REPLY)
    mail_id = models.CharField(_("Message-ID"), max_length=998, unique=True)
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=998)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    state = models.CharField(_("state"), max_length=12, choices=OutboundState.choices, default=OutboundState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The process sending it ("host:pid"), so a row left "sending" by a process that
    # died is taken back at once on that host, not only after a long timeout.
    claimed_by = models.CharField(max_length=300, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    bounce = models.ForeignKey(
        InboundMail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("bounce")
    )

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbound_due_idx")]

    def __str__(self) -> str:
        return f"#{self.pk}"
