"""Automatic assignment: giving new and waiting appeals to agents who may take them.

A queue assigns by hand (a dispatcher), round-robin or to the least loaded agent
(``QueueRouting.mode``). An agent may be given an appeal when they are an active
member of its queue with a routed role, their status takes its channel
(available: any; working on mail: mail; working on chats: messenger and portal;
break, consultation, offline: nothing), they are under their limits (open
appeals overall and per channel), the channel's total limit is not reached, and
they have the skills (language, product) if they list any. An appeal whose
language is unknown, or that has no product, asks no skill.

Limits and statuses bind automatic assignment only: a person may assign by hand
beyond them.

Two paths:

- :func:`assign_arrivals`: at registration, inside the registering transaction,
  before the INSERT (the appeals go in with their assignee);
- :func:`fill_capacity`: when capacity frees up (an appeal closed, cancelled,
  merged, answered or given to someone else; an agent becomes available; a limit
  is raised; a queue becomes automatic; a membership is added), the waiting
  appeals are given away, the most urgent first: those still within their
  deadline by least time left, then the overdue ones (oldest due first), then
  those without a deadline; ties by priority, then age.

Both count the loads under :func:`~okno.routing.agents.services.common.lock_assignment`,
so two at once never push an agent past a limit. Loads are read in a handful of
queries per batch and decided in memory.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals.choices import Status
from okno.appeals.models import Appeal
from okno.appeals.services.actors import SystemActor
from okno.core import fastsql
from okno.queues.models import Queue
from okno.routing.agents.models import AgentProfile
from okno.routing.agents.services.common import ROUTED_ROLES, TAKING_STATUSES, lock_assignment, takes
from okno.routing.choices import AssignmentMode
from okno.routing.models import QueueRouting

if TYPE_CHECKING:
    from okno.appeals.services.hooks import Arrival

AUTOMATIC = (AssignmentMode.ROUND_ROBIN, AssignmentMode.LEAST_LOADED)
OPEN = frozenset(Status.open_values())
# Waiting appeals looked at per call of fill_capacity: the rest wait for the next
# call (the periodic job runs it every minute), so one transaction stays short.
FILL_BATCH = 200
ROBOT = SystemActor("routing")
# Set on an appeal that assign_arrivals gave away (its assignee gets notified).
AUTO_MARK = "_okno_auto_assigned"
_EPOCH = datetime.min.replace(tzinfo=UTC)

_filling: contextvars.ContextVar[bool] = contextvars.ContextVar("okno_agents_filling", default=False)


def filling() -> bool:
    """Whether this thread is inside :func:`fill_capacity` (its own assignments
    call the appeal hooks again; they must not start another fill)."""
    return _filling.get()


@contextmanager
def _guard() -> Iterator[None]:
    token = _filling.set(True)
    try:
        yield
    finally:
        _filling.reset(token)


@dataclass(slots=True)
class AgentLoad:
    """One agent as assignment sees them: what they may take and what they hold.
    ``person`` holds the user's columns; the ``User`` is made only for the one chosen."""

    user_id: int
    person: tuple[Any, ...]
    status: str
    max_open: int | None
    channel_limits: dict[str, int]
    languages: frozenset[str]
    products: frozenset[int]
    last_assigned_at: datetime | None
    open_total: int = 0
    open_by_channel: Counter[str] = field(default_factory=Counter)

    def fits(self, channel: str, language: str, product_id: int | None) -> bool:
        if not takes(self.status, channel):
            return False
        if self.max_open is not None and self.open_total >= self.max_open:
            return False
        limit = self.channel_limits.get(channel)
        if limit is not None and self.open_by_channel[channel] >= limit:
            return False
        if self.languages and language and language not in self.languages:
            return False
        return not (self.products and product_id is not None and product_id not in self.products)

    def has_room(self) -> bool:
        return self.status in TAKING_STATUSES and (self.max_open is None or self.open_total < self.max_open)

    @property
    def user(self) -> User:
        return User.from_db(connection.alias, ["id", *_USER_FIELDS], (self.user_id, *self.person))


