"""The outbox: mail leaving through a mailbox, never lost while SMTP is down.

A reply (or acknowledgement) becomes an ``OutboundMail`` row in the transaction
that made it; the send task takes due rows after the commit. A temporary failure
(server down, 4xx) puts the row back with a growing delay; a permanent one (5xx)
or two days of trying marks it failed, with an event on the appeal. The Message-ID
is fixed with the row, so if a crash leaves it unclear whether the server took a
mail, the resend is the same mail to the client's program.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.appeals.choices import Channel, DeliveryStatus, Direction, EventKind
from okno.appeals.models import Appeal, Event, Message
from okno.appeals.services import events
from okno.appeals.services.actors import SystemActor
from okno.channels.mail import parsing
from okno.channels.mail.choices import InboundOutcome, OutboundKind, OutboundState
from okno.channels.mail.models import InboundMail, Mailbox, OutboundMail
from okno.channels.mail.services.threading import with_token
from okno.core import fastsql
from okno.core.errors import InvalidInput
from okno.lib.sentence import fill

log = logging.getLogger(__name__)

ACTOR = SystemActor("mail")
# Delays before the 2nd, 3rd, … attempt; after the last, the mail has failed.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
]
# A row left "sending" this long was abandoned by a worker that died mid-send.
STALE_SENDING = timedelta(minutes=10)


def new_mail_id(mailbox: Mailbox | None) -> str:
    domain = mailbox.address.rpartition("@")[2] if mailbox is not None and "@" in mailbox.address else "okno.invalid"
    return f"{uuid.uuid4().hex}@{domain}"


def reply_address(mail: parsing.ParsedMail) -> str:
    """Where an answer to ``mail`` goes: its Reply-To, else its sender."""
    for address in [*mail.reply_to, mail.sender]:
        if address is not None and "@" in address.address:
            return address.address
    return ""


@dataclass
class Letter:
    """A mail Okno writes itself (an acknowledgement), to be queued."""

    appeal: Appeal
    mailbox: Mailbox
    kind: str
    recipients: list[str]
    subject: str
    body_text: str
    in_reply_to: str = ""
    references: Sequence[str] = ()


def queue_letters(letters: Sequence[Letter]) -> None:
    """Queue mails Okno writes itself, inside the caller's transaction: each one's
    message on its appeal's timeline, outbox row and event, a table at a time.
    The caller has them sent (:func:`kick`) once its transaction is done."""
    if not letters:
        return
    now = timezone.now()
    messages = []
    rows = []
    for letter in letters:
        mail_id = new_mail_id(letter.mailbox)
        subject = with_token(letter.subject, letter.appeal.number)
        messages.append(
            Message(
                appeal=letter.appeal,
                direction=Direction.OUTBOUND,
                channel=Channel.MAIL,
                subject=subject[:500],
                body_text=letter.body_text,
                created_at=now,
                delivery_status=DeliveryStatus.QUEUED,
                external_id=mail_id,
            )
        )
        rows.append(
            OutboundMail(
                mailbox=letter.mailbox,
                kind=letter.kind,
                mail_id=mail_id,
                recipients=letter.recipients,
                subject=subject,
                in_reply_to=letter.in_reply_to,
                references=" ".join(r for r in dict.fromkeys(letter.references) if r)[-4000:],
                created_at=now,
                next_attempt_at=now,
            )
        )
    fastsql.insert_many(messages, returning=True)
    for message, row in zip(messages, rows, strict=True):
        row.message = message
    fastsql.insert_many(rows)
    fastsql.insert_many(
        [
            Event(
                **events.values(
                    letter.appeal,
                    EventKind.ACKNOWLEDGED if letter.kind == OutboundKind.ACKNOWLEDGEMENT else EventKind.REPLY_SENT,
                    ACTOR,
                    message=message,
                    at=now,
                )
            )
            for letter, message in zip(letters, messages, strict=True)
        ]
    )


def kick() -> None:
    """Have the outbox sent after the commit (a task; its record is written now)."""
    from okno.channels.mail.tasks import send_outbox

    send_outbox.enqueue()


def _mailbox_of(appeal: Appeal) -> Mailbox | None:
    """The mailbox the appeal's mail came through, else the first that can send."""
    row = (
        InboundMail.objects.filter(appeal=appeal, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("-id")
        .first()
    )
    if row is not None and row.mailbox is not None and row.mailbox.smtp_host:
        return row.mailbox
    return Mailbox.objects.filter(is_active=True).exclude(smtp_host="").order_by("id").first()


def _thread_of(appeal: Appeal) -> tuple[str, list[str], str]:
    """In-Reply-To, References and the client's address for a reply on ``appeal``."""
    ids = list(
        Message.objects.filter(appeal=appeal, channel=Channel.MAIL)
        .exclude(external_id="")
        .order_by("created_at", "id")
        .values_list("external_id", "direction")
    )
    inbound = [i for i, direction in ids if direction == Direction.INBOUND]
    address = ""
    last = (
        InboundMail.objects.filter(appeal=appeal, outcome__in=[InboundOutcome.APPEAL, InboundOutcome.THREADED])
        .order_by("-id")
        .first()
    )
    if last is not None:
        try:
            address = reply_address(parsing.parse(bytes(last.raw)))
        except parsing.UnparseableMail:
            address = last.sender
    if not address and appeal.client is not None:
        contact = appeal.client.contacts.filter(kind="email").order_by("-is_primary", "id").first()
        address = contact.value if contact is not None else ""
    return (inbound[-1] if inbound else ""), [i for i, _d in ids][-20:], address


def queue_reply(message: Message) -> None:
    """The mail channel's sender (``okno.appeals.delivery``): a released reply gets
    its outbox row inside the releasing transaction."""
    appeal = message.appeal
    mailbox = _mailbox_of(appeal)
    in_reply_to, references, address = _thread_of(appeal)
    if mailbox is None or not address:
        message.delivery_status = DeliveryStatus.FAILED
        message.save(update_fields=["delivery_status"])
        reason = _("no mailbox can send mail") if mailbox is None else _("the client has no e-mail address")
        events.record(appeal, EventKind.DELIVERY_FAILED, ACTOR, message=message, comment=reason)
        return
    mail_id = new_mail_id(mailbox)
    subject = with_token(_reply_subject(appeal), appeal.number)
    message.delivery_status = DeliveryStatus.QUEUED
    message.external_id = mail_id
    if not message.subject:
        message.subject = subject[:500]
    message.save(update_fields=["delivery_status", "external_id", "subject"])
    OutboundMail.objects.create(
        message=message,
        mailbox=mailbox,
        kind=OutboundKind.REPLY,
        mail_id=mail_id,
        recipients=[address],
        subject=subject,
        in_reply_to=in_reply_to,
        references=" ".join(references),
    )
    kick()


def _reply_subject(appeal: Appeal) -> str:
    subject = appeal.subject
    return subject if subject.lower().startswith(("re:", "ответ:")) else f"Re: {subject}"


def build(outbound: OutboundMail) -> bytes:
    """The mail as it goes on the wire."""
    message = outbound.message
    mailbox = outbound.mailbox
    mail = EmailMessage()
    sender = mailbox.address if mailbox is not None else "okno@okno.invalid"
    mail["From"] = formataddr((mailbox.from_name, sender)) if mailbox is not None and mailbox.from_name else sender
    mail["To"] = ", ".join(outbound.recipients)
    mail["Subject"] = outbound.subject
    mail["Date"] = format_datetime(timezone.localtime(outbound.created_at))
    mail["Message-ID"] = f"<{outbound.mail_id}>"
    if outbound.in_reply_to:
        mail["In-Reply-To"] = f"<{outbound.in_reply_to}>"
    if outbound.references:
        mail["References"] = " ".join(f"<{r}>" for r in outbound.references.split())
    if outbound.kind == OutboundKind.ACKNOWLEDGEMENT:
        # RFC 3834: an automatic answer; vacation responders must not answer it back.
        mail["Auto-Submitted"] = "auto-replied"
        mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(message.body_text or "", charset="utf-8")
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html", charset="utf-8")
    for attachment in message.attachments.all():
        with default_storage.open(attachment.file.name or "", "rb") as stream:
            data = stream.read()
        maintype, _slash, subtype = (attachment.content_type or "application/octet-stream").partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename)
    return mail.as_bytes()


