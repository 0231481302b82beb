"""Turning stored mail into appeals: parse, classify, thread or register, acknowledge.

Runs as a background task over ``pending`` rows, a batch at a time. Parsing (the
slow, fallible part) happens outside any transaction; each batch then takes its rows
in one transaction that re-checks they are still pending (a second worker, or a
retry after a crash, finds them done), and a row is marked done together with the
appeal or message it produced. A crash anywhere rolls the batch back to pending; it
is processed again later, never twice. A mail that cannot be processed is
quarantined with the reason, its raw bytes kept: never lost, never a crash.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.appeals.choices import Channel, Direction, EventKind, Status
from okno.appeals.models import Appeal, Message
from okno.appeals.services import events
from okno.appeals.services.actors import SystemActor
from okno.appeals.services.attachments import IncomingFile, check, check_and_save
from okno.appeals.services.messages import add_message
from okno.appeals.services.registration import (
    InboundContent,
    InvalidItem,
    Registration,
    register_appeal,
    register_appeals,
)
from okno.channels.mail import parsing
from okno.channels.mail.choices import InboundOutcome, InboundState
from okno.channels.mail.models import InboundMail, Mailbox
from okno.channels.mail.services import acknowledge, outbox, threading
from okno.clients import services as clients
from okno.clients.choices import ContactKind
from okno.clients.models import Client
from okno.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from okno.lib.sentence import fill

log = logging.getLogger(__name__)

ACTOR = SystemActor("mail")
BATCH = 200


@dataclass
class IntakeCounts:
    """What a run did, by outcome (the ``ingest`` summary line reads these)."""

    appeals: int = 0
    threaded: int = 0
    bounces: int = 0
    auto_replies: int = 0
    own: int = 0
    quarantined: int = 0
    errors: int = 0

    def add(self, outcome: str) -> None:
        name = {
            InboundOutcome.APPEAL: "appeals",
            InboundOutcome.THREADED: "threaded",
            InboundOutcome.BOUNCE: "bounces",
            InboundOutcome.AUTO_REPLY: "auto_replies",
            InboundOutcome.OWN: "own",
            InboundOutcome.QUARANTINED: "quarantined",
        }[InboundOutcome(outcome)]
        setattr(self, name, getattr(self, name) + 1)

    @property
    def total(self) -> int:
        return self.appeals + self.threaded + self.bounces + self.auto_replies + self.own + self.quarantined


@dataclass
class Prepared:
    """A stored mail read and judged outside the transaction."""

    row: InboundMail
    mail: parsing.ParsedMail | None = None
    problem: str = ""
    files: list[IncomingFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass
class Result:
    outcome: str
    appeal: Appeal | None = None
    message_id: int | None = None
    reason: str = ""
    acknowledged: bool = False


def process_pending(
    *, batch: int = BATCH, limit: int | None = None, progress: Callable[[int], None] | None = None
) -> IntakeCounts:
    """Process pending mail, oldest first, until none is left (or ``limit`` rows)."""
    counts = IntakeCounts()
    done = 0
    while limit is None or done < limit:
        ids = list(
            InboundMail.objects.filter(state=InboundState.PENDING)
            .order_by("id")
            .values_list("id", flat=True)[: min(batch, limit - done) if limit is not None else batch]
        )
        if not ids:
            break
        for outcome in process_batch(ids):
            counts.add(outcome)
        done += len(ids)
        if progress is not None:
            progress(len(ids))
    return counts


def process_batch(ids: Sequence[int]) -> list[str]:
    """Process these rows if they are still pending; returns the outcomes."""
    rows = _load(ids)
    prepared = [_prepare(row) for row in rows]
    with transaction.atomic():
        claimed = _claim([p.row.pk for p in prepared])
        items = [p for p in prepared if p.row.pk in claimed]
        results = _process(items)
        _finish_all([(item.row, results[item.row.pk]) for item in items])
        if any(r.acknowledged for r in results.values()):
            outbox.kick()
    return [results[item.row.pk].outcome for item in items]


def _load(ids: Sequence[int]) -> list[InboundMail]:
    rows = list(
        InboundMail.objects.filter(id__in=ids, state=InboundState.PENDING)
        .select_related("mailbox__queue", "mailbox__kind", "mailbox__category", "mailbox__acknowledgement_template")
        .order_by("id")
    )
    shared: dict[int, Mailbox] = {}
    for row in rows:
        if row.mailbox is not None:
            row.mailbox = shared.setdefault(row.mailbox.pk, row.mailbox)
    return rows


def _guarded(item: Prepared, step: Callable[[], Result]) -> Result:
    """Run one mail's step in a savepoint: whatever goes wrong quarantines that mail
    (with the reason), never the batch, never lost."""
    try:
        with transaction.atomic():
            return step()
    except Exception as exc:
        log.exception("mail %s could not be processed", item.row.pk)
        return Result(InboundOutcome.QUARANTINED, reason=_reason_of(exc))


def _process(items: list[Prepared]) -> dict[int, Result]:
    """Outcomes for a batch: the quick verdicts first, then the new appeals written
    together, then mail added to existing appeals one by one. If the batch path
    fails, every mail goes the one-by-one way, so one bad mail stays one."""
    results: dict[int, Result] = {}
    ours = _our_addresses()
    pending: list[Prepared] = []
    for item in items:
        verdict = _guarded(item, lambda item=item: _early(item, ours) or Result(""))  # type: ignore[misc]
        if verdict.outcome:
            results[item.row.pk] = verdict
        else:
            pending.append(item)
    results.update(_over_limit(pending))
    pending = [i for i in pending if i.row.pk not in results]
    try:
        with transaction.atomic():
            results.update(_batch(pending, ours))
    except Exception:
        log.exception("a batch of mail fell back to one-by-one processing")
        for item in pending:
            results[item.row.pk] = _guarded(item, lambda item=item: _apply(item, ours))  # type: ignore[misc]
    return results


def _early(item: Prepared, ours: set[str]) -> Result | None:
    """What needs no appeal: unreadable mail, our own, delivery reports, auto-replies."""
    if item.mail is None:
        return Result(InboundOutcome.QUARANTINED, reason=item.problem)
    mail = item.mail
    sender = mail.sender.address.lower() if mail.sender is not None else ""
    if sender and sender in ours:
        return Result(InboundOutcome.OWN, reason=_("Sent from one of Okno's own mailboxes."))
    if mail.bounce is not None:
        reason, appeal = outbox.record_bounce(mail.bounce, item.row)
        return Result(InboundOutcome.BOUNCE, appeal=appeal, reason=reason)
    if mail.auto_reply:
        return Result(InboundOutcome.AUTO_REPLY, reason=mail.auto_reply)
    return None


def _over_limit(items: list[Prepared]) -> dict[int, Result]:
    """Mail from a sender who already sent the mailbox's hourly limit: held, a
    possible mail loop (one query for the batch)."""
    limited = [i for i in items if i.row.mailbox is not None and i.row.mailbox.sender_limit_per_hour and i.row.sender]
    if not limited:
        return {}
    first = min(i.row.pk for i in limited)
    counts = Counter(
        dict(
            InboundMail.objects.filter(
                sender__in={i.row.sender for i in limited},
                received_at__gte=timezone.now() - timedelta(hours=1),
                id__lt=first,
            )
            .values_list("sender")
            .annotate(n=Count("id"))
            .values_list("sender", "n")
        )
    )
    held = {}
    for item in limited:
        assert item.row.mailbox is not None
        limit = item.row.mailbox.sender_limit_per_hour
        if counts[item.row.sender] >= limit:
            held[item.row.pk] = Result(
                InboundOutcome.QUARANTINED,
                reason=fill(
                    _("%(sender)s sent more than %(n)s mails in an hour: held as a possible mail loop."),
                    {"sender": item.row.sender, "n": limit},
                ),
            )
        counts[item.row.sender] += 1
    return held


def _batch(items: list[Prepared], ours: set[str]) -> dict[int, Result]:
    """Clients found or created together; mail answering an appeal added to it;
    the rest registered as new appeals in one go, with their acknowledgements."""
    results: dict[int, Result] = {}
    senders = [i for i in items if i.mail is not None and i.mail.sender is not None and i.mail.sender.address]
    found = clients.find_or_create_by_contacts(
        ContactKind.EMAIL, [(i.mail.sender.address, i.mail.sender.name) for i in senders if i.mail and i.mail.sender]
    )
    client_of = {item.row.pk: client for item, client in zip(senders, found, strict=True)}
    local_ids = {i.mail.message_id for i in items if i.mail is not None and i.mail.message_id}
    fresh: list[tuple[Prepared, Client | None, Appeal | None]] = []
    threaded: list[tuple[Prepared, Client | None, Appeal]] = []
    later: list[Prepared] = []
    for item in items:
        mail = item.mail
        assert mail is not None
        client = client_of.get(item.row.pk)
        references = [*mail.in_reply_to, *mail.references]
        if set(references) & (local_ids - {mail.message_id}):
            later.append(item)  # answers a mail of this same batch: after that one is registered
            continue
        thread = threading.find(references, mail.subject, client) if references or "[#" in mail.subject else None
        if thread is None:
            fresh.append((item, client, None))
        elif _reopens(thread.appeal, item.row.mailbox):
            threaded.append((item, client, thread.appeal))
        else:
            fresh.append((item, client, thread.appeal))
    results.update(_register_many(fresh))
    for item, client, appeal in threaded:
        results[item.row.pk] = _guarded(item, lambda i=item, c=client, a=appeal: _thread(i, a, c))  # type: ignore[misc]
    for item in later:
        results[item.row.pk] = _guarded(item, lambda i=item: _apply(i, ours))  # type: ignore[misc]
    return results


def _registration(item: Prepared, client: Client | None) -> Registration:
    mail = item.mail
    assert mail is not None
    mailbox = item.row.mailbox
    text, quoted, html = _text_of(item)
    return Registration(
        subject=_subject_of(mail),
        channel=Channel.MAIL,
        kind=mailbox.kind if mailbox is not None else None,
        category=mailbox.category if mailbox is not None else None,
        priority=mailbox.priority if mailbox is not None else "normal",
        queue=mailbox.queue if mailbox is not None else None,
        client=client,
        created_at=_received(mail),
        content=InboundContent(
            body_text=text or _("(empty mail)"),
            body_html=html if not item.refused else "",
            external_id=mail.message_id,
            files=item.files,
            quoted_text=quoted,
            sender=mail.sender.address if mail.sender is not None else "",
            mailbox_id=mailbox.pk if mailbox is not None else None,
        ),
    )


def _register_many(entries: list[tuple[Prepared, Client | None, Appeal | None]]) -> dict[int, Result]:
    """New appeals for these mails in one write; a mail the registration refuses is
    quarantined with the reason and the rest registered without it."""
    results: dict[int, Result] = {}
    remaining = list(entries)
    appeals: list[Appeal] = []
    while remaining:
        try:
            with transaction.atomic():
                appeals = register_appeals(ACTOR, [_registration(item, client) for item, client, _f in remaining])
            break
        except InvalidItem as refused:
            item = remaining.pop(refused.index)[0]
            results[item.row.pk] = Result(InboundOutcome.QUARANTINED, reason=str(refused.error))
    if not remaining:
        return results
    messages = dict(
        Message.objects.filter(appeal_id__in=[a.pk for a in appeals], direction=Direction.INBOUND).values_list(
            "appeal_id", "id"
        )
    )
    to_acknowledge = []
    for (item, _client, follows), appeal in zip(remaining, appeals, strict=True):
        message_id = messages.get(appeal.pk)
        if follows is not None:
            _link_follow_up(appeal, follows)
        if item.row.mailbox is not None and item.mail is not None:
            to_acknowledge.append((appeal, item.row.mailbox, item.mail))
        results[item.row.pk] = Result(InboundOutcome.APPEAL, appeal=appeal, message_id=message_id)
    acknowledged = acknowledge.queue_many(to_acknowledge)
    for item, _client, _follows in remaining:
        result = results[item.row.pk]
        result.acknowledged = result.appeal is not None and result.appeal.pk in acknowledged
    return results


def _claim(ids: list[int]) -> set[int]:
    """The rows of ``ids`` still pending, locked for this transaction (PostgreSQL
    skips rows another worker holds; SQLite's IMMEDIATE transaction is the lock)."""
    pending = InboundMail.objects.filter(id__in=ids, state=InboundState.PENDING)
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True)
    return set(pending.values_list("id", flat=True))


