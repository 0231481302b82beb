"""The supervisor board: each agent's status and load against their limits; each
queue's assignment mode, what waits in it and for how long, what is at risk or
overdue, what is being handled and what arrived today; each mailbox's mail of
today and what waits for an answer. Read in a fixed number of grouped queries,
whatever the number of queues, agents or mailboxes.

Supervisors see the agents, queues and mailboxes of the queues they belong to;
administrators and dispatchers see everything. Appeal counts go through
``okno.appeals.access.visible_appeals``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Channel, Status
from okno.appeals.models import Appeal
from okno.appeals.queries import deadline_condition
from okno.queues.models import Membership, Queue
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.models import AgentProfile, ChannelLimit
from okno.routing.agents.services.common import ROUTED_ROLES, TAKING_STATUSES, can_read_board, is_supervising
from okno.routing.choices import AssignmentMode
from okno.routing.models import QueueRouting

OPEN = sorted(Status.open_values())
# Open appeals that wait for us, not for the client: a mailbox's "waiting for an answer".
AWAITING_ANSWER = [Status.NEW, Status.IN_WORK]
AUTOMATIC = (AssignmentMode.ROUND_ROBIN, AssignmentMode.LEAST_LOADED)
STATUS_COLOURS: dict[str, str] = {
    AgentStatus.AVAILABLE: "success",
    AgentStatus.MAIL: "primary",
    AgentStatus.CHATS: "info",
    AgentStatus.BREAK: "warning",
    AgentStatus.CONSULTATION: "danger",
    AgentStatus.OFFLINE: "secondary",
}
# The order of the status tiles: those answering first, then asking for help, away.
STATUS_ORDER = (
    AgentStatus.AVAILABLE,
    AgentStatus.MAIL,
    AgentStatus.CHATS,
    AgentStatus.CONSULTATION,
    AgentStatus.BREAK,
    AgentStatus.OFFLINE,
)


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
    queue_ids: list[int] = field(default_factory=list)

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

    @property
    def takes_appeals(self) -> bool:
        return self.status in TAKING_STATUSES

    @property
    def asks_for_help(self) -> bool:
        return self.status == AgentStatus.CONSULTATION

    @property
    def free_places(self) -> int | None:
        """How many more appeals the agent may get now; None: no limit."""
        if not self.takes_appeals:
            return 0
        return None if self.max_open is None else max(self.max_open - self.open, 0)

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
    # Received longest ago among the open unassigned: how long the first in line waits.
    oldest_unassigned: datetime | None = None
    at_risk: int = 0
    overdue: int = 0
    due_today: int = 0
    by_status: dict[str, int] = field(default_factory=dict)  # open appeals per open status
    arrived_today: int = 0
    agents_taking: int = 0  # members in a status that takes appeals
    free_places: int | None = 0  # their free places together; None: someone has no limit

    @property
    def mode_label(self) -> str:
        return str(AssignmentMode(self.mode).label)

    @property
    def is_automatic(self) -> bool:
        return self.mode in AUTOMATIC

    @property
    def assigned(self) -> int:
        """Open appeals someone is handling."""
        return self.open - self.unassigned

    @property
    def statuses(self) -> list[tuple[str, str, int]]:
        return [(s, str(Status(s).label), self.by_status.get(s, 0)) for s in Status.open_values()]

    @property
    def pressure(self) -> dict[str, int | float] | None:
        """``<meter>`` of the waiting against the free places (full and red: more
        wait than the agents on duty can take); None when the places have no limit."""
        if self.free_places is None:
            return None
        top = max(self.free_places, 1)
        return {"value": min(self.unassigned, top), "max": top, "low": top * 0.5, "high": top * 0.99}

    def as_json(self) -> dict[str, Any]:
        return {
            "queue": {"id": self.queue.pk, "name": self.queue.display_name},
            "mode": self.mode,
            "open": self.open,
            "unassigned": self.unassigned,
            "waiting": self.waiting,
            "oldest_waiting_since": self.oldest_waiting,
            "oldest_unassigned_since": self.oldest_unassigned,
            "assigned": self.assigned,
            "by_status": {s: self.by_status.get(s, 0) for s in Status.open_values()},
            "at_risk": self.at_risk,
            "overdue": self.overdue,
            "due_today": self.due_today,
            "arrived_today": self.arrived_today,
            "agents_taking": self.agents_taking,
            "free_places": self.free_places,
        }


@dataclass
class MailboxRow:
    """A mailbox on the board: letters from clients today, appeals waiting for our answer."""

    id: int
    name: str
    address: str
    queue_id: int | None
    arrived_today: int
    waiting_for_answer: int

    def as_json(self) -> dict[str, Any]:
        return {
            "mailbox": {"id": self.id, "name": self.name, "address": self.address},
            "queue": self.queue_id,
            "arrived_today": self.arrived_today,
            "waiting_for_answer": self.waiting_for_answer,
        }


@dataclass
class Totals:
    """The queues on the board together (the wall's big numbers)."""

    open: int = 0
    unassigned: int = 0
    assigned: int = 0
    at_risk: int = 0
    overdue: int = 0
    due_today: int = 0
    arrived_today: int = 0
    oldest_unassigned: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "open": self.open,
            "unassigned": self.unassigned,
            "assigned": self.assigned,
            "at_risk": self.at_risk,
            "overdue": self.overdue,
            "due_today": self.due_today,
            "arrived_today": self.arrived_today,
            "oldest_unassigned_since": self.oldest_unassigned,
        }


