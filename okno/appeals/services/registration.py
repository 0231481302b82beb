"""Registering appeals: the one way an appeal comes into being, whatever the channel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import PRIORITY_RANK, Channel, Direction, EventKind, Priority
from okno.appeals.models import Appeal, AppealSearch, Category, Event, Kind, Message
from okno.appeals.services import attachments as files_service
from okno.appeals.services import events, hooks, notify, numbering, search
from okno.appeals.services.actors import Actor, actor_user
from okno.appeals.services.attachments import CheckedFile, IncomingFile
from okno.appeals.services.common import remember_tags, tag_names, tags_named
from okno.appeals.services.validation import (
    check_assignee,
    check_not_final,
    check_reference,
    check_regulator,
    check_text,
    default_kind,
)
from okno.catalog.models import Product
from okno.clients.models import Client
from okno.core import fastsql
from okno.core.errors import InvalidInput, PermissionDenied
from okno.lib.html import html_to_text, sanitize_html
from okno.queues.models import Queue


@dataclass
class InboundContent:
    """What the client sent, when the channel delivers a message (mail, portal,
    messenger) rather than an agent's summary."""

    body_text: str = ""
    body_html: str = ""
    external_id: str = ""
    files: Sequence[IncomingFile] = field(default_factory=list)
    # What a mail quoted from earlier correspondence, cut from ``body_text``.
    quoted_text: str = ""
    # Where it came from, for routing rules: the sender's address or number as
    # written, and the mailbox that received it.
    sender: str = ""
    mailbox_id: int | None = None


def require_can_register(actor: Actor) -> None:
    """Callers that prepare things for a registration (find or create its client)
    check this first, so a refused registration leaves nothing behind."""
    if isinstance(actor, User) and not access.can_register(actor):
        raise PermissionDenied(_("You may not register appeals."))


@dataclass
class Registration:
    """One appeal to register: the keyword arguments of :func:`register_appeal`."""

    subject: str
    channel: Channel | str
    description: str = ""
    kind: Kind | None = None
    client: Client | None = None
    category: Category | None = None
    product: Product | None = None
    priority: Priority | str = Priority.NORMAL
    queue: Queue | None = None
    assignee: User | None = None
    tags: Iterable[str] = ()
    parent: Appeal | None = None
    created_at: datetime | None = None
    content: InboundContent | None = None
    files: Sequence[IncomingFile] = ()
    # Fields routing rules must not change. None: when a person registers, the
    # fields they gave; when a channel robot does, none (its values are defaults).
    fixed: frozenset[str] | None = None
    # Forwarded by the regulator: a reference number or letter date implies the flag.
    regulator_forwarded: bool = False
    regulator_reference: str = ""
    regulator_letter_date: date | None = None


class InvalidItem(InvalidInput):
    """An item of :func:`register_appeals` was refused; ``index`` says which, ``field``
    which of its values (nothing of the batch was written)."""

    def __init__(self, index: int, error: InvalidInput) -> None:
        super().__init__(
            _("Item %(index)s: %(message)s") % {"index": index, "message": error.message}, field=error.field
        )
        self.index = index
        self.error = error


@dataclass(slots=True)
class _Prepared:
    """An item that passed every check, with all that could be worked out before
    the transaction: the unsaved appeal, its tags, texts, files and search words."""

    appeal: Appeal
    tags: list[str]
    content: InboundContent | None
    body_text: str
    body_html: str
    message_files: list[tuple[IncomingFile, CheckedFile]]
    appeal_files: list[tuple[IncomingFile, CheckedFile]]
    words: str
    arrival: hooks.Arrival


def register_appeal(
    actor: Actor,
    *,
    subject: str,
    channel: Channel | str,
    description: str = "",
    kind: Kind | None = None,
    client: Client | None = None,
    category: Category | None = None,
    product: Product | None = None,
    priority: Priority | str = Priority.NORMAL,
    queue: Queue | None = None,
    assignee: User | None = None,
    tags: Iterable[str] = (),
    parent: Appeal | None = None,
    created_at: datetime | None = None,
    content: InboundContent | None = None,
    files: Sequence[IncomingFile] = (),
    fixed: frozenset[str] | None = None,
    regulator_forwarded: bool = False,
    regulator_reference: str = "",
    regulator_letter_date: date | None = None,
) -> Appeal:
    """Give a new appeal its number and record it.

    ``content`` is the client's own message when the channel carries one; ``files``
    are attached to the appeal itself (a scanned letter registered by an agent).

    Everything that only reads or checks (rights, references, files, sanitising,
    the search words) happens first, outside the transaction; the transaction
    holds the write lock only for the writes. The same path as
    :func:`register_appeals`, for one.
    """
    require_can_register(actor)
    now = timezone.now()
    item = Registration(
        subject=subject,
        channel=channel,
        description=description,
        kind=kind,
        client=client,
        category=category,
        product=product,
        priority=priority,
        queue=queue,
        assignee=assignee,
        tags=tags,
        parent=parent,
        created_at=created_at,
        content=content,
        files=files,
        fixed=fixed,
        regulator_forwarded=regulator_forwarded,
        regulator_reference=regulator_reference,
        regulator_letter_date=regulator_letter_date,
    )
    return _write(actor, [_prepare(actor, item, now)], now)[0]


