"""Reading agents' settings: everyone reads their own; supervisors, dispatchers and
administrators read everyone's (the board shows the same)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals.choices import Status
from okno.appeals.models import Appeal
from okno.core.errors import NotFound
from okno.queues.models import Membership
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.models import AgentProfile
from okno.routing.agents.services.common import ROUTED_ROLES, can_read_board


@dataclass
class AgentInfo:
    """An agent's profile (defaults if none was made yet) with what it refers to."""

    user: User
    status: str
    status_since: datetime | None
    max_open: int | None
    channel_limits: dict[str, int]
    languages: list[str]
    products: list[int]
    queues: list[int]
    open: int
    last_assigned_at: datetime | None

    @property
    def status_label(self) -> str:
        return str(AgentStatus(self.status).label)


def may_read(viewer: User, user_id: int) -> bool:
    return viewer.pk == user_id or can_read_board(viewer)


def _infos(users: list[User]) -> list[AgentInfo]:
    ids = [u.pk for u in users]
    profiles = {p.user_id: p for p in AgentProfile.objects.filter(user_id__in=ids)}
    products: dict[int, list[int]] = defaultdict(list)
    through = AgentProfile.products.through
    for profile_id, product_id in (
        through.objects.filter(agentprofile_id__in=ids)
        .order_by("product_id")
        .values_list("agentprofile_id", "product_id")
    ):
        products[profile_id].append(product_id)
    queues: dict[int, list[int]] = defaultdict(list)
    for user_id, queue_id in (
        Membership.objects.filter(user_id__in=ids).order_by("queue_id").values_list("user_id", "queue_id")
    ):
        queues[user_id].append(queue_id)
    open_counts = dict(
        Appeal.objects.filter(assignee_id__in=ids, status__in=Status.open_values())
        .order_by()
        .values_list("assignee_id")
        .annotate(n=Count("id"))
    )
    infos = []
    for user in users:
        profile = profiles.get(user.pk)
        infos.append(
            AgentInfo(
                user=user,
                status=profile.status if profile else AgentStatus.OFFLINE,
                status_since=profile.status_since if profile else None,
                max_open=profile.max_open if profile else None,
                channel_limits=dict(profile.channel_limits or {}) if profile else {},
                languages=list(profile.languages or []) if profile else [],
                products=products.get(user.pk, []),
                queues=queues.get(user.pk, []),
                open=open_counts.get(user.pk, 0),
                last_assigned_at=profile.last_assigned_at if profile else None,
            )
        )
    return infos


def agents(viewer: User) -> list[AgentInfo]:
    """Every active person automatic assignment may give appeals to."""
    if not can_read_board(viewer):
        raise PermissionDenied(_("Only supervisors, dispatchers and administrators see other agents."))
    users = User.objects.filter(is_active=True, role__in=ROUTED_ROLES).order_by("last_name", "first_name", "username")
    return _infos(list(users))


def agent(viewer: User, user_id: int) -> AgentInfo:
    """One person's status, limits and skills: their own, or anyone's for those who see the board."""
    if not may_read(viewer, user_id):
        raise PermissionDenied(_("You may see only your own limits."))
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound(_("No such user."))
    return _infos([user])[0]
