"""Telling live pages that an appeal changed (inside the transaction)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from okno.appeals.models import Appeal
from okno.appeals.services import hooks
from okno.live import publish


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
    publish(
        ["appeals", f"appeal-{appeal.pk}"],
        {"id": appeal.pk, "number": appeal.number},
        queue_ids=[appeal.queue_id, *also_queues],
        user_ids=[appeal.assignee_id, *also_users],
    )


def touch(appeal: Appeal) -> None:
    """Mark the appeal as updated now (lists sort and filter by it)."""
    appeal.updated_at = timezone.now()