def register_appeals(actor: Actor, items: Sequence[Registration]) -> list[Appeal]:
    """Register many appeals in one transaction (the caller's, if it has one), with
    numbers running in the order of ``items``: the same appeals, messages, files,
    events, search entries, deadlines and live updates as :func:`register_appeal`
    for each item in turn, written a table at a time.

    Every item is checked before anything is written; a refused one raises
    :class:`InvalidItem` naming its index, and nothing of the batch is kept.
    """
    require_can_register(actor)
    now = timezone.now()
    prepared = []
    for index, item in enumerate(items):
        try:
            prepared.append(_prepare(actor, item, now))
        except InvalidInput as error:
            raise InvalidItem(index, error) from error
    return _write(actor, prepared, now) if prepared else []


def _prepare(actor: Actor, item: Registration, now: datetime) -> _Prepared:
    """Check one item and work out everything that needs no lock."""
    if item.channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), field="channel")
    if item.priority not in Priority.values:
        raise InvalidInput(_("Unknown priority."), field="priority")
    subject = check_text(item.subject)
    description = item.description.strip()
    kind = item.kind or default_kind()
    check_reference(kind, item.category, item.product, item.queue)
    check_assignee(actor, item.queue, item.assignee)
    received = item.created_at or now
    if received > now + timedelta(minutes=5):
        raise InvalidInput(_("An appeal cannot be received in the future."), field="created_at")
    forwarded, reference, letter_date = check_regulator(
        item.regulator_forwarded or None, item.regulator_reference, item.regulator_letter_date
    )
    content = item.content
    has_message = content is not None and bool(content.body_text or content.body_html or content.files)
    message_files = files_service.check(content.files) if content is not None and has_message else []
    appeal_files = files_service.check(item.files)
    body_html = sanitize_html(content.body_html) if content is not None else ""
    body_text = (content.body_text or html_to_text(body_html)) if content is not None else ""
    client = item.client
    words = search.words_of(subject, description, client.name if client is not None else "", body_text)
    appeal = Appeal(
        kind=kind,
        channel=item.channel,
        category=item.category,
        product=item.product,
        subject=subject,
        description=description,
        priority=item.priority,
        priority_rank=PRIORITY_RANK[item.priority],
        queue=item.queue,
        assignee=item.assignee,
        client=client,
        parent=item.parent,
        created_at=received,
        registered_at=now,
        updated_at=now,
        created_by=actor_user(actor),
        regulator_forwarded=forwarded,
        regulator_reference=reference,
        regulator_letter_date=letter_date,
    )
    tags = tag_names(item.tags)
    arrival = hooks.Arrival(
        appeal=appeal,
        tags=tags,
        text=body_text or description,
        attachments=len(message_files) + len(appeal_files),
        sender=content.sender if content is not None else "",
        mailbox_id=content.mailbox_id if content is not None else None,
        fixed=item.fixed if item.fixed is not None else _chosen(actor, item),
        actor=actor,
    )
    return _Prepared(
        appeal=appeal,
        tags=tags,
        content=content if has_message else None,
        body_text=body_text,
        body_html=body_html,
        message_files=message_files,
        appeal_files=appeal_files,
        words=words,
        arrival=arrival,
    )


def _chosen(actor: Actor, item: Registration) -> frozenset[str]:
    """The fields a person registering gave (routing keeps them); a robot's are defaults."""
    if not isinstance(actor, User):
        return frozenset()
    given = {
        "kind": item.kind,
        "category": item.category,
        "product": item.product,
        "queue": item.queue,
        "assignee": item.assignee,
        "priority": item.priority if item.priority != Priority.NORMAL else None,
    }
    return frozenset(name for name, value in given.items() if value is not None)


