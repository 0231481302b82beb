"""When capacity frees up, waiting appeals are given away at once, in the same
transaction as the change that freed it.

The appeal services call :func:`appeal_changed` (an ``after_change`` hook) after
every operation. What the appeal was before is remembered just before its row is
saved (:func:`remember_before`, a ``pre_save`` receiver that reads the stored
assignee, status and queue when one of them is being written), so the hook knows
whose load dropped and whether the appeal now waits in an automatic queue.
"""

from __future__ import annotations

from typing import Any

from okno.appeals.choices import Status
from okno.appeals.models import Appeal
from okno.routing.agents.models import ChannelLimit
from okno.routing.agents.services.assignment import fill_capacity, filling

OPEN = frozenset(Status.open_values())
WATCHED = frozenset({"assignee", "status", "queue"})
BEFORE = "_okno_routing_before"


def remember_before(sender: type[Appeal], instance: Appeal, update_fields: Any = None, **kwargs: Any) -> None:
    """``pre_save`` of an appeal: keep its stored assignee, status and queue."""
    if instance._state.adding or instance.pk is None or filling():
        return
    if update_fields is not None and not WATCHED.intersection(update_fields):
        return
    row = Appeal.objects.filter(pk=instance.pk).values_list("assignee_id", "status", "queue_id").first()
    if row is not None and BEFORE not in instance.__dict__:
        instance.__dict__[BEFORE] = row


def appeal_changed(appeal: Appeal, *, created: bool = False) -> None:
    """``after_change`` hook: fill the capacity a change freed.

    - The appeal left its assignee's open load (closed, cancelled, merged,
      answered, given to someone else): that agent may take more.
    - The appeal now waits (open, no assignee) after losing its assignee, moving
      queue or reopening: its queue's agents may take it.
    """
    if created or filling():
        return
    before = appeal.__dict__.pop(BEFORE, None)
    freed: int | None = None
    waits = False
    if before is not None:
        old_assignee, old_status, old_queue = before
        left_them = appeal.assignee_id != old_assignee or appeal.status not in OPEN
        if old_assignee is not None and old_status in OPEN and left_them:
            freed = old_assignee
        waits = (
            appeal.status in OPEN
            and appeal.assignee_id is None
            and appeal.queue_id is not None
            and (old_assignee is not None or old_status not in OPEN or old_queue != appeal.queue_id)
        )
    elif appeal.is_final and appeal.assignee_id is not None:
        # Merging writes the source with a bulk UPDATE (no pre_save): it is final now.
        freed = appeal.assignee_id
    if freed is not None:
        fill_capacity(user_ids=[freed])
        if ChannelLimit.objects.filter(channel=appeal.channel).exists():
            # The channel's total limit may have been what held everyone back.
            fill_capacity()
    if waits and appeal.queue_id is not None:
        fill_capacity(queue_ids=[appeal.queue_id])


def membership_saved(sender: type[Any], instance: Any, created: bool = False, **kwargs: Any) -> None:
    """``post_save`` of a queue membership: the new member may take the queue's waiting appeals.

    (Memberships written in bulk send no signal; the periodic fill picks those up.)
    """
    if created:
        fill_capacity(queue_ids=[instance.queue_id], user_ids=[instance.user_id])


def logged_out(sender: type[Any], request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_out``: someone who has left takes no new appeals."""
    if user is None or not getattr(user, "pk", None):
        return
    from okno.routing.agents.services.statuses import go_offline

    go_offline(user)