def _reason_of(exc: BaseException) -> str:
    if isinstance(exc, (InvalidInput, NotFound, PermissionDenied)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:2000]


def _finish_all(rows: list[tuple[InboundMail, Result]]) -> None:
    """Mark processed rows done (or quarantined) with what they became: one
    statement for the batch, in the transaction that made the appeals."""
    now = timezone.now()
    params = [
        [
            InboundState.QUARANTINED if result.outcome == InboundOutcome.QUARANTINED else InboundState.DONE,
            result.outcome,
            result.reason,
            now,
            result.appeal.pk if result.appeal is not None else None,
            result.message_id,
            row.pk,
        ]
        for row, result in rows
    ]
    table = InboundMail._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET state = %s, outcome = %s, reason = %s, attempts = attempts + 1, "  # noqa: S608 - our table name
            "processed_at = %s, appeal_id = %s, message_id = %s WHERE id = %s",
            params,
        )


def _our_addresses() -> set[str]:
    return {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}


def _prepare(row: InboundMail) -> Prepared:
    """Parse and collect the files (written to storage) before the transaction."""
    try:
        mail = parsing.parse(bytes(row.raw))
    except parsing.UnparseableMail as exc:
        return Prepared(row, problem=fill(_("The mail cannot be parsed: %(reason)s"), {"reason": str(exc)}))
    item = Prepared(row, mail=mail)
    if mail.bounce is None and not mail.auto_reply:
        _collect_files(item, mail)
    return item