@dataclass
class Board:
    agents: list[AgentRow]
    queues: list[QueueRow]
    channels: list[Load]  # channels with a total limit, or any open assigned appeal
    to_dispatcher: int
    may_change: bool
    mailboxes: list[MailboxRow] = field(default_factory=list)
    at: datetime = field(default_factory=timezone.now)

    @property
    def status_counts(self) -> list[tuple[str, str, str, int]]:
        counts = Counter(a.status for a in self.agents)
        return [(s.value, str(s.label), STATUS_COLOURS[s], counts[s]) for s in AgentStatus if counts[s]]

    @property
    def status_tiles(self) -> list[tuple[str, str, str, int]]:
        """Every status with its count, zeros too (the wall keeps its tiles in place)."""
        counts = Counter(a.status for a in self.agents)
        return [(s.value, str(s.label), STATUS_COLOURS[s], counts[s]) for s in STATUS_ORDER]

    @property
    def answering(self) -> int:
        """Agents in a status that takes appeals (available, on mail, on chats)."""
        return sum(1 for a in self.agents if a.takes_appeals)

    @property
    def consultations(self) -> list[AgentRow]:
        """Agents asking for help, the longest waiting first."""
        asking = [a for a in self.agents if a.asks_for_help]
        return sorted(asking, key=lambda a: (a.status_since or self.at, a.user.pk))

    @property
    def totals(self) -> Totals:
        out = Totals()
        for q in self.queues:
            out.open += q.open
            out.unassigned += q.unassigned
            out.assigned += q.assigned
            out.at_risk += q.at_risk
            out.overdue += q.overdue
            out.due_today += q.due_today
            out.arrived_today += q.arrived_today
            if q.oldest_unassigned and (out.oldest_unassigned is None or q.oldest_unassigned < out.oldest_unassigned):
                out.oldest_unassigned = q.oldest_unassigned
        return out

    def as_json(self) -> dict[str, Any]:
        counts = Counter(a.status for a in self.agents)
        return {
            "at": self.at,
            "agents": [a.as_json() for a in self.agents],
            "queues": [q.as_json() for q in self.queues],
            "channels": [c.as_json() for c in self.channels],
            "to_dispatcher": self.to_dispatcher,
            "statuses": {s.value: counts[s] for s in STATUS_ORDER},
            "answering": self.answering,
            "consultations": [
                {"user": a.user.pk, "name": a.user.display_name, "since": a.status_since} for a in self.consultations
            ],
            "mailboxes": [m.as_json() for m in self.mailboxes],
            "totals": self.totals.as_json(),
        }


