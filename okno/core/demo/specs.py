"""Choosing what each appeal's story will be: organisation, scenario, client, channel, moment and end state."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from okno.appeals.choices import Channel, Priority
from okno.core.demo.bank import BANK
from okno.core.demo.base import WINDOW_DAYS
from okno.core.demo.climate import CLIMATE
from okno.core.demo.records import (
    ANSWERED,
    CANCELLED,
    CLOSED,
    IN_WORK,
    MERGED,
    NEW,
    OVERDUE,
    PENDING,
    REOPENED,
    REOPENED_CLOSED,
    RETURNED,
    SUBCASE,
    UNROUTED,
    WAITING,
    Spec,
)
from okno.core.demo.shapes import OrgDef, Scenario
from okno.core.demo.texts import TextsMixin

# One appeal of each of these comes first, so even a tiny demo shows every state.
REQUIRED: tuple[tuple[str, str], ...] = (
    (CLOSED, "satisfied"),
    (CLOSED, "refused"),
    (CLOSED, "partly_satisfied"),
    (CLOSED, "explained"),
    (NEW, ""),
    (UNROUTED, ""),
    (IN_WORK, ""),
    (WAITING, ""),
    (ANSWERED, ""),
    (CANCELLED, ""),
    (MERGED, ""),
    (REOPENED, ""),
    (REOPENED_CLOSED, ""),
    (PENDING, ""),
    (RETURNED, ""),
    (PENDING, ""),
    (OVERDUE, ""),
    (SUBCASE, "satisfied"),
)
OUTCOME_WEIGHTS = {"satisfied": 40, "explained": 30, "refused": 20, "partly_satisfied": 12}
SYSTEM_CHANNELS = (Channel.MAIL, Channel.PORTAL, Channel.MESSENGER, Channel.API)
HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 10, 9, 9, 8, 7, 6, 5, 4, 3, 2]


class SpecsMixin(TextsMixin):
    """Decides every story up front, so a tiny demo still shows every state, channel and priority."""

    def _end_for_age(self, age: float, term: int, sc: Scenario) -> str:
        approval = self.queue_defs[sc.queue].approval
        weights: dict[str, float]
        if age < 1:
            weights = {NEW: 50, UNROUTED: 6, IN_WORK: 30, WAITING: 3, CANCELLED: 3, ANSWERED: 5}
        elif age < 3:
            weights = {NEW: 20, IN_WORK: 35, WAITING: 15, ANSWERED: 12, CLOSED: 12, CANCELLED: 3, MERGED: 3}
        elif age < min(7, term * 0.6):
            weights = {NEW: 5, IN_WORK: 30, WAITING: 18, ANSWERED: 16, CLOSED: 22, CANCELLED: 3, MERGED: 3}
        elif age < term:
            weights = {IN_WORK: 12, WAITING: 8, ANSWERED: 14, CLOSED: 56, CANCELLED: 3, MERGED: 4, REOPENED: 2}
        else:
            weights = {
                OVERDUE: 1.5,
                ANSWERED: 5,
                CLOSED: 78,
                CANCELLED: 5,
                MERGED: 4,
                REOPENED: 2,
                REOPENED_CLOSED: 4,
            }
        if approval:
            for end in (WAITING, REOPENED, REOPENED_CLOSED):
                weights.pop(end, None)
            if age < term:
                weights.update({PENDING: 30, RETURNED: 4})
        return self.weighted(weights)

    def _outcome(self, sc: Scenario) -> str:
        return self.weighted({o: OUTCOME_WEIGHTS[o] for o in sc.answers})

    def _age_for(self, end: str, term: int) -> float:
        ranges = {
            NEW: (0.02, 1.5),
            UNROUTED: (0.02, 1.0),
            IN_WORK: (0.1, max(1.0, term * 0.8)),
            WAITING: (1.0, max(2.0, term * 0.8)),
            ANSWERED: (2.0, 40.0),
            CANCELLED: (1.0, 100.0),
            MERGED: (2.0, 100.0),
            REOPENED: (term + 3.0, 110.0),
            REOPENED_CLOSED: (term + 12.0, 115.0),
            PENDING: (1.0, max(2.0, term * 0.7)),
            RETURNED: (1.5, max(2.5, term * 0.7)),
            OVERDUE: (term + 2.0, term + 15.0),
        }
        low, high = ranges.get(end, (6.0, 115.0))
        return low + (min(high, WINDOW_DAYS - 1) - low) * self.rng.random()

    def _moment(self, age_days: float, channel: str) -> datetime:
        """When an appeal ``age_days`` old came in: daytime mostly, calls in office hours."""
        day = timezone.localtime(self.now - timedelta(days=age_days)).replace(second=0)
        at = day.replace(hour=self.rng.choices(range(24), weights=HOURS)[0], minute=self.rng.randint(0, 59))
        if channel in (Channel.PHONE, Channel.IN_PERSON):
            at = self.working(at)
        return min(at, self.now - timedelta(minutes=self.rng.randint(10, 90)))

    def _scenario_for(self, org: OrgDef, end: str, outcome: str) -> Scenario:
        candidates = [s for s in org.scenarios if self._fits(s, end, outcome)]
        return self.rng.choices(candidates, weights=[s.weight for s in candidates])[0]

    def _fits(self, sc: Scenario, end: str, outcome: str) -> bool:
        approval = self.queue_defs[sc.queue].approval
        if end in (PENDING, RETURNED):
            return approval
        if approval:
            return end in (CLOSED, NEW, IN_WORK, ANSWERED, CANCELLED) and (not outcome or outcome in sc.answers)
        if end == UNROUTED and not set(sc.channels) & set(SYSTEM_CHANNELS):
            return False
        if end == SUBCASE:
            return sc.subcase is not None and outcome in sc.answers
        return not outcome or outcome in sc.answers

    def make_specs(self) -> list[Spec]:
        specs: list[Spec] = []
        used_channels: set[str] = set()
        used_priorities: set[str] = set()
        for index in range(self.count):
            if index < len(REQUIRED):
                end, outcome = REQUIRED[index]
                org = BANK if end in (PENDING, RETURNED) or index % 2 == 0 else CLIMATE
                sc = self._scenario_for(org, end, outcome)
                term = self.queue_defs[sc.queue].term_days
                age = self._age_for(end, term)
                channels = {c: w for c, w in sc.channels.items() if end != UNROUTED or c in SYSTEM_CHANNELS}
                fresh = {c: w for c, w in channels.items() if c not in used_channels}
                channel = self.weighted(fresh or channels)
                priority = next((p for p in Priority.values if p not in used_priorities), "")
                priority = priority or self.weighted(sc.priorities)
            else:
                org = BANK if self.rng.random() * 100 < BANK.weight else CLIMATE
                sc = self.rng.choices(org.scenarios, weights=[s.weight for s in org.scenarios])[0]
                term = self.queue_defs[sc.queue].term_days
                # A steady flow over the period, and the last two days' mail still in the inbox.
                recent = self.rng.random() < 0.08
                age = 2 * self.rng.random() if recent else WINDOW_DAYS * (self.rng.random() ** 1.15)
                end = self._end_for_age(age, term, sc)
                outcome = ""
                channel = self.weighted(sc.channels)
                priority = self.weighted(sc.priorities)
                if end == UNROUTED and channel not in SYSTEM_CHANNELS:
                    end = NEW
            used_channels.add(channel)
            used_priorities.add(priority)
            if end in (CLOSED, SUBCASE, REOPENED, REOPENED_CLOSED) and not outcome:
                outcome = self._outcome(sc)
            pools = {p: w for p, w in sc.clients.items() if self.pools.get((org.code, p))}
            client = self.pick(self.pools[(org.code, self.weighted(pools or {"person": 1}))])
            if client.client.is_vip and priority in (Priority.LOW, Priority.NORMAL):
                priority = Priority.HIGH
            variant = self.rng.randrange(max(len(sc.texts), 1))
            spec = Spec(
                index=index,
                org=org,
                scenario=sc,
                variant=variant,
                client=client,
                channel=channel,
                priority=priority,
                t0=self._moment(age, channel),
                end=end,
                outcome=outcome,
            )
            spec.unrouted = end == UNROUTED or (
                channel in (Channel.MAIL, Channel.PORTAL) and end not in (MERGED, NEW) and self.rng.random() < 0.07
            )
            spec.escalate = (
                not spec.unrouted
                and channel in (Channel.PHONE, Channel.IN_PERSON, Channel.MESSENGER)
                and sc.queue != org.front_queue
                and self.rng.random() < 0.7
            )
            spec.with_subcase = end == SUBCASE or (sc.subcase is not None and self.rng.random() < sc.subcase.chance)
            spec.tags = [t for t in sc.tags if self.rng.random() < 0.5]
            if client.client.is_vip:
                spec.tags.append("VIP")
            spec.ctx = self._context(spec)
            specs.append(spec)
        self._cover(specs)
        return specs

    def _cover(self, specs: list[Spec]) -> None:
        """Make sure every channel and priority appears at least once."""
        movable = [s for s in specs[len(REQUIRED) :] if s.end not in (UNROUTED, MERGED)]
        for channel in Channel.values:
            if any(s.channel == channel for s in specs):
                continue
            fits = [s for s in movable if channel in s.scenario.channels] or movable
            if fits:
                spec = self.pick(fits)
                spec.channel = channel
                spec.escalate = spec.escalate and channel in (Channel.PHONE, Channel.IN_PERSON, Channel.MESSENGER)
                movable.remove(spec)
        for priority in Priority.values:
            if not any(s.priority == priority for s in specs) and movable:
                movable.pop().priority = priority