def _collect_files(item: Prepared, mail: parsing.ParsedMail) -> None:
    """Files the attachment rules accept; the others are named in the message (the
    raw mail keeps them) instead of refusing the whole mail."""
    from django.conf import settings

    for attachment in mail.attachments:
        if len(item.files) >= settings.ATTACHMENT_MAX_COUNT:
            item.refused.append(
                fill(
                    _("%(name)s: more than %(n)s files in one mail"),
                    {"name": attachment.filename, "n": settings.ATTACHMENT_MAX_COUNT},
                )
            )
            continue
        incoming = IncomingFile(name=attachment.filename, content=attachment.data)
        try:
            check([incoming])  # registration stores what it accepts
        except InvalidInput as exc:
            item.refused.append(str(exc))
            continue
        item.files.append(incoming)


def _apply(item: Prepared, ours: set[str]) -> Result:
    """One mail the whole way, on its own (reprocessing, and the fallback of a batch)."""
    early = _early(item, ours)
    if early is not None:
        return early
    assert item.mail is not None
    mail = item.mail
    held = _over_limit([item])
    if held:
        return held[item.row.pk]
    client = _client_of(mail)
    thread = threading.find([*mail.in_reply_to, *mail.references], mail.subject, client)
    if thread is not None:
        target = thread.appeal
        if _reopens(target, item.row.mailbox):
            return _thread(item, target, client)
        return _register(item, client, follows=target)
    return _register(item, client)