@dataclass
class Pool:
    """Who may take appeals of which automatic queue, with their loads, for one decision pass."""

    routing: dict[int, QueueRouting]
    agents: dict[int, AgentLoad]
    members: dict[int, list[int]]  # queue id -> user ids (ascending) of members who take appeals
    channel_caps: dict[str, int]
    channel_open: Counter[str]
    now: datetime = field(default_factory=timezone.now)
    moved_queues: set[int] = field(default_factory=set)
    assigned_agents: set[int] = field(default_factory=set)

    def pick(
        self, queue_id: int | None, channel: str, language: str, product_id: int | None
    ) -> tuple[User, str] | None:
        """The agent the queue's mode gives this appeal to, with the note for the
        event; counted at once, so the next pick of the batch sees it."""
        routing = self.routing.get(queue_id) if queue_id is not None else None
        if routing is None or routing.mode not in AUTOMATIC:
            return None
        cap = self.channel_caps.get(channel)
        if cap is not None and self.channel_open[channel] >= cap:
            return None
        fitting = [
            agent
            for user_id in self.members.get(routing.queue_id, ())
            if (agent := self.agents[user_id]).fits(channel, language, product_id)
        ]
        if not fitting:
            return None
        queue = routing.queue.display_name
        if routing.mode == AssignmentMode.ROUND_ROBIN:
            last = routing.last_assigned_id or 0
            chosen = next((agent for agent in fitting if agent.user_id > last), fitting[0])
            routing.last_assigned_id = chosen.user_id
            self.moved_queues.add(routing.queue_id)
            note = _("Assigned automatically: round-robin in the queue «%(queue)s».") % {"queue": queue}
        else:
            chosen = min(fitting, key=lambda a: (a.open_total, a.last_assigned_at or _EPOCH, a.user_id))
            note = _("Assigned automatically: the least loaded in the queue «%(queue)s» (%(open)s open appeals).") % {
                "queue": queue,
                "open": chosen.open_total,
            }
        chosen.open_total += 1
        chosen.open_by_channel[channel] += 1
        chosen.last_assigned_at = self.now
        self.channel_open[channel] += 1
        self.assigned_agents.add(chosen.user_id)
        return chosen.user, note

    def has_room(self) -> bool:
        return any(self.agents[user_id].has_room() for ids in self.members.values() for user_id in ids)

    def queues_with_room(self) -> list[int]:
        return sorted(q for q, ids in self.members.items() if any(self.agents[u].has_room() for u in ids))

    def save(self) -> None:
        """Remember the round-robin positions and when each agent last got an appeal."""
        with connection.cursor() as cursor:
            for queue_id in sorted(self.moved_queues):
                cursor.execute(
                    "UPDATE routing_queuerouting SET last_assigned_id = %s WHERE queue_id = %s",
                    [self.routing[queue_id].last_assigned_id, queue_id],
                )
            if self.assigned_agents:
                ids = sorted(self.assigned_agents)
                marks = fastsql.placeholders(ids)
                cursor.execute(
                    f"UPDATE agents_agentprofile SET last_assigned_at = %s WHERE user_id IN ({marks})",  # noqa: S608 - placeholders only
                    [connection.ops.adapt_datetimefield_value(self.now), *ids],
                )


def load_pool(
    queue_ids: Iterable[int] | None = None,
    user_ids: Iterable[int] | None = None,
    *,
    routing: Sequence[QueueRouting] | None = None,
    channels: Iterable[str] | None = None,
) -> Pool:
    """The automatic queues (all, or these), the members who take appeals now
    (all, or these users) and their loads; the channel totals of ``channels`` (or
    of every channel with a limit). Call it under the assignment lock.

    It runs at every registration into an automatic queue, so it reads with fixed
    SQL (``fastsql.select``), a handful of statements whatever the size of the team.
    """
    if routing is None:
        routing = automatic_routing(None if queue_ids is None else sorted(set(queue_ids)))
    by_queue = {r.queue_id: r for r in routing}
    members: dict[int, list[int]] = {}
    agents: dict[int, AgentLoad] = {}
    if by_queue:
        members, agents = _members(sorted(by_queue), None if user_ids is None else sorted(set(user_ids)))
    # Each channel's limit with its open assigned appeals now, in one statement.
    caps: dict[str, int] = {}
    channel_open: Counter[str] = Counter()
    sql, params = _CAPS_SQL, list(_OPEN_LIST)
    if channels is not None:
        wanted = sorted(set(channels))
        sql += f" WHERE l.channel IN ({fastsql.placeholders(wanted)})"
        params += wanted
    for channel, cap, held in fastsql.select(sql, params, [None, None, None]):
        caps[channel] = cap
        channel_open[channel] = held
    return Pool(routing=by_queue, agents=agents, members=members, channel_caps=caps, channel_open=channel_open)


