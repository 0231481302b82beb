"""The supervisor board: each agent's status and load against their limits, each
queue's assignment mode and what waits in it, read in a few grouped queries.

Supervisors see the agents and queues of the queues they belong to;
administrators and dispatchers see everything. Appeal counts go through
``okno.appeals.access.visible_appeals``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Channel, Status
from okno.queues.models import Membership, Queue
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.models import AgentProfile, ChannelLimit
from okno.routing.agents.services.common import ROUTED_ROLES, can_read_board, is_supervising
from okno.routing.choices import AssignmentMode
from okno.routing.models import QueueRouting

OPEN = sorted(Status.open_values())
AUTOMATIC = (AssignmentMode.ROUND_ROBIN, AssignmentMode.LEAST_LOADED)
STATUS_COLOURS: dict[str, str] = {
    AgentStatus.AVAILABLE: "success",
    AgentStatus.MAIL: "primary",
    AgentStatus.CHATS: "info",
    AgentStatus.BREAK: "warning",
    AgentStatus.CONSULTATION: "danger",
    AgentStatus.OFFLINE: "secondary",
}


@dataclass
class Load:
    """Open appeals of one channel (or all of them) against a limit (None: none)."""

    channel: str
    label: str
    open: int
    limit: int | None

    @property
    def full(self) -> bool:
        return self.limit is not None and self.open >= self.limit

    @property
    def meter(self) -> dict[str, str]:
        """``<meter>`` bounds (as attribute text): green below three quarters of
        the limit, amber above, red at the limit."""
        limit = self.limit or 0
        return {"low": f"{limit * 0.75:.2f}", "high": f"{max(limit - 0.5, 0):.2f}"}

    def as_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "open": self.open, "limit": self.limit}


@dataclass
class AgentRow:
    user: User
    status: str
    status_since: datetime | None
    max_open: int | None
    open: int
    channels: list[Load]
    languages: list[str]
    products: list[str]
    queues: list[str]

    @property
    def status_label(self) -> str:
        return str(AgentStatus(self.status).label)

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(s.value, str(s.label)) for s in AgentStatus]

    @property
    def total(self) -> Load:
        return Load("", _("All channels"), self.open, self.max_open)

    def as_json(self) -> dict[str, Any]:
        return {
            "user": {"id": self.user.pk, "username": self.user.username, "name": self.user.display_name},
            "status": self.status,
            "status_since": self.status_since,
            "open": self.open,
            "max_open": self.max_open,
            "channels": [c.as_json() for c in self.channels],
            "languages": self.languages,
            "products": self.products,
            "queues": self.queues,
        }


@dataclass
class QueueRow:
    queue: Queue
    mode: str
    open: int
    unassigned: int
    waiting: int  # unassigned and left to automatic assignment
    oldest_waiting: datetime | None

    @property
    def mode_label(self) -> str:
        return str(AssignmentMode(self.mode).label)

    @property
    def is_automatic(self) -> bool:
        return self.mode in AUTOMATIC

    def as_json(self) -> dict[str, Any]:
        return {
            "queue": {"id": self.queue.pk, "name": self.queue.display_name},
            "mode": self.mode,
            "open": self.open,
            "unassigned": self.unassigned,
            "waiting": self.waiting,
            "oldest_waiting_since": self.oldest_waiting,
        }


@dataclass
class Board:
    agents: list[AgentRow]
    queues: list[QueueRow]
    channels: list[Load]  # channels with a total limit, or any open assigned appeal
    to_dispatcher: int
    may_change: bool
    at: datetime = field(default_factory=timezone.now)

    @property
    def status_counts(self) -> list[tuple[str, str, str, int]]:
        counts = Counter(a.status for a in self.agents)
        return [(s.value, str(s.label), STATUS_COLOURS[s], counts[s]) for s in AgentStatus if counts[s]]

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "agents": [a.as_json() for a in self.agents],
            "queues": [q.as_json() for q in self.queues],
            "channels": [c.as_json() for c in self.channels],
            "to_dispatcher": self.to_dispatcher,
        }


def _scope(user: User) -> list[int] | None:
    """The queues a viewer's board covers; None: all."""
    if user.is_superuser or user.role in (Role.ADMIN, Role.DISPATCHER):
        return None
    return sorted(access.queue_ids_of(user))


