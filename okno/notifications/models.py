"""Notifications and each person's choice of how to receive them.

Rows are also written set-based by other apps (the deadline sweep inserts with
``INSERT … SELECT``), so every column they need not think about has a database
default: see ``services.insert_selected`` and the table described there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.notifications.choices import EmailState, NotificationKind


class Notification(models.Model):
    """One thing one person should know about. The text is not stored: it is
    rendered from ``kind``, ``params`` and the appeal when shown, in the reader's
    language (``okno.notifications.render``). ``params`` holds no personal data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("appeal")
    )
    params = models.JSONField(_("parameters"), default=dict, db_default={}, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_default=Now())
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # E-mail: '' until the mailer decides; then sent / skipped / failed. While a
    # mailer holds the row it is "sending" and emailed_at says since when.
    email_state = models.CharField(
        _("e-mail"), max_length=10, choices=EmailState.choices, default=EmailState.PENDING, db_default="", blank=True
    )
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0, db_default=0)
    email_retry_at = models.DateTimeField(_("next e-mail attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell: a person's unread count and latest rows.
            models.Index(fields=["user", "read_at", "created_at"], name="notification_bell_idx"),
            # The full list, newest first, with a keyset cursor.
            models.Index(fields=["user", "created_at", "id"], name="notification_list_idx"),
            # The mailer: the few rows not yet decided, oldest first.
            models.Index(fields=["created_at"], condition=Q(email_state=""), name="notification_mail_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(email_state__in=EmailState.values), name="notification_email_state"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one person wants one kind of notification. No row: the defaults
    (in the app always; by e-mail for missed deadlines, see ``choices.DEFAULT_BY_EMAIL``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    by_email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="uniq_notification_preference")]

    def __str__(self) -> str:
        return f"{self.user_id} / {self.kind}"
