"""Messages on an appeal: what the client sends, our replies (with supervisor
approval where the queue or kind demands it), internal notes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access, delivery
from okno.appeals.choices import ApprovalStatus, Channel, DeliveryStatus, Direction, EventKind, Status
from okno.appeals.models import Appeal, Attachment, Message
from okno.appeals.services import attachments as files_service
from okno.appeals.services import events, notify, search
from okno.appeals.services.actors import Actor, actor_user
from okno.appeals.services.attachments import CheckedFile, IncomingFile
from okno.appeals.services.common import check_for, lock, lock_for
from okno.appeals.services.workflow import move_status, reopen_locked
from okno.clients.models import Client
from okno.core.errors import Conflict, InvalidInput, NotFound
from okno.lib.html import html_to_text, sanitize_html

REPLY_STATUSES = (Status.ANSWERED, Status.WAITING_CLIENT, Status.IN_WORK)


@dataclass(frozen=True)
class Body:
    """A message's content, checked and prepared before its transaction: text,
    sanitised HTML, saved files, and the words it adds to the search index."""

    text: str
    html: str
    files: list[CheckedFile]
    words: str


def prepare(
    body_text: str, body_html: str, files: Sequence[IncomingFile] = (), *, has_attachments: bool = False
) -> Body:
    """A message with neither words nor files is refused (HTML that is only tags
    and spaces counts as empty)."""
    clean_html = sanitize_html(body_html)
    text = (body_text or "").strip() or html_to_text(clean_html)
    if not text and not files and not has_attachments:
        raise InvalidInput(_("The message is empty."), field="body_text")
    checked = files_service.check_and_save(files)
    return Body(text=text, html=clean_html if text else "", files=checked, words=search.words_of(text))


def _prepare_for(
    actor: Actor,
    appeal: Appeal | int,
    action: access.Action,
    body_text: str,
    body_html: str,
    files: Sequence[IncomingFile],
    *,
    has_attachments: bool = False,
) -> Body:
    """``prepare`` for an operation on ``appeal``. Files are written to disk before
    the transaction, so when there are any, the actor's rights are checked first."""
    if files:
        check_for(actor, appeal, action)
    return prepare(body_text, body_html, files, has_attachments=has_attachments)


def _new_message(
    appeal: Appeal,
    actor: Actor,
    direction: Direction,
    body: Body,
    *,
    channel: str | None = None,
    attachments: Sequence[Attachment] = (),
    **extra: object,
) -> Message:
    message = Message.objects.create(
        appeal=appeal,
        direction=direction,
        channel=channel or appeal.channel,
        # What the client sent is theirs, even when an agent types it in from a call.
        author=None if direction == Direction.INBOUND else actor_user(actor),
        body_text=body.text,
        body_html=body.html,
        **extra,
    )
    files_service.attach(appeal, body.files, actor, message)
    files_service.bind(appeal, attachments, message)
    return message


def _follow_merges(appeal: Appeal) -> Appeal:
    seen = {appeal.pk}
    while appeal.merged_into_id is not None and appeal.merged_into_id not in seen:
        seen.add(appeal.merged_into_id)
        appeal = lock(appeal.merged_into_id)
    return appeal


def add_message(
    actor: Actor,
    appeal: Appeal | int,
    *,
    body_text: str = "",
    body_html: str = "",
    channel: Channel | str | None = None,
    author_client: Client | None = None,
    external_id: str = "",
    created_at: datetime | None = None,
    files: Sequence[IncomingFile] = (),
) -> Message:
    """Record what the client sent on an existing appeal.

    A merged appeal passes the message to the one it was merged into. An answered
    or closed appeal is reopened, one waiting for the client goes back into work.
    """
    body = _prepare_for(actor, appeal, access.Action.WORK, body_text, body_html, files)
    with transaction.atomic():
        return _add_message(actor, appeal, body, channel, author_client, external_id, created_at)