def board(user: User) -> Board:
    """What the supervisor board shows to ``user``."""
    if not can_read_board(user):
        raise PermissionDenied(_("Only supervisors, dispatchers and administrators see the board."))
    scope = _scope(user)
    queues = Queue.objects.filter(is_active=True)
    if scope is not None:
        queues = queues.filter(pk__in=scope)
    queue_list = list(queues)
    queue_ids = [q.pk for q in queue_list]

    users = User.objects.filter(is_active=True, role__in=ROUTED_ROLES)
    if scope is not None:
        users = users.filter(memberships__queue_id__in=queue_ids).distinct()
    user_list = sorted(users, key=lambda u: (u.display_name.lower(), u.pk))
    ids = [u.pk for u in user_list]
    profiles = {p.user_id: p for p in AgentProfile.objects.filter(user_id__in=ids)}
    product_ids: dict[int, list[int]] = defaultdict(list)
    through = AgentProfile.products.through
    for profile_id, product_id in through.objects.filter(agentprofile_id__in=ids).values_list(
        "agentprofile_id", "product_id"
    ):
        product_ids[profile_id].append(product_id)
    product_names = _product_names({pk for pks in product_ids.values() for pk in pks})
    member_queues: dict[int, list[str]] = defaultdict(list)
    names = {q.pk: q.display_name for q in Queue.objects.all()}
    for user_id, queue_id in Membership.objects.filter(user_id__in=ids).values_list("user_id", "queue_id"):
        member_queues[user_id].append(names.get(queue_id, ""))

    from okno.appeals.models import Appeal

    loads: dict[int, Counter[str]] = defaultdict(Counter)
    for user_id, channel, n in (
        Appeal.objects.filter(assignee_id__in=ids, status__in=OPEN)
        .order_by()
        .values_list("assignee_id", "channel")
        .annotate(n=Count("id"))
    ):
        loads[user_id][channel] += n
    labels = dict(Channel.choices)

    agents = []
    for u in user_list:
        profile = profiles.get(u.pk)
        limits = {str(k): int(v) for k, v in ((profile.channel_limits if profile else None) or {}).items()}
        used = sorted(set(loads[u.pk]) | set(limits))
        agents.append(
            AgentRow(
                user=u,
                status=profile.status if profile else AgentStatus.OFFLINE,
                status_since=profile.status_since if profile else None,
                max_open=profile.max_open if profile else None,
                open=sum(loads[u.pk].values()),
                channels=[Load(c, str(labels.get(c, c)), loads[u.pk][c], limits.get(c)) for c in used],
                languages=list(profile.languages or []) if profile else [],
                products=sorted(product_names.get(pk, "") for pk in product_ids.get(u.pk, [])),
                queues=sorted(member_queues.get(u.pk, [])),
            )
        )

    visible = access.visible_appeals(user).filter(status__in=OPEN)
    modes = dict(QueueRouting.objects.filter(queue_id__in=queue_ids).values_list("queue_id", "mode"))
    per_queue = {
        row["queue_id"]: row
        for row in visible.filter(queue_id__in=queue_ids)
        .order_by()
        .values("queue_id")
        .annotate(
            open=Count("id"),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            waiting=Count(
                "id",
                filter=Q(assignee__isnull=True) & (Q(routing__isnull=True) | Q(routing__to_dispatcher=False)),
            ),
            oldest=Min(
                "created_at",
                filter=Q(assignee__isnull=True) & (Q(routing__isnull=True) | Q(routing__to_dispatcher=False)),
            ),
        )
    }
    queue_rows = []
    for q in queue_list:
        row: dict[str, Any] = dict(per_queue.get(q.pk) or {})
        mode = modes.get(q.pk, AssignmentMode.MANUAL)
        queue_rows.append(
            QueueRow(
                queue=q,
                mode=mode,
                open=row.get("open", 0),
                unassigned=row.get("unassigned", 0),
                waiting=row.get("waiting", 0) if mode in AUTOMATIC else 0,
                oldest_waiting=row.get("oldest") if mode in AUTOMATIC else None,
            )
        )

    caps = dict(ChannelLimit.objects.values_list("channel", "max_open"))
    totals = dict(
        Appeal.objects.filter(status__in=OPEN, assignee__isnull=False)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("id"))
    )
    channels = [Load(c, str(labels.get(c, c)), totals.get(c, 0), caps.get(c)) for c in sorted(set(caps) | set(totals))]
    # The same list as the dispatcher's page: sent by a rule, in a manual queue, or in none.
    from okno.routing.services.dispatch import waiting_for_dispatcher

    to_dispatcher = waiting_for_dispatcher(user).count()
    return Board(
        agents=agents,
        queues=queue_rows,
        channels=channels,
        to_dispatcher=to_dispatcher,
        may_change=is_supervising(user),
    )


def _product_names(ids: set[int]) -> dict[int, str]:
    from okno.catalog.models import Product

    return {p.pk: str(p.display_name) for p in Product.objects.filter(pk__in=sorted(ids))}