def _scope(user: User) -> list[int] | None:
    """The queues a viewer's board covers; None: all."""
    if user.is_superuser or user.role in (Role.ADMIN, Role.DISPATCHER):
        return None
    return sorted(access.queue_ids_of(user))


def start_of_today(now: datetime) -> datetime:
    """Local midnight (the organisation's time zone): where "today" begins."""
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def board(user: User) -> Board:
    """What the supervisor board shows to ``user``."""
    if not can_read_board(user):
        raise PermissionDenied(_("Only supervisors, dispatchers and administrators see the board."))
    now = timezone.now()
    scope = _scope(user)
    queues = Queue.objects.filter(is_active=True)
    if scope is not None:
        queues = queues.filter(pk__in=scope)
    queue_list = list(queues)
    queue_ids = [q.pk for q in queue_list]

    agents = _agents(scope, queue_ids)
    visible = access.visible_appeals(user)
    queue_rows = _queue_rows(visible, queue_list, agents, now)

    caps = dict(ChannelLimit.objects.values_list("channel", "max_open"))
    totals = dict(
        Appeal.objects.filter(status__in=OPEN, assignee__isnull=False)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("id"))
    )
    labels = dict(Channel.choices)
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
        mailboxes=_mailbox_rows(visible, scope, now),
        at=now,
    )


def _agents(scope: list[int] | None, queue_ids: list[int]) -> list[AgentRow]:
    """Everyone routing gives appeals to (in the viewer's queues), with their status,
    skills and open appeals per channel: five queries for any number of people."""
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
    member_queues: dict[int, list[int]] = defaultdict(list)
    names = {q.pk: q.display_name for q in Queue.objects.all()}
    for user_id, queue_id in Membership.objects.filter(user_id__in=ids).values_list("user_id", "queue_id"):
        member_queues[user_id].append(queue_id)

    loads: dict[int, Counter[str]] = defaultdict(Counter)
    for user_id, channel, n in (
        Appeal.objects.filter(assignee_id__in=ids, status__in=OPEN)
        .order_by()
        .values_list("assignee_id", "channel")
        .annotate(n=Count("id"))
    ):
        loads[user_id][channel] += n
    labels = dict(Channel.choices)

    rows = []
    for u in user_list:
        profile = profiles.get(u.pk)
        limits = {str(k): int(v) for k, v in ((profile.channel_limits if profile else None) or {}).items()}
        used = sorted(set(loads[u.pk]) | set(limits))
        rows.append(
            AgentRow(
                user=u,
                status=profile.status if profile else AgentStatus.OFFLINE,
                status_since=profile.status_since if profile else None,
                max_open=profile.max_open if profile else None,
                open=sum(loads[u.pk].values()),
                channels=[Load(c, str(labels.get(c, c)), loads[u.pk][c], limits.get(c)) for c in used],
                languages=list(profile.languages or []) if profile else [],
                products=sorted(product_names.get(pk, "") for pk in product_ids.get(u.pk, [])),
                queues=sorted(names.get(pk, "") for pk in member_queues.get(u.pk, [])),
                queue_ids=sorted(member_queues.get(u.pk, [])),
            )
        )
    return rows


