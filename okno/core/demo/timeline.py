"""Turning stories into timed steps: who does what when, squeezing late stories, duplicates and links."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta
from typing import Any

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals.choices import Channel, LinkKind, Priority, Status
from okno.appeals.services import (
    Actor,
    SystemActor,
    assign,
    cancel,
    change_status,
    close,
    link,
    reopen,
    update_fields,
)
from okno.core.demo.records import (
    ANSWERED,
    CANCELLED,
    IN_WORK,
    MERGED,
    NEW,
    OVERDUE,
    PENDING,
    REOPENED,
    REOPENED_CLOSED,
    RETURNED,
    UNROUTED,
    WAITING,
    Plan,
    Spec,
    Step,
)
from okno.core.demo.specs import SpecsMixin
from okno.core.demo.steps import StepsMixin
from okno.core.demo.texts import CANCEL_REASONS, PRIORITY_RAISE, REOPEN_COMMENTS, RETURN_COMMENTS


class TimelineMixin(StepsMixin, SpecsMixin):
    """Steps of one story follow each other in working hours; steps of all stories interleave later."""

    def worker_for(self, queue_code: str, avoid: User | None = None) -> User:
        members = [u for u in self.members[queue_code] if u.role != Role.SUPERVISOR and u != avoid]
        members = members or self.members[queue_code]
        weights = [3 if u.username == "agent" else 2 if u.role == Role.SPECIALIST else 1 for u in members]
        return self.rng.choices(members, weights=weights)[0]

    def registrar_for(self, spec: Spec, queue_code: str) -> Actor:
        if spec.channel in (Channel.PHONE, Channel.IN_PERSON):
            members = [u for u in self.members[queue_code] if u.role in (Role.AGENT, Role.SPECIALIST)]
            return self.pick(members or self.members[queue_code])
        if spec.channel == Channel.PAPER:
            return self.users[spec.org.dispatcher]
        return SystemActor(str(spec.channel))

    def plan(self, spec: Spec) -> Plan:
        """The story's steps; a story that would run past now is told faster."""
        # Each story draws from a stream of its own: squeezing one (which depends on the
        # clock) cannot shift the choices of all the others.
        shared, self.pace = self.rng, 1.0
        for _attempt in range(4):
            self.rng = random.Random(f"{self.seed}/plan/{spec.index}")
            p = self._plan(spec)
            assert p.reg_at is not None
            last = max(at for at, _ in p.steps)
            if last <= self.now - timedelta(minutes=2) or len(p.steps) < 2:
                break
            self.pace = max(0.01, self.pace * 0.8 * (self.now - p.reg_at) / (last - p.reg_at))
        self.rng, self.pace = shared, 1.0
        p.rng = random.Random(f"{self.seed}/run/{spec.index}")
        return self._fit(p)

    def _plan(self, spec: Spec) -> Plan:
        p = Plan(spec)
        org, sc, end = spec.org, spec.scenario, spec.end
        final_queue = sc.queue
        reg_queue: str | None = None if spec.unrouted else org.front_queue if spec.escalate else final_queue
        registrar = self.registrar_for(spec, reg_queue or org.front_queue)
        worker = self.worker_for(final_queue)
        supervisor = self.users[org.supervisor]
        dispatcher = self.users[org.dispatcher]
        assigned = (
            isinstance(registrar, User)
            and reg_queue == final_queue
            and registrar in self.members[final_queue]
            and end not in (NEW, UNROUTED, CANCELLED, MERGED)
            and self.rng.random() < 0.7
        )
        if assigned:
            assert isinstance(registrar, User)
            worker = registrar
        if spec.channel == Channel.PAPER:  # the post is opened the next working day
            reg_at = self.working(spec.t0 + timedelta(hours=self.rng.randint(12, 40)))
        elif spec.channel in (Channel.PHONE, Channel.IN_PERSON):  # written down after the talk
            reg_at = spec.t0 + timedelta(minutes=self.rng.randint(3, 15))
        elif spec.channel == Channel.MAIL:  # the mailbox robot polls every 10 minutes
            reg_at = spec.t0 + timedelta(seconds=self.rng.randint(30, 600))
        else:
            reg_at = spec.t0 + timedelta(seconds=self.rng.randint(1, 40))
        reg_at = max(spec.t0, min(reg_at, self.now - timedelta(minutes=3)))
        p.reg_at = reg_at
        p.add(reg_at, self.step_register(p, registrar, reg_queue, worker if assigned else None))
        t = reg_at
        if end in (NEW, UNROUTED):
            return p
        if end == CANCELLED:
            t = self.staff_after(t, timedelta(minutes=20), timedelta(days=2))
            actor = dispatcher if spec.unrouted or self.rng.random() < 0.5 else supervisor
            p.add(t, self.step(p, cancel, actor, reason=self.pick(CANCEL_REASONS)))
            p.final_at = t
            return p
        if end == MERGED:
            t = self.staff_after(t, timedelta(minutes=30), timedelta(hours=8))
            p.add(t, self.step_merge(p, dispatcher))
            p.final_at = t
            return p
        if spec.unrouted:
            t = self.staff_after(t, timedelta(minutes=10), timedelta(hours=20))
            changes = {"queue": self.queues[final_queue], "category": self.categories[sc.category]}
            p.add(t, self.step(p, update_fields, dispatcher, changes, comment="Очередь определена по содержанию."))
        if spec.escalate:
            # The first line takes the call or chat and passes it to the team that handles such cases.
            first_line = registrar if isinstance(registrar, User) else self.worker_for(org.front_queue)
            t += self.between(timedelta(minutes=5), timedelta(minutes=40))
            changes = {"queue": self.queues[final_queue]}
            p.add(t, self.step(p, update_fields, first_line, changes, comment="Передано во вторую линию."))
        if not assigned:
            t = self.staff_after(t, timedelta(minutes=10), timedelta(hours=20))
            assigner = worker if self.rng.random() < 0.4 else dispatcher if self.rng.random() < 0.5 else supervisor
            p.add(t, self.step(p, assign, assigner, worker))
        t = self.staff_after(t, timedelta(minutes=2), timedelta(hours=3))
        p.add(t, self.step(p, change_status, worker, Status.IN_WORK))
        if self.rng.random() < 0.07 and spec.priority in (Priority.LOW, Priority.NORMAL):
            t = self.staff_after(t, timedelta(minutes=30), timedelta(hours=6))
            raise_to: dict[str, Any] = {"priority": Priority.HIGH}
            p.add(t, self.step(p, update_fields, supervisor, raise_to, comment=self.pick(PRIORITY_RAISE)))
        if self.rng.random() < 0.1:
            t = self.staff_after(t, timedelta(minutes=30), timedelta(hours=6))
            p.add(t, self.step_tag(p, worker, self.pick(org.later_tags)))
        if end not in (IN_WORK, OVERDUE, WAITING) and not spec.outcome:
            spec.outcome = self._outcome(sc)
        note = self.pick_note(sc.notes, spec.outcome)
        if note and self.rng.random() < 0.6:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=2))
            p.add(t, self.step_note(p, worker, note))
        approval = self.queue_defs[final_queue].approval
        ask = sc.ask[spec.variant % len(sc.ask)] if sc.ask else org.generic_ask
        if end == WAITING:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=2))
            p.add(t, self.step_reply(p, worker, ask, Status.WAITING_CLIENT))
            return p
        if sc.ask and not approval and self.rng.random() < 0.45:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=2))
            p.add(t, self.step_reply(p, worker, ask, Status.WAITING_CLIENT))
            t += self.between(timedelta(hours=3), timedelta(days=3))
            followup = sc.followups[spec.variant % len(sc.followups)] if sc.followups else ""
            if followup:
                p.add(t, self.step_inbound(p, followup, worker))
        if spec.with_subcase and sc.subcase is not None and end not in (PENDING, RETURNED):
            t = self.plan_subcase(p, worker, t)
        if end in (IN_WORK, OVERDUE):
            if self.rng.random() < 0.5:
                t = self.staff_after(t, timedelta(hours=2), timedelta(days=3))
                p.add(t, self.step_note(p, worker, self.pick(org.generic_notes)))
            return p
        outcome = spec.outcome or self._outcome(sc)
        spec.outcome = outcome
        answer = sc.answers[outcome][spec.variant % len(sc.answers[outcome])]
        t = self.staff_after(t, timedelta(hours=2), timedelta(days=3))
        p.add(t, self.step_reply(p, worker, answer, Status.ANSWERED))
        if end == PENDING:
            return p
        if end == RETURNED:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
            p.add(t, self.step_return(p, supervisor, self.pick(RETURN_COMMENTS)))
            return p
        if approval:
            if self.rng.random() < 0.25:
                t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
                p.add(t, self.step_return(p, supervisor, self.pick(RETURN_COMMENTS)))
                t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
                p.add(t, self.step_revise(p, worker, answer))
            t = self.staff_after(t, timedelta(minutes=30), timedelta(days=1))
            p.add(t, self.step_approve(p, supervisor))
        if end == ANSWERED:
            return p
        t = self.staff_after(t, timedelta(hours=1), timedelta(days=4))
        p.add(t, self.step(p, close, worker, outcome))
        p.final_at = t
        if end in (REOPENED, REOPENED_CLOSED):
            t += self.between(timedelta(days=2), timedelta(days=9))
            if self.rng.random() < 0.7:
                p.add(t, self.step_inbound(p, self.pick(org.reopen_texts), worker))
            else:
                t = self.working(t)
                p.add(t, self.step(p, reopen, supervisor, comment=self.pick(REOPEN_COMMENTS)))
            if end == REOPENED_CLOSED:
                t = self.staff_after(t, timedelta(hours=2), timedelta(days=2))
                p.add(t, self.step_note(p, worker, self.pick(org.generic_notes)))
                t = self.staff_after(t, timedelta(hours=2), timedelta(days=3))
                second = "Мы повторно рассмотрели ваше обращение. " + answer
                p.add(t, self.step_reply(p, worker, second, Status.ANSWERED))
                t = self.staff_after(t, timedelta(hours=2), timedelta(days=3))
                p.add(t, self.step(p, close, worker, outcome, comment="Закрыто повторно после проверки."))
        return p

    def plan_subcase(self, p: Plan, worker: User, t: datetime) -> datetime:
        sub = p.spec.scenario.subcase
        assert sub is not None
        sub_worker = self.worker_for(sub.queue, avoid=worker)
        t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
        p.add(t, self.step_subcase(p, worker, sub_worker))
        t = self.staff_after(t, timedelta(minutes=30), timedelta(hours=20))
        p.add(t, self.step_sub(p, change_status, sub_worker, Status.IN_WORK))
        notes = [self.pick_note([n], p.spec.outcome) for n in sub.notes]
        for note in [n for n in notes if n][: self.rng.randint(1, len(sub.notes))]:
            t = self.staff_after(t, timedelta(hours=4), timedelta(days=3))
            p.add(t, self.step_sub_note(p, sub_worker, note))
        if p.spec.end not in (IN_WORK, OVERDUE, ANSWERED) or self.rng.random() < 0.5:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
            p.add(t, self.step_sub(p, close, sub_worker, sub.outcome))
        return t

    def _fit(self, p: Plan) -> Plan:
        """Squeeze a story that would run past now into the time it has."""
        assert p.reg_at is not None
        latest = self.now - timedelta(minutes=2)
        last = max(at for at, _ in p.steps)
        if last > latest and len(p.steps) > 1:
            # Registered a few minutes ago: the whole story fits in those minutes.
            room = max(latest - p.reg_at, timedelta(seconds=len(p.steps)))
            span = last - p.reg_at
            p.steps = [(p.reg_at + (at - p.reg_at) * (room / span), step) for at, step in p.steps]
            if p.final_at is not None:
                p.final_at = p.reg_at + (p.final_at - p.reg_at) * (room / span)
        # Keep each story's steps in order even where working-hours snapping reordered them.
        ordered: list[tuple[datetime, Step]] = []
        for at, step in p.steps:
            if ordered and at <= ordered[-1][0]:
                at = min(ordered[-1][0] + timedelta(seconds=30), max(ordered[-1][0], latest) + timedelta(seconds=1))
            ordered.append((at, step))
        p.steps = ordered
        return p

    def plan_duplicate(self, spec: Spec, originals: list[Plan]) -> Plan:
        """A client writes the same thing again before the first appeal is done; the
        dispatcher merges the second into the first. The duplicate copies the first
        appeal's story and client, and comes in a few hours to days after it."""
        if spec.channel == Channel.PAPER:
            spec.channel = Channel.MAIL
        open_long = [
            q
            for q in originals
            if q.spec.org is spec.org
            and not q.spec.duplicate
            and q.reg_at is not None
            and q.reg_at < self.now - timedelta(days=1)
            and (q.final_at is None or q.final_at - q.reg_at > timedelta(days=2))
        ]
        near = [q for q in open_long if q.reg_at and spec.t0 - timedelta(days=10) < q.reg_at < spec.t0]
        if not open_long:
            spec.end = CANCELLED
            return self.plan(spec)
        target = self.pick(near or open_long)
        assert target.reg_at is not None
        latest = min(target.final_at or self.now, self.now) - target.reg_at
        spec.t0 = target.reg_at + min(self.between(timedelta(hours=2), timedelta(days=2)), latest / 3)
        target.spec.duplicate = True
        spec.duplicate = True
        spec.scenario, spec.variant, spec.client = target.spec.scenario, target.spec.variant, target.spec.client
        spec.ctx, spec.tags = dict(target.spec.ctx), []
        spec.unrouted = spec.escalate = False
        plan = self.plan(spec)
        plan.target = target
        if target.final_at is not None and plan.final_at is not None and plan.final_at >= target.final_at:
            # Merge while the first appeal is still open.
            assert plan.reg_at is not None
            at = plan.reg_at + (target.final_at - plan.reg_at) / 2
            plan.steps[-1] = (at, plan.steps[-1][1])
            plan.final_at = at
        return plan

    def add_links(self, plans: list[Plan]) -> None:
        """Link a client's repeat appeals to the earlier one."""
        by_client: dict[int, list[Plan]] = {}
        for p in sorted(plans, key=lambda q: q.reg_at or self.now):
            by_client.setdefault(p.spec.client.client.pk, []).append(p)
        linked = 0
        for group in by_client.values():
            for earlier, later in itertools.pairwise(group):
                if later.spec.end == MERGED or earlier.spec.end == MERGED or self.rng.random() > 0.12:
                    continue
                if earlier.spec.org is not later.spec.org or later.reg_at is None:
                    continue
                self._link(earlier, later)
                linked += 1
        if linked:
            return
        # Too few appeals for a client to write twice: let the latest one be a repeat.
        candidates = [p for p in plans if p.spec.end not in (MERGED, NEW, UNROUTED) and not p.spec.duplicate]
        candidates.sort(key=lambda q: q.reg_at or self.now)
        for repeat in reversed(candidates):
            first = next(
                (
                    q
                    for q in candidates
                    if q is not repeat
                    and q.spec.org is repeat.spec.org
                    and q.spec.client.pool == repeat.spec.client.pool
                    and (q.reg_at or self.now) < (repeat.reg_at or self.now)
                ),
                None,
            )
            if first is not None:
                repeat.spec.client = first.spec.client
                self._link(first, repeat)
                return

    def _link(self, earlier: Plan, later: Plan) -> None:
        assert later.reg_at is not None
        at = self.staff_after(later.reg_at, timedelta(minutes=20), timedelta(hours=20))
        if later.final_at is not None and at >= later.final_at:
            at = later.reg_at + (later.final_at - later.reg_at) / 2
        at = min(at, self.now - timedelta(minutes=1))
        repeat = earlier.final_at is not None and earlier.final_at < later.spec.t0
        if repeat:
            later.spec.tags.append("повторное")
        kind = LinkKind.REPEAT if repeat else LinkKind.RELATED
        dispatcher = self.users[later.spec.org.dispatcher]

        def run() -> None:
            if earlier.appeal_id:
                link(dispatcher, later.appeal_id, earlier.appeal_id, kind)

        later.add(at, self._guard(later, run, "link"))
