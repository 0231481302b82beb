"""Agents' statuses: set by the agent, or by a supervisor or an administrator for
anyone. A status changes routing at once: a taking status fills the agent's
free capacity in the same transaction; consultation asks the supervisors of the
agent's queues for help. Logging out sets "offline"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.core.errors import InvalidInput, NotFound, choice_of
from okno.live import publish
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.models import AgentProfile, AgentStatusChange
from okno.routing.agents.services.common import TAKING_STATUSES, is_routed, is_supervising, lock_assignment

# Live messages: the board of everyone who watches it; the agent's own switcher.
BOARD_EVENT = "agents"
OWN_EVENT = "agent-status"


def may_set(actor: User, agent: User) -> bool:
    """The agent themself, or a supervisor or an administrator for anyone."""
    if not (actor.is_authenticated and actor.is_active):
        return False
    return actor.pk == agent.pk or is_supervising(actor)


def _agent(agent: User | int) -> User:
    if isinstance(agent, User):
        return agent
    found = User.objects.filter(pk=agent).first()
    if found is None:
        raise NotFound(_("No such user."))
    return found


@transaction.atomic
def set_status(actor: User, agent: User | int, status: str) -> AgentProfile:
    """Put ``agent`` in ``status``; returns their profile. Setting the status they
    already have changes nothing (no history row, no live message)."""
    status = choice_of(status, AgentStatus, "status")
    agent = _agent(agent)
    if not may_set(actor, agent):
        raise PermissionDenied(_("You may change only your own status."))
    if not is_routed(agent):
        raise InvalidInput(_("%(user)s does not take appeals.") % {"user": agent.display_name}, field="user")
    return _set(agent, status, changed_by=actor)


def go_offline(agent: User) -> None:
    """The agent left (logged out): no new appeals until they say otherwise."""
    if AgentProfile.objects.filter(user_id=agent.pk).exclude(status=AgentStatus.OFFLINE).exists():
        with transaction.atomic():
            _set(agent, AgentStatus.OFFLINE, changed_by=agent)


def _set(agent: User, status: str, *, changed_by: User | None) -> AgentProfile:
    # The assignment lock first (as assignment takes it before it writes profiles),
    # then the profile row: the same order everywhere, so no deadlock.
    lock_assignment()
    profile = AgentProfile.objects.select_for_update().filter(user_id=agent.pk).first()
    if profile is None:
        profile, _created = AgentProfile.objects.get_or_create(user_id=agent.pk)
    if profile.status == status:
        return profile
    previous = profile.status
    now = timezone.now()
    profile.status, profile.status_since = status, now
    profile.save(update_fields=["status", "status_since"])
    AgentStatusChange.objects.create(user=agent, status=status, previous=previous, at=now, changed_by=changed_by)
    publish([BOARD_EVENT], {"user": agent.pk, "status": status}, everyone=True)
    publish([OWN_EVENT], {"status": status}, user_ids=[agent.pk], private=True)
    if status == AgentStatus.CONSULTATION:
        _ask_for_help(agent)
    if status in TAKING_STATUSES:
        from okno.routing.agents.services.assignment import fill_capacity

        fill_capacity(user_ids=[agent.pk])
    return profile


def supervisors_of(agent: User) -> list[int]:
    """The supervisors of the agent's queues; if none, every supervisor."""
    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR).exclude(pk=agent.pk)
    queue_ids = list(agent.memberships.values_list("queue_id", flat=True))
    mine = list(supervisors.filter(memberships__queue_id__in=queue_ids).values_list("pk", flat=True).distinct())
    return sorted(set(mine)) if mine else sorted(supervisors.values_list("pk", flat=True))


def _ask_for_help(agent: User) -> None:
    from okno.notifications.choices import NotificationKind
    from okno.notifications.services import notify

    notify(NotificationKind.CONSULTATION, supervisors_of(agent), params={"agent": agent.pk})


def consultation_text(params: dict[str, Any]) -> str:
    """What the supervisor's notification says (rendered when read: the name as it is now)."""
    pk = params.get("agent")
    agent = User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if agent is None:
        return _("An agent asks for help. See the supervisor board.")
    return _("%(agent)s asks for help. See the supervisor board.") % {"agent": agent.display_name}


def history(agent: User | int, limit: int = 50) -> list[AgentStatusChange]:
    pk = agent.pk if isinstance(agent, User) else agent
    return list(AgentStatusChange.objects.filter(user_id=pk).select_related("changed_by")[:limit])