def _claim_token() -> str:
    """Who claims a batch: host and process (to tell whether it died), and a nonce
    that tells this claim's rows from the same process's earlier ones."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _alive(claimed_by: str) -> bool:
    host, _colon, rest = claimed_by.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdecimal():
        return True  # another machine's: only the timeout can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned() -> int:
    """Put back rows left "sending" by a process that died mid-send: at once when it
    ran on this machine, after ``STALE_SENDING`` when it ran elsewhere. Such a mail
    may or may not have reached the server; it goes again with the same Message-ID."""
    now = timezone.now()
    stuck = list(
        OutboundMail.objects.filter(state=OutboundState.SENDING).values_list("id", "claimed_by", "next_attempt_at")
    )
    dead: dict[str, list[int]] = {}
    for pk, owner, since in stuck:
        if since <= now - STALE_SENDING or not _alive(owner):
            dead.setdefault(owner, []).append(pk)
    # Only rows still held by the claim found dead: a row another sender recovered
    # and claimed meanwhile is that sender's now, and must not be sent twice.
    return sum(
        OutboundMail.objects.filter(id__in=ids, claimed_by=owner, state=OutboundState.SENDING).update(
            state=OutboundState.QUEUED, claimed_by=""
        )
        for owner, ids in dead.items()
    )


def _claim_due(limit: int) -> list[OutboundMail]:
    now = timezone.now()
    recover_abandoned()
    token = _claim_token()
    ids = list(
        OutboundMail.objects.filter(state=OutboundState.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    # One statement claims the batch; the state check in it is the lock, so a row
    # another worker took meanwhile keeps its owner and is not in this claim.
    OutboundMail.objects.filter(id__in=ids, state=OutboundState.QUEUED).update(
        state=OutboundState.SENDING, next_attempt_at=now, claimed_by=token
    )
    return list(
        OutboundMail.objects.filter(id__in=ids, claimed_by=token).select_related("message", "mailbox").order_by("id")
    )


def send_due(*, limit: int = 200) -> int:
    """Send what is due, a connection per mailbox; returns how many were accepted."""
    from okno.channels.mail.services.mailboxes import smtp_settings
    from okno.channels.mail.transport.smtp import SendError, SmtpSession

    sent = 0
    while True:
        rows = _claim_due(limit)
        if not rows:
            return sent
        by_mailbox: dict[int | None, list[OutboundMail]] = {}
        for row in rows:
            by_mailbox.setdefault(row.mailbox_id, []).append(row)
        for group in by_mailbox.values():
            mailbox = group[0].mailbox
            try:
                settings_ = smtp_settings(mailbox) if mailbox is not None else None
            except InvalidInput as exc:  # a password this installation cannot decrypt: fix, then it goes
                for row in group:
                    _failed(row, exc.message, temporary=True)
                continue
            if settings_ is None or mailbox is None:
                for row in group:
                    _failed(row, _("The mailbox has no SMTP server to send from."), temporary=False)
                continue
            try:
                with SmtpSession(settings_) as session:
                    for row in group:
                        try:
                            session.send(mailbox.address, row.recipients, build(row))
                        except SendError as exc:
                            _failed(row, exc.message, temporary=exc.temporary)
                            if exc.temporary:
                                raise
                        else:
                            _sent(row)
                            sent += 1
            except SendError as exc:
                for row in group:
                    row.refresh_from_db(fields=["state"])
                    if row.state == OutboundState.SENDING:
                        _failed(row, exc.message, temporary=exc.temporary)
        if len(rows) < limit:
            return sent


def _sent(row: OutboundMail) -> None:
    now = timezone.now()
    with transaction.atomic():
        OutboundMail.objects.filter(pk=row.pk).update(state=OutboundState.SENT, sent_at=now, last_error="")
        Message.objects.filter(pk=row.message_id).update(delivery_status=DeliveryStatus.SENT, sent_at=now)


def _failed(row: OutboundMail, error: str, *, temporary: bool) -> None:
    attempts = row.attempts + 1
    with transaction.atomic():
        if temporary and attempts <= len(RETRY_DELAYS):
            OutboundMail.objects.filter(pk=row.pk).update(
                state=OutboundState.QUEUED,
                attempts=attempts,
                last_error=error[:2000],
                next_attempt_at=timezone.now() + RETRY_DELAYS[attempts - 1],
            )
            return
        OutboundMail.objects.filter(pk=row.pk).update(
            state=OutboundState.FAILED, attempts=attempts, last_error=error[:2000]
        )
        Message.objects.filter(pk=row.message_id).update(delivery_status=DeliveryStatus.FAILED)
        appeal = Appeal.objects.get(pk=row.message.appeal_id)
        events.record(appeal, EventKind.DELIVERY_FAILED, ACTOR, message=row.message, comment=error[:500])
        from okno.appeals.services import notify

        notify.appeal_changed(appeal)


def retry(outbound: OutboundMail) -> None:
    """Send a failed mail again (an agent fixed the address, the server is back)."""
    OutboundMail.objects.filter(pk=outbound.pk).filter(
        Q(state=OutboundState.FAILED) | Q(state=OutboundState.QUEUED)
    ).update(state=OutboundState.QUEUED, next_attempt_at=timezone.now())
    Message.objects.filter(pk=outbound.message_id).update(delivery_status=DeliveryStatus.QUEUED)
    kick()


def record_bounce(bounce: parsing.BounceReport, row: InboundMail) -> tuple[str, Appeal | None]:
    """Attach a delivery report to the mail it reports on; a failure marks that mail
    undelivered, with an event on its appeal. Returns what was done, and the appeal."""
    outbound = (
        OutboundMail.objects.filter(mail_id=bounce.original_message_id).select_related("message").first()
        if bounce.original_message_id
        else None
    )
    if outbound is None:
        return _("A delivery report about a mail Okno did not send (or could not identify)."), None
    appeal = Appeal.objects.get(pk=outbound.message.appeal_id)
    if not bounce.is_failure:
        return fill(_("Delivery report: %(action)s."), {"action": bounce.action or "?"}), appeal
    OutboundMail.objects.filter(pk=outbound.pk).update(
        state=OutboundState.UNDELIVERED, bounce=row, last_error=(bounce.diagnostic or bounce.status)[:2000]
    )
    Message.objects.filter(pk=outbound.message_id).update(delivery_status=DeliveryStatus.BOUNCED)
    comment = fill(
        _("Not delivered to %(to)s: %(why)s"),
        {
            "to": ", ".join(bounce.recipients) or ", ".join(outbound.recipients),
            "why": bounce.diagnostic or bounce.status,
        },
    )
    events.record(appeal, EventKind.DELIVERY_FAILED, ACTOR, message=outbound.message, comment=comment[:500])
    from okno.appeals.services import notify

    notify.appeal_changed(appeal)
    return comment, appeal
