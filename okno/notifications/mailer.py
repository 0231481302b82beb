"""Sending notifications by e-mail: one digest per person per run.

Each run claims up to ``limit`` rows whose e-mail is not yet decided (oldest first;
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the work; SQLite
takes its write lock for the claim), marks them "sending", and commits before
talking to the SMTP server: no transaction stays open while mail travels. Then,
per person, one message in their language lists their notifications.

Nothing is lost: a row whose message could not be sent goes back to pending with a
growing pause (1, 2, 4 … 60 minutes) and becomes "failed" after
``MAX_ATTEMPTS``; a row left "sending" by a worker that died is taken back after
``SENDING_TIMEOUT``. If the SMTP server cannot be reached at all, the run stops and
every claimed row waits for the next.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from okno.accounts.models import User
from okno.notifications import render
from okno.notifications.choices import EmailState, default_preference
from okno.notifications.models import Notification, NotificationPreference

logger = logging.getLogger("okno.notifications")

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
MAX_ATTEMPTS = 8
MAX_PAUSE = timedelta(hours=1)
SENDING_TIMEOUT = timedelta(minutes=15)
# Items listed in one digest; the rest are summed up with a link to the list.
DIGEST_ITEMS = 50


class SmtpUnreachable(Exception):
    """The server could not be reached: no point trying the other messages."""


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    messages: int = 0


def email_enabled() -> bool:
    """Off when the default mailer is SMTP without a host (EMAIL_HOST unset)."""
    config = getattr(settings, "MAILERS", {}).get("default", {})
    if config.get("BACKEND", SMTP_BACKEND) != SMTP_BACKEND:
        return True
    return bool((config.get("OPTIONS") or {}).get("host"))


def pause(attempts: int) -> timedelta:
    return min(MAX_PAUSE, timedelta(minutes=2 ** max(0, attempts - 1)))


def _take_back_stale(now: Any) -> None:
    """Rows a dead worker left "sending": pending again (one attempt spent)."""
    stale = Q(email_state=EmailState.SENDING, emailed_at__lt=now - SENDING_TIMEOUT)
    Notification.objects.filter(stale, email_attempts__gte=MAX_ATTEMPTS - 1).update(
        email_state=EmailState.FAILED, email_attempts=F("email_attempts") + 1, emailed_at=None
    )
    Notification.objects.filter(stale).update(
        email_state=EmailState.PENDING, email_attempts=F("email_attempts") + 1, emailed_at=None
    )


def _claim(limit: int, now: Any) -> list[int]:
    with transaction.atomic():
        _take_back_stale(now)
        due = Notification.objects.filter(email_state=EmailState.PENDING).filter(
            Q(email_retry_at__isnull=True) | Q(email_retry_at__lte=now)
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("created_at", "id").values_list("id", flat=True)[:limit])
        if ids:
            Notification.objects.filter(pk__in=ids).update(email_state=EmailState.SENDING, emailed_at=now)
    return ids


def language_of(user: User) -> str:
    """The language of what Okno mails ``user``: theirs if Okno speaks it, else the default."""
    code = user.language or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return str(settings.LANGUAGE_CODE)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def build_message(user: User, rows: list[Notification]) -> EmailMessage:
    """The digest for one person, in their language. It names appeals by number and
    links to them, but does not quote their subjects: mail leaves Okno's access
    checks, and a subject may carry a client's personal data."""
    with translation.override(language_of(user)):
        items = []
        for row in rows[:DIGEST_ITEMS]:
            shown = render.render(row)
            items.append(
                {
                    "title": shown.title,
                    "text": shown.text,
                    "number": shown.appeal_number,
                    "url": _absolute(shown.url) if shown.url else "",
                }
            )
        if len(rows) == 1:
            first = items[0]
            subject = _("%(title)s: appeal %(number)s") % first if first["number"] else str(first["title"])
        else:
            subject = ngettext(
                "%(count)d new notification in Okno", "%(count)d new notifications in Okno", len(rows)
            ) % {"count": len(rows)}
        body = render_to_string(
            "notifications/email.txt",
            {
                "user": user,
                "items": items,
                "more": max(0, len(rows) - DIGEST_ITEMS),
                "list_url": _absolute(reverse("notifications:list")),
                "settings_url": _absolute(reverse("notifications:settings")),
            },
        )
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )


