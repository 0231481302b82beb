"""The status lifecycle: change status, close with an outcome, reopen, cancel, merge.

new → in work → waiting for client → answered → closed; reopen brings a closed,
answered or cancelled appeal back into work; cancel and merge end it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import STATUS_TRANSITIONS, ApprovalStatus, EventKind, Outcome, Status
from okno.appeals.models import Appeal, Attachment, Message
from okno.appeals.services import events, notify, search
from okno.appeals.services.actors import Actor
from okno.appeals.services.common import lock_for
from okno.core.errors import Conflict, InvalidInput


def _set_status(
    actor: Actor, appeal: Appeal, status: Status, *, comment: str = "", kind: EventKind = EventKind.STATUS_CHANGED
) -> None:
    previous = appeal.status
    appeal.status = status
    events.record(appeal, kind, actor, field="status", before=previous, after=status, comment=comment)


def move_status(actor: Actor, appeal: Appeal, status: Status, *, comment: str = "") -> bool:
    """Change the status of a locked appeal inside an ongoing operation (a reply
    answers it, a client's message puts it back in work). Returns whether it moved."""
    if appeal.status == status:
        return False
    _set_status(actor, appeal, status, comment=comment)
    return True


@transaction.atomic
def change_status(actor: Actor, appeal: Appeal | int, status: Status | str, *, comment: str = "") -> Appeal:
    if status not in Status.values:
        raise InvalidInput(_("Unknown status."), field="status")
    status = Status(status)
    appeal = lock_for(actor, appeal, access.Action.WORK)
    if appeal.status == status:
        return appeal
    if status not in STATUS_TRANSITIONS[Status(appeal.status)]:
        hint = {
            Status.CLOSED: _("Use “close” with an outcome."),
            Status.CANCELLED: _("Use “cancel” with a reason."),
            Status.MERGED: _("Use “merge” with the target appeal."),
        }.get(status, _("Reopen it first.") if appeal.is_final else "")
        raise Conflict(
            _("An appeal cannot go from “%(from)s” to “%(to)s”. %(hint)s")
            % {"from": appeal.get_status_display(), "to": status.label, "hint": hint}
        )
    _set_status(actor, appeal, status, comment=comment)
    notify.touch(appeal)
    appeal.save(update_fields=["status", "updated_at"])
    notify.appeal_changed(appeal)
    return appeal


@transaction.atomic
def close(actor: Actor, appeal: Appeal | int, outcome: Outcome | str, *, comment: str = "") -> Appeal:
    """Close with an outcome. Not while a reply waits for approval or a sub-case is open."""
    if outcome not in Outcome.values:
        raise InvalidInput(_("Choose the outcome: satisfied, partly satisfied, refused or explained."), field="outcome")
    appeal = lock_for(actor, appeal, access.Action.WORK)
    if appeal.is_final:
        raise Conflict(
            _("Appeal %(number)s is already %(status)s.")
            % {"number": appeal.number, "status": appeal.get_status_display().lower()}
        )
    if Message.objects.filter(appeal=appeal, approval_status=ApprovalStatus.PENDING).exists():
        raise Conflict(_("A reply on this appeal is awaiting approval; approve or return it first."))
    open_subcases = list(appeal.subcases.exclude(status__in=Status.final_values()).values_list("number", flat=True)[:5])
    if open_subcases:
        raise Conflict(_("Sub-cases are still open: %(numbers)s.") % {"numbers": ", ".join(open_subcases)})
    appeal.outcome = outcome
    appeal.closed_at = timezone.now()
    events.record(appeal, EventKind.CLOSED, actor, field="outcome", after=outcome, comment=comment)
    _set_status(actor, appeal, Status.CLOSED, comment=comment)
    notify.touch(appeal)
    appeal.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
    notify.appeal_changed(appeal)
    return appeal


def reopen_locked(actor: Actor, appeal: Appeal, *, comment: str = "") -> None:
    """Reopen an appeal already locked by the calling operation."""
    previous = appeal.status
    appeal.status = Status.IN_WORK
    appeal.outcome = ""
    appeal.closed_at = None
    appeal.reopen_count += 1
    events.record(
        appeal, EventKind.REOPENED, actor, field="status", before=previous, after=Status.IN_WORK, comment=comment
    )


@transaction.atomic
def reopen(actor: Actor, appeal: Appeal | int, *, comment: str = "") -> Appeal:
    appeal = lock_for(actor, appeal, access.Action.WORK)
    if appeal.status not in (Status.ANSWERED, Status.CLOSED, Status.CANCELLED):
        raise Conflict(_("Only answered, closed or cancelled appeals can be reopened."))
    if appeal.status == Status.CANCELLED and isinstance(actor, User):
        access.require(actor, access.Action.CANCEL, appeal)
    reopen_locked(actor, appeal, comment=comment)
    notify.touch(appeal)
    appeal.save(update_fields=["status", "outcome", "closed_at", "reopen_count", "updated_at"])
    notify.appeal_changed(appeal)
    return appeal


@transaction.atomic
def cancel(actor: Actor, appeal: Appeal | int, *, reason: str) -> Appeal:
    """Cancel an appeal that needs no answer (spam, sent by mistake). A reason is required."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the appeal is cancelled."), field="reason")
    appeal = lock_for(actor, appeal, access.Action.CANCEL)
    if appeal.is_final:
        raise Conflict(
            _("Appeal %(number)s is already %(status)s.")
            % {"number": appeal.number, "status": appeal.get_status_display().lower()}
        )
    appeal.closed_at = timezone.now()
    _set_status(actor, appeal, Status.CANCELLED, comment=reason, kind=EventKind.CANCELLED)
    notify.touch(appeal)
    appeal.save(update_fields=["status", "closed_at", "updated_at"])
    notify.appeal_changed(appeal)
    return appeal


@transaction.atomic
def merge(actor: Actor, source: Appeal | int, target: Appeal | int, *, comment: str = "") -> Appeal:
    """Merge ``source`` into ``target``: its messages, files and sub-cases move to
    the target, and the source ends as “merged”, pointing at it. Both must belong
    to the same client (or the source to none), so no one's letters land in
    another person's thread. Returns the target."""
    source = lock_for(actor, source, access.Action.WORK)
    target = lock_for(actor, target, access.Action.WORK)
    if source.pk == target.pk:
        raise InvalidInput(_("An appeal cannot be merged into itself."), field="target")
    if source.is_final:
        raise Conflict(
            _("Appeal %(number)s is already %(status)s.")
            % {"number": source.number, "status": source.get_status_display().lower()}
        )
    if target.is_final:
        raise Conflict(
            _("Appeal %(number)s is %(status)s; reopen it first.")
            % {"number": target.number, "status": target.get_status_display().lower()}
        )
    if source.client_id and target.client_id and source.client_id != target.client_id:
        raise Conflict(_("The appeals belong to different clients and cannot be merged."))
    if Message.objects.filter(appeal=source, approval_status=ApprovalStatus.PENDING).exists():
        raise Conflict(
            _("A reply on %(number)s is awaiting approval; approve or return it first.") % {"number": source.number}
        )
    ancestor = target
    while ancestor.parent_id is not None:
        if ancestor.parent_id == source.pk:
            raise Conflict(_("An appeal cannot be merged into its own sub-case."))
        ancestor = ancestor.parent  # type: ignore[assignment]

    moved = Message.objects.filter(appeal=source).update(appeal=target)
    Attachment.objects.filter(appeal=source).update(appeal=target)
    Appeal.objects.filter(parent=source).update(parent=target)
    if target.client_id is None and source.client_id is not None:
        events.record(target, EventKind.FIELD_CHANGED, actor, field="client", before=None, after=source.client)
        target.client = source.client

    source.merged_into = target
    source.closed_at = timezone.now()
    _set_status(actor, source, Status.MERGED, comment=comment, kind=EventKind.MERGED_INTO)
    events.record(target, EventKind.MERGED_FROM, actor, related=source, after=source.number, comment=comment)
    Appeal.objects.filter(pk=source.pk).update(
        status=source.status, merged_into=target, closed_at=source.closed_at, updated_at=timezone.now()
    )
    notify.touch(target)
    target.save(update_fields=["client", "updated_at"])
    if moved or target.client_id:
        search.reindex(target)
    notify.appeal_changed(source)
    notify.appeal_changed(target)
    return target
