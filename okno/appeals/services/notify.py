"""Telling live pages that an appeal changed (inside the transaction)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.utils import timezone

from okno.appeals.models import Appeal
from okno.appeals.services import hooks
from okno.live import envelope, publish_many
from okno.live.envelope import Envelope


def appeal_changed(
    appeal: Appeal,
    *,
    also_queues: Iterable[int | None] = (),
    also_users: Iterable[int | None] = (),
    created: bool = False,
) -> None:
    """Derived state (deadlines) follows the change; inbox lists and the appeal's own
    page refresh; former queues and assignees hear of it too, so the appeal leaves
    their lists."""
    hooks.appeal_changed(appeal, created=created)
    publish_many([_envelope(appeal, also_queues, also_users)])


def appeals_registered(appeals: Sequence[Appeal], writers: Sequence[Callable[[], None]]) -> None:
    """New appeals are in: their derived state is written (``writers`` from
    ``hooks.registering`` before the INSERT), and inbox lists hear of each."""
    hooks.registered(appeals, writers)
    publish_many([_envelope(appeal) for appeal in appeals])


def _envelope(
    appeal: Appeal, also_queues: Iterable[int | None] = (), also_users: Iterable[int | None] = ()
) -> Envelope:
    return envelope(
        ["appeals", f"appeal-{appeal.pk}"],
        {"id": appeal.pk, "number": appeal.number},
        queue_ids=[appeal.queue_id, *also_queues],
        user_ids=[appeal.assignee_id, *also_users],
    )


def touch(appeal: Appeal) -> None:
    """Mark the appeal as updated now (lists sort and filter by it)."""
    appeal.updated_at = timezone.now()
