"""Setting up agents and automatic queues for the tests, through the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals.choices import Channel
from okno.appeals.models import Appeal
from okno.appeals.services import SystemActor, register_appeal
from okno.queues.models import Queue
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services import limits, statuses
from okno.routing.choices import AssignmentMode
from okno.testing import Org, make_user

ROBOT = SystemActor("test")


def automatic(org: Org, queue: Queue, mode: str = AssignmentMode.ROUND_ROBIN) -> None:
    limits.set_queue_mode(org.adam, queue, mode)


def agent(
    org: Org,
    username: str,
    *queues: Queue,
    status: str = AgentStatus.AVAILABLE,
    role: Role = Role.AGENT,
    **settings: Any,
) -> User:
    """A new agent in ``queues`` with ``status`` and limits/skills ``settings``."""
    user = make_user(username, role, *queues, first_name=username.title(), last_name=username.title())
    if settings:
        limits.update_agent(org.adam, user, settings)
    if status != AgentStatus.OFFLINE:
        statuses.set_status(user, user, status)
    return user


def arrive(org: Org, queue: Queue | None = None, *, channel: str = Channel.PHONE, **fields: Any) -> Appeal:
    """An appeal registered by a robot (routing may decide everything)."""
    data: dict[str, Any] = {
        "subject": "Списали комиссию за обслуживание карты",
        "channel": channel,
        "kind": org.complaint,
        "queue": queue or org.claims,
    }
    data.update(fields)
    return register_appeal(ROBOT, **data)


def assignee_of(appeal: Appeal) -> str | None:
    appeal.refresh_from_db()
    return appeal.assignee.username if appeal.assignee else None


def received(days_ago: float) -> datetime:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(days=days_ago)