def _send_all(batches: list[tuple[User, list[Notification]]], outcome: Outcome) -> None:
    mailer = None
    try:
        for index, (user, rows) in enumerate(batches):
            ids = [row.pk for row in rows]
            message = build_message(user, rows)
            try:
                if mailer is None:
                    mailer = mailers.default
                    try:
                        mailer.open()
                    except (OSError, smtplib.SMTPException) as exc:
                        raise SmtpUnreachable(type(exc).__name__) from exc
                mailer.send_messages([message])
            except SmtpUnreachable as exc:
                logger.warning("e-mail server unreachable (%s); %d notifications wait", exc, len(batches) - index)
                for _user, waiting in batches[index:]:
                    outcome.retry.extend(row.pk for row in waiting)
                return
            except (OSError, smtplib.SMTPException) as exc:
                # This message failed (refused recipient, dropped connection): retry it
                # later, go on with a fresh connection.
                logger.warning("notification e-mail not sent: %s", type(exc).__name__)
                outcome.retry.extend(ids)
                _close(mailer)
                mailer = None
                continue
            outcome.sent.extend(ids)
            outcome.messages += 1
    finally:
        _close(mailer)


def _close(mailer: Any) -> None:
    if mailer is None:
        return
    try:
        mailer.close()
    except (OSError, smtplib.SMTPException):
        logger.info("e-mail connection did not close cleanly")


def _record(outcome: Outcome, now: Any) -> int:
    """Write what happened; returns how many rows failed for good."""
    failed = 0
    with transaction.atomic():
        if outcome.sent:
            Notification.objects.filter(pk__in=outcome.sent).update(email_state=EmailState.SENT, emailed_at=now)
        if outcome.skipped:
            Notification.objects.filter(pk__in=outcome.skipped).update(email_state=EmailState.SKIPPED, emailed_at=None)
        if outcome.retry:
            by_attempts: dict[int, list[int]] = defaultdict(list)
            for pk, attempts in Notification.objects.filter(pk__in=outcome.retry).values_list("pk", "email_attempts"):
                by_attempts[attempts + 1].append(pk)
            for attempts, ids in by_attempts.items():
                if attempts >= MAX_ATTEMPTS:
                    failed += len(ids)
                    Notification.objects.filter(pk__in=ids).update(
                        email_state=EmailState.FAILED, email_attempts=attempts, emailed_at=None
                    )
                else:
                    Notification.objects.filter(pk__in=ids).update(
                        email_state=EmailState.PENDING,
                        email_attempts=attempts,
                        email_retry_at=now + pause(attempts),
                        emailed_at=None,
                    )
    return failed


def send_pending_emails(limit: int = 500) -> dict[str, int]:
    """Claim, send and record one batch. Returns counts: ``claimed`` rows, ``emails``
    (digests sent), and rows ``sent``, ``skipped`` (no e-mail wanted, no address,
    e-mail off), ``retrying`` and ``failed`` (gave up)."""
    now = timezone.now()
    ids = _claim(max(1, limit), now)
    counts = {"claimed": len(ids), "emails": 0, "sent": 0, "skipped": 0, "retrying": 0, "failed": 0}
    if not ids:
        return counts
    rows = list(
        Notification.objects.filter(pk__in=ids)
        .select_related("user", "appeal")
        .only(
            "id",
            "kind",
            "params",
            "created_at",
            "read_at",
            "user_id",
            "appeal_id",
            "user__email",
            "user__language",
            "user__is_active",
            "user__first_name",
            "user__last_name",
            "user__patronymic",
            "user__username",
            "appeal__number",
            "appeal__queue_id",
            "appeal__assignee_id",
        )
        .order_by("user_id", "created_at", "id")
    )
    chosen = {
        (user_id, kind): by_email
        for user_id, kind, by_email in NotificationPreference.objects.filter(
            user_id__in={row.user_id for row in rows}
        ).values_list("user_id", "kind", "by_email")
    }
    outcome = Outcome()
    enabled = email_enabled()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        # Decided now, not when the row was made: someone may have switched e-mail
        # off (or lost their address) in between.
        wants = chosen.get((row.user_id, row.kind), default_preference(row.kind)[1])
        if not (enabled and wants and row.user.is_active and row.user.email):
            outcome.skipped.append(row.pk)
        else:
            by_user[row.user_id].append(row)
    _send_all([(rows_[0].user, rows_) for rows_ in by_user.values()], outcome)
    counts["failed"] = _record(outcome, now)
    counts.update(
        emails=outcome.messages,
        sent=len(outcome.sent),
        skipped=len(outcome.skipped),
        retrying=len(outcome.retry) - counts["failed"],
    )
    if counts["emails"] or counts["failed"]:
        logger.info(
            "notification e-mails: %d sent (%d notifications), %d skipped, %d retrying, %d failed",
            counts["emails"],
            counts["sent"],
            counts["skipped"],
            counts["retrying"],
            counts["failed"],
        )
    return counts