def _client_of(mail: parsing.ParsedMail) -> Client | None:
    sender = mail.sender
    if sender is None or not sender.address:
        return None
    try:
        return clients.find_or_create_by_contact(ContactKind.EMAIL, sender.address, name=sender.name)
    except InvalidInput:
        return None  # not a usable address: the appeal is registered without a client


def _reopens(appeal: Appeal, mailbox: Mailbox | None) -> bool:
    """A reply lands on its appeal unless that appeal was closed longer ago than the
    mailbox allows (or cancelled): then it opens a new appeal linked to the old."""
    if appeal.status == Status.CANCELLED:
        return False
    if appeal.status != Status.CLOSED or appeal.closed_at is None:
        return True
    days = mailbox.reopen_days if mailbox is not None else Mailbox._meta.get_field("reopen_days").get_default()
    return appeal.closed_at >= timezone.now() - timedelta(days=days)


def _text_of(item: Prepared) -> tuple[str, str, str]:
    """Timeline text, the quoted rest, and the HTML; refused files are named.

    When the new words are not simply the start of the mail (an answer written
    below the quote, quoted lines cut from between its own), the quoted part kept is
    the whole text, so nothing the client sent is out of reach on the timeline."""
    mail = item.mail
    assert mail is not None
    text = mail.reply_text or mail.body_text
    if not mail.reply_text or mail.reply_text == mail.body_text:
        quoted = ""
    elif mail.body_text.startswith(mail.reply_text):
        quoted = mail.body_text[len(mail.reply_text) :].strip()
    else:
        quoted = mail.body_text
    if item.refused:
        notes = "\n".join(f"— {r}" for r in item.refused)
        text = f"{text}\n\n{_('Attachments not accepted:')}\n{notes}".strip()
    return text, quoted, mail.body_html


