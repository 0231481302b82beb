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
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals.choices import Status
from okno.appeals.models import Appeal
from okno.appeals.services.actors import SystemActor
from okno.queues.models import Membership
from okno.routing.agents.models import AgentProfile, ChannelLimit
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
    """One agent as assignment sees them: what they may take and what they hold."""

    user: User
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
            chosen = next((agent for agent in fitting if agent.user.pk > last), fitting[0])
            routing.last_assigned_id = chosen.user.pk
            self.moved_queues.add(routing.queue_id)
            note = _("Assigned automatically: round-robin in the queue «%(queue)s».") % {"queue": queue}
        else:
            chosen = min(fitting, key=lambda a: (a.open_total, a.last_assigned_at or _EPOCH, a.user.pk))
            note = _("Assigned automatically: the least loaded in the queue «%(queue)s» (%(open)s open appeals).") % {
                "queue": queue,
                "open": chosen.open_total,
            }
        chosen.open_total += 1
        chosen.open_by_channel[channel] += 1
        chosen.last_assigned_at = self.now
        self.channel_open[channel] += 1
        self.assigned_agents.add(chosen.user.pk)
        return chosen.user, note

    def has_room(self) -> bool:
        return any(self.agents[user_id].has_room() for ids in self.members.values() for user_id in ids)

    def queues_with_room(self) -> list[int]:
        return sorted(q for q, ids in self.members.items() if any(self.agents[u].has_room() for u in ids))

    def save(self) -> None:
        """Remember the round-robin positions and when each agent last got an appeal."""
        if self.moved_queues:
            QueueRouting.objects.bulk_update([self.routing[q] for q in sorted(self.moved_queues)], ["last_assigned"])
        if self.assigned_agents:
            AgentProfile.objects.filter(user_id__in=sorted(self.assigned_agents)).update(last_assigned_at=self.now)


def load_pool(
    queue_ids: Iterable[int] | None = None,
    user_ids: Iterable[int] | None = None,
    *,
    routing: Sequence[QueueRouting] | None = None,
) -> Pool:
    """The automatic queues (all, or these), the members who take appeals now
    (all, or these users) and their loads. Call it under the assignment lock."""
    if routing is None:
        found = QueueRouting.objects.filter(mode__in=AUTOMATIC).select_related("queue")
        if queue_ids is not None:
            found = found.filter(queue_id__in=sorted(set(queue_ids)))
        routing = list(found)
    by_queue = {r.queue_id: r for r in routing}
    members: dict[int, list[int]] = {}
    agents: dict[int, AgentLoad] = {}
    if by_queue:
        memberships = Membership.objects.filter(
            queue_id__in=sorted(by_queue),
            user__is_active=True,
            user__role__in=ROUTED_ROLES,
            user__agent_profile__status__in=TAKING_STATUSES,
        )
        if user_ids is not None:
            memberships = memberships.filter(user_id__in=sorted(set(user_ids)))
        for queue_id, user_id in memberships.order_by("queue_id", "user_id").values_list("queue_id", "user_id"):
            members.setdefault(queue_id, []).append(user_id)
        ids = sorted({user_id for ids in members.values() for user_id in ids})
        if ids:
            agents = _agents(ids)
    caps = dict(ChannelLimit.objects.values_list("channel", "max_open"))
    channel_open: Counter[str] = Counter()
    if caps and agents:
        totals = (
            Appeal.objects.filter(status__in=OPEN, assignee__isnull=False, channel__in=sorted(caps))
            .order_by()
            .values_list("channel")
            .annotate(n=Count("id"))
        )
        channel_open.update(dict(totals))
    return Pool(routing=by_queue, agents=agents, members=members, channel_caps=caps, channel_open=channel_open)


def _agents(ids: list[int]) -> dict[int, AgentLoad]:
    profiles = AgentProfile.objects.filter(user_id__in=ids).select_related("user")
    products: dict[int, set[int]] = {}
    through = AgentProfile.products.through
    for profile_id, product_id in through.objects.filter(agentprofile_id__in=ids).values_list(
        "agentprofile_id", "product_id"
    ):
        products.setdefault(profile_id, set()).add(product_id)
    agents = {
        p.user_id: AgentLoad(
            user=p.user,
            status=p.status,
            max_open=p.max_open,
            channel_limits={str(k): int(v) for k, v in (p.channel_limits or {}).items() if v is not None},
            languages=frozenset(p.languages or ()),
            products=frozenset(products.get(p.user_id, ())),
            last_assigned_at=p.last_assigned_at,
        )
        for p in profiles
    }
    loads = (
        Appeal.objects.filter(assignee_id__in=ids, status__in=OPEN)
        .order_by()
        .values_list("assignee_id", "channel")
        .annotate(n=Count("id"))
    )
    for user_id, channel, n in loads:
        agent = agents[user_id]
        agent.open_total += n
        agent.open_by_channel[channel] += n
    return agents


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
    routing = list(QueueRouting.objects.filter(queue_id__in=queue_ids, mode__in=AUTOMATIC).select_related("queue"))
    if not routing:
        return
    lock_assignment()
    pool = load_pool(routing=routing)
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