_OPEN_LIST = sorted(OPEN)
_OPEN_MARKS = fastsql.placeholders(_OPEN_LIST)
_ROUTING_SQL = (
    "SELECT r.queue_id, r.mode, r.auto_apply_threshold, r.last_assigned_id, q.name, q.name_en"
    " FROM routing_queuerouting r JOIN queues_queue q ON q.id = r.queue_id WHERE r.mode IN ({modes})"
)
_MEMBERS_SQL = (
    "SELECT m.queue_id, m.user_id, p.status, p.max_open, p.channel_limits, p.languages, p.last_assigned_at,"
    " EXISTS (SELECT 1 FROM agents_agentprofile_products pp WHERE pp.agentprofile_id = p.user_id),"
    " u.is_superuser, u.username, u.first_name, u.last_name, u.is_active, u.role, u.patronymic"
    " FROM queues_membership m JOIN accounts_user u ON u.id = m.user_id"
    " JOIN agents_agentprofile p ON p.user_id = m.user_id"
    " WHERE m.queue_id IN ({queues}) AND u.is_active = %s AND u.role IN ({roles}) AND p.status IN ({statuses})"
)
_PRODUCTS_SQL = "SELECT agentprofile_id, product_id FROM agents_agentprofile_products WHERE agentprofile_id IN ({ids})"
_LOADS_SQL = (
    "SELECT assignee_id, channel, COUNT(*) FROM appeals_appeal"
    " WHERE assignee_id IN ({ids}) AND status IN ({statuses}) GROUP BY assignee_id, channel"
)
_CAPS_SQL = (
    "SELECT l.channel, l.max_open, (SELECT COUNT(*) FROM appeals_appeal a WHERE a.channel = l.channel"  # noqa: S608 - placeholders only
    f" AND a.status IN ({_OPEN_MARKS}) AND a.assignee_id IS NOT NULL) FROM agents_channellimit l"
)
# In the model's field order (``Model.from_db`` takes the values so).
_USER_FIELDS = ("is_superuser", "username", "first_name", "last_name", "is_active", "role", "patronymic")


def automatic_routing(queue_ids: Sequence[int] | None) -> list[QueueRouting]:
    """The routing of the automatic queues (all, or these), with the queue's names."""
    modes = sorted(AUTOMATIC)
    sql = _ROUTING_SQL.format(modes=fastsql.placeholders(modes))
    params: list[object] = list(modes)
    if queue_ids is not None:
        if not queue_ids:
            return []
        sql += f" AND r.queue_id IN ({fastsql.placeholders(queue_ids)})"
        params += queue_ids
    fields = [f for f in QueueRouting._meta.concrete_fields]  # queue, mode, auto_apply_threshold, last_assigned
    queue_fields = [Queue._meta.get_field("name"), Queue._meta.get_field("name_en")]
    found = []
    db = connection.alias
    for row in fastsql.select(sql + " ORDER BY r.queue_id", params, [*fields, *queue_fields]):
        routing = QueueRouting.from_db(db, [f.attname for f in fields], row[:4])
        routing.queue = Queue.from_db(db, ["id", "name", "name_en"], (row[0], *row[4:]))
        found.append(routing)
    return found


def _members(queue_ids: list[int], user_ids: list[int] | None) -> tuple[dict[int, list[int]], dict[int, AgentLoad]]:
    """Members of these queues who take appeals now (of these users), and each one's load."""
    roles, statuses = sorted(ROUTED_ROLES), sorted(TAKING_STATUSES)
    sql = _MEMBERS_SQL.format(
        queues=fastsql.placeholders(queue_ids),
        roles=fastsql.placeholders(roles),
        statuses=fastsql.placeholders(statuses),
    )
    params: list[object] = [*queue_ids, True, *roles, *statuses]
    if user_ids is not None:
        sql += f" AND m.user_id IN ({fastsql.placeholders(user_ids)})"
        params += user_ids
    profile = AgentProfile._meta
    fields = [
        None,
        None,
        None,
        None,
        profile.get_field("channel_limits"),
        profile.get_field("languages"),
        profile.get_field("last_assigned_at"),
        None,
        *(User._meta.get_field(name) for name in _USER_FIELDS),
    ]
    members: dict[int, list[int]] = {}
    agents: dict[int, AgentLoad] = {}
    skilled: set[int] = set()
    for queue_id, user_id, status, max_open, limits, languages, last, has_products, *names in fastsql.select(
        sql + " ORDER BY m.queue_id, m.user_id", params, fields
    ):
        members.setdefault(queue_id, []).append(user_id)
        if has_products:
            skilled.add(user_id)
        if user_id not in agents:
            agents[user_id] = AgentLoad(
                user_id=user_id,
                person=tuple(names),
                status=status,
                max_open=max_open,
                channel_limits={str(k): int(v) for k, v in (limits or {}).items() if v is not None},
                languages=frozenset(languages or ()),
                products=frozenset(),
                last_assigned_at=last,
            )
    if skilled:
        ids = sorted(skilled)
        products: dict[int, set[int]] = {}
        for user_id, product_id in fastsql.select(
            _PRODUCTS_SQL.format(ids=fastsql.placeholders(ids)), ids, [None, None]
        ):
            products.setdefault(user_id, set()).add(product_id)
        for user_id, found in products.items():
            agents[user_id].products = frozenset(found)
    if agents:
        ids = sorted(agents)
        loads = _LOADS_SQL.format(ids=fastsql.placeholders(ids), statuses=_OPEN_MARKS)
        for user_id, channel, n in fastsql.select(loads, [*ids, *_OPEN_LIST], [None, None, None]):
            agent = agents[user_id]
            agent.open_total += n
            agent.open_by_channel[channel] += n
    return members, agents