def _thread(item: Prepared, appeal: Appeal, client: Client | None) -> Result:
    mail = item.mail
    assert mail is not None
    text, quoted, html = _text_of(item)
    message = add_message(
        ACTOR,
        appeal,
        body_text=text or mail.subject or _("(empty mail)"),
        body_html=html if not item.refused else "",
        channel=Channel.MAIL,
        author_client=client,
        external_id=mail.message_id,
        created_at=_received(mail),
        files=item.files,
    )
    if quoted:
        type(message).objects.filter(pk=message.pk).update(quoted_text=quoted)
    return Result(InboundOutcome.THREADED, appeal=message.appeal, message_id=message.pk)


def _received(mail: parsing.ParsedMail):  # type: ignore[no-untyped-def]
    """When the client sent it, if the date is believable; else now."""
    now = timezone.now()
    if mail.date is None or mail.date > now + timedelta(minutes=5) or mail.date < now - timedelta(days=365):
        return now
    return mail.date


def _register(item: Prepared, client: Client | None, *, follows: Appeal | None = None) -> Result:
    results = _register_many([(item, client, follows)])
    return results[item.row.pk]


def _subject_of(mail: parsing.ParsedMail) -> str:
    subject = threading.TOKEN.sub("", mail.subject or "").strip()
    return (" ".join(subject.split()) or _("(no subject)"))[:500]


def _link_follow_up(appeal: Appeal, earlier: Appeal) -> None:
    from okno.appeals.models import AppealLink

    AppealLink.objects.create(source=appeal, target=earlier)
    events.record(
        appeal,
        EventKind.LINKED,
        ACTOR,
        related=earlier,
        after="related",
        comment=_("The client wrote about an appeal closed earlier."),
    )


def reprocess(actor: User, inbound: InboundMail | int) -> InboundMail:
    """An administrator sends a quarantined mail through intake again (after a fix)."""
    row = _quarantined(actor, inbound)
    InboundMail.objects.filter(pk=row.pk).update(state=InboundState.PENDING, outcome="", reason="")
    process_batch([row.pk])
    row.refresh_from_db()
    return row


def register_by_hand(actor: User, inbound: InboundMail | int) -> Appeal:
    """An administrator turns a quarantined mail into an appeal as it is: whatever
    text can be read, and the raw mail attached as an .eml file."""
    row = _quarantined(actor, inbound)
    raw = bytes(row.raw)
    try:
        mail = parsing.parse(raw)
        subject, text, sender = mail.subject, mail.body_text, mail.sender
    except parsing.UnparseableMail:
        # PostgreSQL text cannot hold NUL; binary junk reads as replacement characters.
        subject, text, sender = "", raw[:20000].decode("utf-8", "replace").replace("\x00", ""), None
    client = None
    if sender is not None and sender.address:
        try:
            client = clients.find_or_create_by_contact(ContactKind.EMAIL, sender.address, name=sender.name)
        except InvalidInput:
            client = None
    mailbox = row.mailbox
    files = [IncomingFile(name=f"mail-{row.pk}.eml", content=raw)]
    try:
        check_and_save(files)
    except InvalidInput:
        files = []  # not even readable as a mail file: the raw bytes stay on the received mail row
    with transaction.atomic():
        appeal = register_appeal(
            actor,
            subject=" ".join((subject or "").split())[:500] or _("(no subject)"),
            channel=Channel.MAIL,
            queue=mailbox.queue if mailbox is not None else None,
            kind=mailbox.kind if mailbox is not None else None,
            client=client,
            content=InboundContent(
                body_text=text or _("(empty mail)"),
                files=files,
                sender=sender.address if sender is not None else "",
                mailbox_id=mailbox.pk if mailbox is not None else None,
            ),
        )
        InboundMail.objects.filter(pk=row.pk).update(
            state=InboundState.DONE, outcome=InboundOutcome.APPEAL, appeal=appeal, processed_at=timezone.now()
        )
    return appeal


def _quarantined(actor: User, inbound: InboundMail | int) -> InboundMail:
    if not is_admin(actor):
        raise PermissionDenied(_("Only administrators handle quarantined mail."))
    pk = inbound.pk if isinstance(inbound, InboundMail) else inbound
    row = InboundMail.objects.filter(pk=pk).select_related("mailbox").first()
    if row is None:
        raise NotFound(_("Mail not found."))
    if row.state != InboundState.QUARANTINED:
        raise Conflict(_("Only quarantined mail can be handled here."))
    return row