def _add_message(
    actor: Actor,
    appeal: Appeal | int,
    body: Body,
    channel: str | None,
    author_client: Client | None,
    external_id: str,
    created_at: datetime | None,
) -> Message:
    appeal = _follow_merges(lock_for(actor, appeal, access.Action.WORK))
    message = _new_message(
        appeal,
        actor,
        Direction.INBOUND,
        body,
        channel=channel,
        author_client=author_client or appeal.client,
        external_id=external_id[:500],
        created_at=created_at or timezone.now(),
    )
    events.record(appeal, EventKind.MESSAGE_RECEIVED, actor, message=message)
    fields = ["updated_at"]
    if appeal.status in (Status.ANSWERED, Status.CLOSED):
        reopen_locked(actor, appeal, comment=_("The client wrote again."))
        fields += ["status", "outcome", "closed_at", "reopen_count"]
    elif appeal.status == Status.WAITING_CLIENT:
        move_status(actor, appeal, Status.IN_WORK, comment=_("The client answered."))
        fields.append("status")
    notify.touch(appeal)
    appeal.save(update_fields=fields)
    search.append(appeal, body.words)
    notify.appeal_changed(appeal)
    return message


def approval_required(appeal: Appeal) -> bool:
    return bool(
        (appeal.queue is not None and appeal.queue.requires_reply_approval) or appeal.kind.requires_reply_approval
    )


def _send(actor: Actor, appeal: Appeal, message: Message) -> list[str]:
    """Let a reply leave and apply what it means for the appeal. Returns changed fields."""
    delivery.release(message)
    events.record(appeal, EventKind.REPLY_SENT, actor, message=message)
    fields = []
    if appeal.first_response_at is None:
        appeal.first_response_at = message.sent_at or timezone.now()
        fields.append("first_response_at")
    target = Status(message.status_after or Status.ANSWERED)
    still_working = appeal.status in Status.open_values() or appeal.status == Status.ANSWERED
    if still_working and move_status(actor, appeal, target):
        fields.append("status")
    return fields


def reply(
    actor: Actor,
    appeal: Appeal | int,
    *,
    body_text: str = "",
    body_html: str = "",
    status_after: Status | str = Status.ANSWERED,
    files: Sequence[IncomingFile] = (),
    attachments: Sequence[Attachment] = (),
    channel: Channel | str | None = None,
    before_release: Callable[[Message], None] | None = None,
) -> Message:
    """Answer the client through the appeal's channel, or through ``channel`` (a
    paper letter on an appeal that came by mail).

    Where the queue or the kind requires approval and the author is not a
    supervisor, the reply is held as “awaiting approval” and nothing leaves until
    a supervisor approves it. ``status_after`` is where the appeal goes once the
    reply is out: answered (default), waiting for the client, or still in work.
    ``before_release(message)`` runs in the transaction once the reply exists,
    before it is released or held: a channel records there what it needs to send
    it later (a paper letter's address).
    """
    if status_after not in REPLY_STATUSES:
        raise InvalidInput(
            _("After a reply the appeal can be answered, waiting for the client or in work."), field="status_after"
        )
    body = _prepare_for(
        actor, appeal, access.Action.WORK, body_text, body_html, files, has_attachments=bool(attachments)
    )
    with transaction.atomic():
        return _reply(actor, appeal, body, Status(status_after), attachments, channel, before_release)


def _reply(
    actor: Actor,
    appeal: Appeal | int,
    body: Body,
    status_after: Status,
    attachments: Sequence[Attachment],
    channel: str | None = None,
    before_release: Callable[[Message], None] | None = None,
) -> Message:
    appeal = lock_for(actor, appeal, access.Action.WORK)
    if appeal.is_final:
        raise Conflict(
            _("Appeal %(number)s is %(status)s; reopen it before replying.")
            % {"number": appeal.number, "status": appeal.get_status_display().lower()}
        )
    needs_approval = approval_required(appeal) and not (
        isinstance(actor, User) and access.can_approve_without_review(actor)
    )
    message = _new_message(
        appeal,
        actor,
        Direction.OUTBOUND,
        body,
        channel=channel,
        attachments=attachments,
        status_after=status_after,
        approval_status=ApprovalStatus.PENDING if needs_approval else ApprovalStatus.NOT_REQUIRED,
        delivery_status=DeliveryStatus.HELD if needs_approval else DeliveryStatus.NOT_APPLICABLE,
    )
    if before_release is not None:
        before_release(message)
    fields = ["updated_at"]
    if needs_approval:
        events.record(appeal, EventKind.REPLY_SUBMITTED, actor, message=message)
    else:
        fields += _send(actor, appeal, message)
    notify.touch(appeal)
    appeal.save(update_fields=fields)
    search.append(appeal, body.words)
    notify.appeal_changed(appeal)
    return message