def assign_arrivals(arrivals: Sequence[Arrival]) -> None:
    """Give new appeals of automatic queues to agents, before they are inserted.

    Called inside the registering transaction. An arrival keeps its assignee if it
    has one (a person or a rule chose it), and is left alone if a rule sent it to
    the dispatcher; one nobody can take now waits in its queue.
    """
    wanted = [
        a
        for a in arrivals
        if a.appeal.assignee_id is None
        and not a.to_dispatcher
        and a.appeal.queue_id is not None
        and "assignee" not in a.fixed
    ]
    if not wanted:
        return
    queue_ids = sorted({a.appeal.queue_id for a in wanted if a.appeal.queue_id is not None})
    routing = automatic_routing(queue_ids)
    if not routing:
        return
    lock_assignment()
    pool = load_pool(routing=routing, channels={a.appeal.channel for a in wanted})
    for arrival in wanted:
        appeal = arrival.appeal
        picked = pool.pick(appeal.queue_id, appeal.channel, arrival.language, appeal.product_id)
        if picked is None:
            continue
        appeal.assignee, arrival.assignment_note = picked
        setattr(appeal, AUTO_MARK, True)
    pool.save()


def waiting(queue_ids: Iterable[int], now: datetime | None = None) -> list[Appeal]:
    """Open unassigned appeals of these queues that automatic assignment may give
    away (not sent to the dispatcher), the most urgent first; locked, skipping rows
    someone is changing right now (they come back when that change ends)."""
    now = now or timezone.now()
    urgency = Case(
        When(due_at__isnull=True, then=Value(2)),
        When(due_at__lt=now, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return list(
        Appeal.objects.filter(status__in=sorted(OPEN), assignee__isnull=True, queue_id__in=sorted(set(queue_ids)))
        .filter(Q(routing__isnull=True) | Q(routing__to_dispatcher=False))
        .annotate(urgency=urgency, routing_language=F("routing__language"))
        .order_by("urgency", "due_at", "-priority_rank", "created_at", "id")
        .select_for_update(skip_locked=True, of=("self",))[:FILL_BATCH]
    )


def fill_capacity(*, queue_ids: Iterable[int] | None = None, user_ids: Iterable[int] | None = None) -> list[Appeal]:
    """Give waiting appeals to agents with room: of these queues (or all automatic
    ones), to these agents (or any member). Runs in the caller's transaction, if
    any. Returns the appeals assigned (the most urgent first)."""
    if filling():
        return []
    from okno.appeals.services import fields

    queue_ids = None if queue_ids is None else sorted(set(queue_ids))
    user_ids = None if user_ids is None else sorted(set(user_ids))
    if queue_ids == [] or user_ids == []:
        return []
    with transaction.atomic(), _guard():
        lock_assignment()
        pool = load_pool(queue_ids, user_ids)
        if not pool.has_room():
            return []
        assigned: list[Appeal] = []
        for appeal in waiting(pool.queues_with_room(), pool.now):
            language = getattr(appeal, "routing_language", None) or ""
            picked = pool.pick(appeal.queue_id, appeal.channel, language, appeal.product_id)
            if picked is None:
                continue
            agent, note = picked
            # Through the appeals' own assign (a robot actor: no permission check),
            # so an automatic assignment leaves the same trace as a person's: the
            # event with the note, the assignee's notification, the deadline sync
            # and the live update of inboxes and the board.
            assigned.append(fields.assign(ROBOT, appeal, agent, comment=note))
            if not pool.has_room():
                break
        pool.save()
        return assigned


def notify_auto_assigned(appeals: Sequence[Appeal]) -> Callable[[], None]:
    """Registration hook: once the appeals have ids, tell the agents that
    :func:`assign_arrivals` gave them one (as ``assign`` tells a person's choice)."""

    def write() -> None:
        picked = [a for a in appeals if getattr(a, AUTO_MARK, False) and a.assignee_id is not None]
        if not picked:
            return
        from okno.notifications.choices import NotificationKind
        from okno.notifications.services import announce, insert_selected

        select = " UNION ALL ".join(
            ["SELECT CAST(%s AS bigint) AS user_id, CAST(%s AS bigint) AS appeal_id, %s AS params"] * len(picked)
        )
        params: list[object] = []
        for appeal in picked:
            params += [appeal.assignee_id, appeal.pk, "{}"]
        announce(insert_selected(NotificationKind.ASSIGNED, select, params))

    return write
