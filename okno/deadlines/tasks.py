"""Background work of the deadlines domain; each task only wraps a service."""

from __future__ import annotations

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from okno.background.schedule import periodic
from okno.deadlines.services import recompute, sweep


@periodic("* * * * *", description=_("Send deadline reminders and record breaches due now"))
@task
def sweep_deadlines() -> dict[str, int]:
    return sweep.sweep().as_dict()


@task
def recompute_deadlines(*, calendar_id: int | None = None, policy_id: int | None = None, reason: str = "") -> int:
    """Re-plan the running clocks a calendar or policy edit touches."""
    return recompute.recompute_running(calendar_id=calendar_id, policy_id=policy_id, reason=reason)


@task
def rematch_deadlines(*, policy_id: int, reason: str = "") -> int:
    """Move open appeals to the policy that applies to them after a policy's criteria,
    order or switch changed."""
    from okno.deadlines.services import policy_admin

    return policy_admin.rematch_running(policy_id=policy_id, reason=reason)
