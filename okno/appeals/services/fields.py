"""Changing what an appeal is about and who works it: assignment, fields, tags,
links between appeals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import EventKind, LinkKind, Priority
from okno.appeals.models import Appeal, AppealLink
from okno.appeals.services import events, notify, search
from okno.appeals.services.actors import Actor, actor_user
from okno.appeals.services.common import lock_for, tags_by_name
from okno.appeals.services.validation import (
    check_amount,
    check_assignee,
    check_not_final,
    check_reference,
    check_regulator,
    check_text,
)
from okno.core.errors import Conflict, InvalidInput

EDITABLE_FIELDS = (
    "subject",
    "description",
    "kind",
    "category",
    "product",
    "priority",
    "queue",
    "client",
    "claim_amount",
    "regulator_forwarded",
    "regulator_reference",
    "regulator_letter_date",
    "tags",
)
REGULATOR_FIELDS = ("regulator_forwarded", "regulator_reference", "regulator_letter_date")


@transaction.atomic
def assign(actor: Actor, appeal: Appeal | int, assignee: User | None, *, comment: str = "") -> Appeal:
    """Give the appeal to ``assignee`` (``None`` takes it off anyone)."""
    appeal = lock_for(actor, appeal, access.Action.WORK)
    check_not_final(appeal)
    if appeal.assignee_id == (assignee.pk if assignee else None):
        return appeal
    check_assignee(actor, appeal.queue, assignee)
    previous = appeal.assignee
    appeal.assignee = assignee
    notify.touch(appeal)
    appeal.save(update_fields=["assignee", "updated_at"])
    events.record(appeal, EventKind.ASSIGNED, actor, field="assignee", before=previous, after=assignee, comment=comment)
    if assignee is not None and assignee.pk != getattr(actor, "pk", None):
        from okno.notifications.choices import NotificationKind
        from okno.notifications.services import notify as notify_people

        notify_people(NotificationKind.ASSIGNED, [assignee.pk], appeal_id=appeal.pk)
    notify.appeal_changed(appeal, also_users=[previous.pk if previous else None])
    return appeal


@transaction.atomic
def update_fields(actor: Actor, appeal: Appeal | int, changes: dict[str, Any], *, comment: str = "") -> Appeal:
    """Change any of ``EDITABLE_FIELDS``; one event per field that really changed.

    Moving the appeal to a queue its assignee does not belong to takes it off the
    assignee: the new team decides who works it.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    appeal = lock_for(actor, appeal, access.Action.WORK)
    if appeal.is_final:
        check_not_final(appeal)
    check_reference(changes.get("kind"), changes.get("category"), changes.get("product"), changes.get("queue"))
    if "subject" in changes:
        changes["subject"] = check_text(changes["subject"])
    if "description" in changes:
        changes["description"] = (changes["description"] or "").strip()
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise InvalidInput(_("Unknown priority."), field="priority")
    if "claim_amount" in changes:
        changes["claim_amount"] = check_amount(changes["claim_amount"])
    if "kind" in changes and changes["kind"] is None:
        raise InvalidInput(_("An appeal must have a kind."), field="kind")
    if set(REGULATOR_FIELDS) & set(changes):
        _regulator_changes(appeal, changes)

    changed: list[str] = []
    old_queue_id, old_assignee_id = appeal.queue_id, appeal.assignee_id
    for name in EDITABLE_FIELDS:
        if name not in changes or name == "tags":
            continue
        before, after = getattr(appeal, name), changes[name]
        if before == after:
            continue
        setattr(appeal, name, after)
        changed.append(name)
        events.record(appeal, EventKind.FIELD_CHANGED, actor, field=name, before=before, after=after, comment=comment)

    if "queue" in changed and appeal.assignee is not None:
        queue_ids = access.queue_ids_of(appeal.assignee)
        if appeal.queue_id is None or appeal.queue_id not in queue_ids:
            events.record(
                appeal,
                EventKind.ASSIGNED,
                actor,
                field="assignee",
                before=appeal.assignee,
                after=None,
                comment=_("Not a member of the new queue."),
            )
            appeal.assignee = None
            changed.append("assignee")

    tags_changed = False
    if "tags" in changes:
        tags_changed = _set_tags(actor, appeal, changes["tags"] or [])

    if changed or tags_changed:
        notify.touch(appeal)
        appeal.save(update_fields=[*changed, "updated_at"])
        if {"subject", "description", "client"} & set(changed):
            search.reindex(appeal)
        notify.appeal_changed(appeal, also_queues=[old_queue_id], also_users=[old_assignee_id])
    return appeal


def _regulator_changes(appeal: Appeal, changes: dict[str, Any]) -> None:
    """Switching the flag off clears the reference and the date unless they are
    given too; giving a reference or a date switches it on."""
    forwarded = changes.get("regulator_forwarded")
    clear = forwarded is False
    reference = changes.get("regulator_reference", "" if clear else appeal.regulator_reference)
    letter_date = changes.get("regulator_letter_date", None if clear else appeal.regulator_letter_date)
    if forwarded is None and appeal.regulator_forwarded:
        forwarded = True
    forwarded, reference, letter_date = check_regulator(forwarded, reference, letter_date)
    changes.update(regulator_forwarded=forwarded, regulator_reference=reference, regulator_letter_date=letter_date)


def _set_tags(actor: Actor, appeal: Appeal, names: Iterable[str]) -> bool:
    before = sorted(appeal.tags.values_list("name", flat=True))
    new_tags = tags_by_name(names)
    after = sorted(tag.name for tag in new_tags)
    if before == after:
        return False
    appeal.tags.set(new_tags)
    events.record(appeal, EventKind.TAGS_CHANGED, actor, field="tags", before=before, after=after)
    return True


@transaction.atomic
def link(
    actor: Actor, appeal: Appeal | int, other: Appeal | int, kind: LinkKind | str = LinkKind.RELATED
) -> AppealLink:
    """Link two appeals (both must be visible to the actor)."""
    if kind not in LinkKind.values:
        raise InvalidInput(_("Unknown kind of link."), field="kind")
    appeal = lock_for(actor, appeal, access.Action.WORK)
    other = lock_for(actor, other, access.Action.VIEW)
    if appeal.pk == other.pk:
        raise InvalidInput(_("An appeal cannot be linked to itself."), field="other")
    if AppealLink.objects.filter(source__in=[appeal, other], target__in=[appeal, other]).exists():
        raise Conflict(_("These appeals are already linked."))
    created = AppealLink.objects.create(source=appeal, target=other, kind=kind, created_by=actor_user(actor))
    for one, two in ((appeal, other), (other, appeal)):
        events.record(one, EventKind.LINKED, actor, related=two, after=kind)
        notify.touch(one)
        one.save(update_fields=["updated_at"])
        notify.appeal_changed(one)
    return created


@transaction.atomic
def unlink(actor: Actor, appeal: Appeal | int, other: Appeal | int) -> None:
    appeal = lock_for(actor, appeal, access.Action.WORK)
    other = lock_for(actor, other, access.Action.VIEW)
    deleted, _details = AppealLink.objects.filter(source__in=[appeal, other], target__in=[appeal, other]).delete()
    if not deleted:
        raise Conflict(_("These appeals are not linked."))
    for one, two in ((appeal, other), (other, appeal)):
        events.record(one, EventKind.UNLINKED, actor, related=two)
        notify.touch(one)
        one.save(update_fields=["updated_at"])
        notify.appeal_changed(one)