def _queue_rows(
    visible: QuerySet[Appeal], queue_list: list[Queue], agents: list[AgentRow], now: datetime
) -> list[QueueRow]:
    """Every queue's figures from one grouped query over its open appeals and those
    received today (plus one for the assignment modes)."""
    queue_ids = [q.pk for q in queue_list]
    today = start_of_today(now)
    is_open = Q(status__in=OPEN)
    unassigned = is_open & Q(assignee__isnull=True)
    for_automatic = unassigned & (Q(routing__isnull=True) | Q(routing__to_dispatcher=False))
    modes = dict(QueueRouting.objects.filter(queue_id__in=queue_ids).values_list("queue_id", "mode"))
    per_queue = {
        row["queue_id"]: row
        for row in visible.filter(queue_id__in=queue_ids)
        .filter(is_open | Q(created_at__gte=today))
        .order_by()
        .values("queue_id")
        .annotate(
            open=Count("id", filter=is_open),
            unassigned=Count("id", filter=unassigned),
            oldest_unassigned=Min("created_at", filter=unassigned),
            waiting=Count("id", filter=for_automatic),
            oldest=Min("created_at", filter=for_automatic),
            at_risk=Count("id", filter=deadline_condition("at_risk", now)),
            overdue=Count("id", filter=deadline_condition("overdue", now)),
            due_today=Count("id", filter=deadline_condition("due_today", now)),
            arrived_today=Count("id", filter=Q(created_at__gte=today)),
            **{f"status_{s}": Count("id", filter=Q(status=s)) for s in OPEN},
        )
    }
    # Who is on duty in each queue, and how many more appeals they may take.
    on_duty: dict[int, list[AgentRow]] = defaultdict(list)
    for agent in agents:
        if agent.takes_appeals:
            for queue_id in agent.queue_ids:
                on_duty[queue_id].append(agent)

    rows = []
    for q in queue_list:
        row: dict[str, Any] = dict(per_queue.get(q.pk) or {})
        mode = modes.get(q.pk, AssignmentMode.MANUAL)
        places = [a.free_places for a in on_duty.get(q.pk, [])]
        rows.append(
            QueueRow(
                queue=q,
                mode=mode,
                open=row.get("open", 0),
                unassigned=row.get("unassigned", 0),
                waiting=row.get("waiting", 0) if mode in AUTOMATIC else 0,
                oldest_waiting=row.get("oldest") if mode in AUTOMATIC else None,
                oldest_unassigned=row.get("oldest_unassigned"),
                at_risk=row.get("at_risk", 0),
                overdue=row.get("overdue", 0),
                due_today=row.get("due_today", 0),
                by_status={s: row.get(f"status_{s}", 0) for s in OPEN},
                arrived_today=row.get("arrived_today", 0),
                agents_taking=len(places),
                free_places=None if None in places else sum(p or 0 for p in places),
            )
        )
    return rows


def _mailbox_rows(visible: QuerySet[Appeal], scope: list[int] | None, now: datetime) -> list[MailboxRow]:
    """Active mailboxes (of the viewer's queues): client letters received today and
    the appeals they brought that wait for our answer (new or in work). Four
    queries for any number of mailboxes."""
    from okno.channels.mail import queries as mail_queries
    from okno.channels.mail.choices import InboundOutcome
    from okno.channels.mail.models import InboundMail, Mailbox

    mailboxes = Mailbox.objects.filter(is_active=True)
    if scope is not None:
        mailboxes = mailboxes.filter(queue_id__in=scope)
    found = list(mailboxes.order_by("name").values_list("pk", "name", "address", "queue_id"))
    if not found:
        return []
    ids = [pk for pk, *_rest in found]
    today = mail_queries.counts_since(start_of_today(now), ids)
    waiting = dict(
        InboundMail.objects.filter(
            mailbox_id__in=ids,
            outcome__in=[InboundOutcome.APPEAL, InboundOutcome.THREADED],
            appeal__in=visible.filter(status__in=AWAITING_ANSWER).values("pk"),
        )
        .order_by()
        .values_list("mailbox_id")
        .annotate(n=Count("appeal_id", distinct=True))
    )
    rows = []
    for pk, name, address, queue_id in found:
        counts = today.get(pk)
        # Letters from clients: new appeals, replies threaded into appeals, and those not processed yet.
        arrived = (counts.registered + counts.threaded + counts.pending) if counts else 0
        rows.append(MailboxRow(pk, name, address, queue_id, arrived, waiting.get(pk, 0)))
    return rows


def _product_names(ids: set[int]) -> dict[int, str]:
    from okno.catalog.models import Product

    return {p.pk: str(p.display_name) for p in Product.objects.filter(pk__in=sorted(ids))}
