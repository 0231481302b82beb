"""Re-planning running deadlines after a calendar or a policy changed."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from okno.appeals.models import Appeal
from okno.deadlines.models import AppealClock
from okno.deadlines.services import clocks, policies

BATCH = 500


def recompute_running(*, calendar_id: int | None = None, policy_id: int | None = None, reason: str = "") -> int:
    """Re-plan every running clock on ``calendar_id`` or under ``policy_id``, a batch
    of appeals per transaction (a long job must not hold the write lock). Returns
    how many deadlines moved; each move is an event with ``reason``."""
    running = AppealClock.objects.filter(met_at__isnull=True, cancelled_at__isnull=True)
    if calendar_id is not None:
        running = running.filter(calendar_id=calendar_id)
    if policy_id is not None:
        running = running.filter(policy_id=policy_id)
    appeal_ids = sorted(set(running.values_list("appeal_id", flat=True)))
    if policy_id is not None:
        policies.forget()
    reason = reason or _("The calendar or the deadline policy changed.")
    moved = 0
    for start in range(0, len(appeal_ids), BATCH):
        with transaction.atomic():
            # Locked, like every appeal operation: two re-plannings (two quick policy
            # edits) or a re-planning and a re-matching must not both move one deadline.
            batch = Appeal.objects.select_for_update().filter(pk__in=appeal_ids[start : start + BATCH]).order_by("pk")
            for appeal in batch:
                moved += clocks.recompute_appeal(appeal, reason=reason)
    return moved


def schedule(*, calendar_id: int | None = None, policy_id: int | None = None, reason: str = "") -> None:
    """Queue the re-planning after the change commits."""
    from okno.deadlines.tasks import recompute_deadlines

    transaction.on_commit(
        lambda: recompute_deadlines.enqueue(calendar_id=calendar_id, policy_id=policy_id, reason=reason)
    )