def _pending_reply(actor: Actor, message: Message | int, action: access.Action) -> tuple[Appeal, Message]:
    message_id = message.pk if isinstance(message, Message) else message
    appeal_id = Message.objects.filter(pk=message_id).values_list("appeal_id", flat=True).first()
    if appeal_id is None:
        raise NotFound(_("Message not found."))
    appeal = lock_for(actor, appeal_id, action)
    locked = Message.objects.select_for_update().get(pk=message_id)
    if locked.direction != Direction.OUTBOUND:
        raise Conflict(_("Only replies go through approval."))
    return appeal, locked


@transaction.atomic
def approve_reply(actor: Actor, message: Message | int, *, comment: str = "") -> Message:
    appeal, message = _pending_reply(actor, message, access.Action.APPROVE)
    if message.approval_status != ApprovalStatus.PENDING:
        raise Conflict(_("This reply is not awaiting approval."))
    message.approval_status = ApprovalStatus.APPROVED
    message.approval_comment = comment.strip()
    message.approved_by = actor_user(actor)
    message.approved_at = timezone.now()
    message.save(update_fields=["approval_status", "approval_comment", "approved_by", "approved_at"])
    events.record(appeal, EventKind.REPLY_APPROVED, actor, message=message, comment=message.approval_comment)
    fields = ["updated_at", *_send(actor, appeal, message)]
    notify.touch(appeal)
    appeal.save(update_fields=fields)
    notify.appeal_changed(appeal, also_users=[message.author_id])
    return message


@transaction.atomic
def return_reply(actor: Actor, message: Message | int, *, comment: str) -> Message:
    """Send a reply back to its author with what to change. It does not leave."""
    comment = comment.strip()
    if not comment:
        raise InvalidInput(_("Say what should be changed in the reply."), field="comment")
    appeal, message = _pending_reply(actor, message, access.Action.APPROVE)
    if message.approval_status != ApprovalStatus.PENDING:
        raise Conflict(_("This reply is not awaiting approval."))
    message.approval_status = ApprovalStatus.RETURNED
    message.approval_comment = comment
    message.approved_by = actor_user(actor)
    message.approved_at = timezone.now()
    message.save(update_fields=["approval_status", "approval_comment", "approved_by", "approved_at"])
    events.record(appeal, EventKind.REPLY_RETURNED, actor, message=message, comment=comment)
    notify.touch(appeal)
    appeal.save(update_fields=["updated_at"])
    notify.appeal_changed(appeal, also_users=[message.author_id])
    return message


@transaction.atomic
def revise_reply(actor: Actor, message: Message | int, *, body_text: str = "", body_html: str = "") -> Message:
    """Rewrite a returned reply and submit it for approval again."""
    body = prepare(body_text, body_html)
    appeal, message = _pending_reply(actor, message, access.Action.WORK)
    if message.approval_status != ApprovalStatus.RETURNED:
        raise Conflict(_("Only a reply returned for rework can be revised."))
    message.body_text, message.body_html = body.text, body.html
    message.approval_status = ApprovalStatus.PENDING
    message.created_at = timezone.now()
    message.save(update_fields=["body_text", "body_html", "approval_status", "created_at"])
    events.record(appeal, EventKind.REPLY_SUBMITTED, actor, message=message, comment=_("Revised after return."))
    notify.touch(appeal)
    appeal.save(update_fields=["updated_at"])
    notify.appeal_changed(appeal)
    return message


def add_note(
    actor: Actor,
    appeal: Appeal | int,
    *,
    body_text: str,
    files: Sequence[IncomingFile] = (),
    attachments: Sequence[Attachment] = (),
) -> Message:
    """An internal note: seen by staff, never by the client."""
    body = _prepare_for(actor, appeal, access.Action.WORK, body_text, "", files, has_attachments=bool(attachments))
    with transaction.atomic():
        appeal = lock_for(actor, appeal, access.Action.WORK)
        message = _new_message(appeal, actor, Direction.NOTE, body, attachments=attachments)
        events.record(appeal, EventKind.NOTE_ADDED, actor, message=message)
        notify.touch(appeal)
        appeal.save(update_fields=["updated_at"])
        notify.appeal_changed(appeal)
    return message