def _write(actor: Actor, prepared: list[_Prepared], now: datetime) -> list[Appeal]:
    """Insert checked items, a table at a time, in one transaction."""
    for item in prepared:
        files_service.store(item.message_files)
        files_service.store(item.appeal_files)
    appeals = [item.appeal for item in prepared]
    # Routing (rules, classifier) decides fields before the deadlines are computed
    # from them; derived state (deadlines) is computed before the INSERT, so the
    # appeals go in with their nearest deadline, and outside the write lock if the
    # caller holds none.
    routing = hooks.route([item.arrival for item in prepared])
    for item in prepared:
        item.appeal.priority_rank = PRIORITY_RANK[item.appeal.priority]
        item.tags = tag_names(item.arrival.tags)
    writers = hooks.registering(appeals)
    with transaction.atomic():
        if routing is not None:
            routing.before_insert()
        tags = tags_named(name for item in prepared for name in item.tags)
        # The numbers are taken as late as possible: their row stays locked till commit.
        for appeal, (year, seq, number) in zip(appeals, numbering.allocate_many(len(appeals), now), strict=True):
            appeal.year, appeal.seq, appeal.number = year, seq, number
        fastsql.insert_many(appeals, returning=True)
        fastsql.insert_rows(
            Appeal.tags.through, [{"appeal": item.appeal, "tag": tags[name]} for item in prepared for name in item.tags]
        )
        with_message = [item for item in prepared if item.content is not None]
        message_ids = fastsql.insert_rows(Message, [_message(item) for item in with_message], returning=True) or []
        messages = {item.appeal.pk: pk for item, pk in zip(with_message, message_ids, strict=True)}
        attachments = []
        log = []
        at = timezone.now()
        for item in prepared:
            appeal = item.appeal
            remember_tags(appeal, [tags[name] for name in item.tags])
            log.append(events.values(appeal, EventKind.REGISTERED, actor, after=appeal.number, at=at))
            message_id = messages.get(appeal.pk)
            if message_id is not None:
                for _incoming, info in item.message_files:
                    attachment = files_service.row(appeal, info, actor)
                    attachment.message_id = message_id
                    attachments.append(attachment)
                log.append(events.values(appeal, EventKind.MESSAGE_RECEIVED, actor, message=message_id, at=at))
            attachments += [files_service.row(appeal, info, actor) for _incoming, info in item.appeal_files]
            if appeal.assignee is not None:
                log.append(
                    events.values(
                        appeal,
                        EventKind.ASSIGNED,
                        actor,
                        field="assignee",
                        after=appeal.assignee,
                        at=at,
                        comment=item.arrival.assignment_note,
                    )
                )
        fastsql.insert_many(attachments)
        if routing is not None:
            log += routing.after_insert()
        fastsql.insert_rows(Event, log)
        fastsql.insert_rows(
            AppealSearch,
            [{"appeal": item.appeal, "document": search.new_document(item.appeal, item.words)} for item in prepared],
        )
        notify.appeals_registered(appeals, writers)
    return appeals


def _message(item: _Prepared) -> dict[str, Any]:
    """The client's own message, the first of the appeal."""
    appeal, content = item.appeal, item.content
    assert content is not None
    return {
        "appeal": appeal,
        "direction": Direction.INBOUND,
        "channel": appeal.channel,
        "author": None,
        "author_client": appeal.client,
        "subject": appeal.subject,
        "body_text": item.body_text,
        "body_html": item.body_html,
        "quoted_text": content.quoted_text,
        "created_at": appeal.created_at,
        "external_id": content.external_id[:500],
    }


@transaction.atomic
def create_subcase(
    actor: Actor,
    parent: Appeal,
    *,
    subject: str,
    description: str = "",
    queue: Queue | None = None,
    assignee: User | None = None,
    kind: Kind | None = None,
    category: Category | None = None,
    priority: Priority | str | None = None,
) -> Appeal:
    """A sub-case of ``parent`` (a warranty claim's analysis, a question to a
    department): same client, channel and product; its own queue and deadline."""
    if isinstance(actor, User):
        access.require(actor, access.Action.WORK, parent)
    check_not_final(parent)
    subcase = register_appeal(
        actor,
        subject=subject,
        description=description,
        channel=parent.channel,
        kind=kind or parent.kind,
        client=parent.client,
        category=category or parent.category,
        product=parent.product,
        priority=priority or parent.priority,
        queue=queue or parent.queue,
        assignee=assignee,
        parent=parent,
    )
    events.record(parent, EventKind.SUBCASE_CREATED, actor, related=subcase, after=subcase.number)
    notify.touch(parent)
    parent.save(update_fields=["updated_at"])
    notify.appeal_changed(parent)
    return subcase
