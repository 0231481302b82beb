"""Queues and who belongs to them, as an administrator sets them up."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.core import reference
from okno.core.errors import InvalidInput
from okno.queues.models import Membership, Queue

QUEUE_FIELDS = (
    "code",
    "name",
    "name_en",
    "description",
    "requires_reply_approval",
    "answer_term_days",
    "is_active",
    "position",
)


def _set_members(queue: Queue, user_ids: Iterable[int]) -> None:
    wanted = set(user_ids)
    found = set(User.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise InvalidInput(
            _("There is no user with id %(id)s.") % {"id": ", ".join(map(str, missing))}, field="members"
        )
    current = set(queue.memberships.values_list("user_id", flat=True))
    queue.memberships.filter(user_id__in=current - wanted).delete()
    added = sorted(wanted - current)
    Membership.objects.bulk_create([Membership(queue=queue, user_id=pk) for pk in added])
    if added:
        # New members may take the queue's waiting appeals at once.
        from okno.routing.agents.services.assignment import fill_capacity

        fill_capacity(queue_ids=[queue.pk], user_ids=added)


@transaction.atomic
def create_queue(actor: User, values: dict[str, Any], members: Iterable[int] = ()) -> Queue:
    require_admin(actor)
    queue = reference.apply(Queue(), values, QUEUE_FIELDS)
    _set_members(queue, members)
    return queue


@transaction.atomic
def update_queue(
    actor: User, queue: Queue | int, changes: dict[str, Any], members: Iterable[int] | None = None
) -> Queue:
    """``members`` (user ids), when given, is the whole new membership."""
    require_admin(actor)
    pk = queue.pk if isinstance(queue, Queue) else queue
    locked = reference.lock(Queue, pk, _("Queue not found."))
    reference.apply(locked, changes, QUEUE_FIELDS)
    if members is not None:
        _set_members(locked, members)
    return locked
