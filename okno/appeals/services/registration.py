"""Registering appeals: the one way an appeal comes into being, whatever the channel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Channel, Direction, EventKind, Priority
from okno.appeals.models import Appeal, Category, Kind, Message
from okno.appeals.services import attachments as files_service
from okno.appeals.services import events, notify, numbering, search
from okno.appeals.services.actors import Actor, actor_user
from okno.appeals.services.attachments import IncomingFile
from okno.appeals.services.common import remember_tags, tags_by_name
from okno.appeals.services.validation import (
    check_assignee,
    check_not_final,
    check_reference,
    check_text,
    default_kind,
)
from okno.catalog.models import Product
from okno.clients.models import Client
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


def require_can_register(actor: Actor) -> None:
    """Callers that prepare things for a registration (find or create its client)
    check this first, so a refused registration leaves nothing behind."""
    if isinstance(actor, User) and not access.can_register(actor):
        raise PermissionDenied(_("You may not register appeals."))


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
) -> Appeal:
    """Give a new appeal its number and record it.

    ``content`` is the client's own message when the channel carries one; ``files``
    are attached to the appeal itself (a scanned letter registered by an agent).

    Everything that only reads or checks (rights, references, files, sanitising,
    the search words) happens first, outside the transaction; the transaction
    holds the write lock only for the writes.
    """
    require_can_register(actor)
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), field="channel")
    if priority not in Priority.values:
        raise InvalidInput(_("Unknown priority."), field="priority")
    subject = check_text(subject)
    description = description.strip()
    kind = kind or default_kind()
    check_reference(kind, category, product, queue)
    check_assignee(actor, queue, assignee)
    now = timezone.now()
    received = created_at or now
    if received > now + timedelta(minutes=5):
        raise InvalidInput(_("An appeal cannot be received in the future."), field="created_at")
    has_message = content is not None and bool(content.body_text or content.body_html or content.files)
    message_files = files_service.check_and_save(content.files) if content is not None and has_message else []
    appeal_files = files_service.check_and_save(files)
    body_html = sanitize_html(content.body_html) if content is not None else ""
    body_text = (content.body_text or html_to_text(body_html)) if content is not None else ""
    words = search.words_of(subject, description, client.name if client is not None else "", body_text)

    with transaction.atomic():
        appeal = Appeal(
            kind=kind,
            channel=channel,
            category=category,
            product=product,
            subject=subject,
            description=description,
            priority=priority,
            queue=queue,
            assignee=assignee,
            client=client,
            parent=parent,
            created_at=received,
            registered_at=now,
            updated_at=now,
            created_by=actor_user(actor),
        )
        appeal.year, appeal.seq, appeal.number = numbering.allocate(now)
        appeal.save()
        tag_objects = tags_by_name(tags)
        if tag_objects:
            appeal.tags.set(tag_objects)
        remember_tags(appeal, tag_objects)

        events.record(appeal, EventKind.REGISTERED, actor, after=appeal.number)
        if content is not None and has_message:
            message = Message.objects.create(
                appeal=appeal,
                direction=Direction.INBOUND,
                channel=channel,
                author=None,
                author_client=client,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                created_at=received,
                external_id=content.external_id[:500],
            )
            files_service.attach(appeal, message_files, actor, message)
            events.record(appeal, EventKind.MESSAGE_RECEIVED, actor, message=message)
        files_service.attach(appeal, appeal_files, actor)
        if assignee is not None:
            events.record(appeal, EventKind.ASSIGNED, actor, field="assignee", after=assignee)
        search.index_new(appeal, words)
        notify.appeal_changed(appeal, created=True)
    return appeal


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
