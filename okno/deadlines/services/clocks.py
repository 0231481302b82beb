"""Starting, pausing, meeting, recomputing and extending the clocks of an appeal.

``sync`` is the one entry point the appeal services use: after any operation, inside
its transaction, it brings the clocks in line with the appeal (its policy, status,
first response). Everything else here is how.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.appeals.choices import EventKind, Status
from okno.core import fastsql
from okno.deadlines.calendar import WorkingCalendar, get_calendar
from okno.deadlines.choices import AlarmKind, ClockKind, CountsFrom, DayOffRule, TermUnit
from okno.deadlines.models import AppealClock, ClockAlarm, DeadlinePolicy, PolicyClock
from okno.deadlines.services import policies
from okno.lib.sentence import fill

if TYPE_CHECKING:
    from okno.appeals.models import Appeal
    from okno.appeals.services.actors import Actor

RISK_PERCENT = 80
DEFAULT_ANSWER_DAYS = 30
MEETS_ANSWER = frozenset({Status.ANSWERED, Status.CLOSED})
ENDS_CLOCKS = frozenset({Status.CANCELLED, Status.MERGED})


def _system() -> Actor:
    from okno.appeals.services.actors import SystemActor

    return SystemActor(_("Deadlines"))


@dataclass(slots=True)
class Plan:
    """What one clock's numbers come to."""

    due_at: datetime
    risk_at: datetime
    alarms: list[tuple[AlarmKind, int | None, datetime]]


@dataclass(slots=True)
class NewClock:
    """A clock of a new appeal, computed and not saved yet (``compute_clocks``).
    The model is built only to be saved: registration computes, then writes."""

    policy: DeadlinePolicy | None
    source: PolicyClock
    calendar_id: int
    started_at: datetime
    plan: Plan
    met_at: datetime | None = None

    @property
    def clock(self) -> str:
        return self.source.clock

    @property
    def due_at(self) -> datetime:
        return self.plan.due_at

    @property
    def risk_at(self) -> datetime:
        return self.plan.risk_at

    @property
    def is_running(self) -> bool:
        return self.met_at is None

    # A new clock is neither paused nor cancelled (what ``summarise`` asks).
    paused_since = None
    cancelled_at = None

    def values(self, appeal: Appeal) -> dict[str, Any]:
        """The fields of its row (a batch inserts many with ``fastsql.insert_rows``)."""
        pc = self.source
        return {
            "appeal": appeal,
            "policy": self.policy,
            "policy_clock": pc if pc.pk else None,
            "clock": pc.clock,
            "stage": pc.stage,
            "calendar_id": self.calendar_id,
            **{name: getattr(pc, name) for name in RULE_FIELDS},
            "started_at": self.started_at,
            "due_at": self.plan.due_at,
            "risk_at": self.plan.risk_at,
            "met_at": self.met_at,
        }

    def to_model(self, appeal: Appeal) -> AppealClock:
        clock = AppealClock(**self.values(appeal))
        clock._plan = self.plan  # type: ignore[attr-defined]
        return clock


@cache
def _fallback(days: int) -> PolicyClock:
    return PolicyClock(
        clock=ClockKind.ANSWER,
        term_amount=days or DEFAULT_ANSWER_DAYS,
        term_unit=TermUnit.CALENDAR_DAYS,
        day_off_rule=DayOffRule.NEXT,
        counts_from=CountsFrom.RECEIVED,
    )


def fallback_clock(appeal: Appeal) -> PolicyClock:
    """With no policy matching: answer within the queue's term in calendar days,
    moved off days off (what the queue promised before policies existed).
    One unsaved instance per term, shared: do not change it."""
    days = appeal.queue.answer_term_days if appeal.queue_id is not None and appeal.queue is not None else 0
    return _fallback(days)


def share_of_term(cal: WorkingCalendar, unit: str, start: datetime, due: datetime, percent: float) -> datetime:
    """The instant when ``percent`` of the term is gone (working time for working units)."""
    if unit == TermUnit.CALENDAR_DAYS:
        return start + (due - start) * (percent / 100)
    return cal.add_working_time(start, cal.working_time_between(start, due) * (percent / 100))


# Terms in days end at the end of a local day, so their deadline (and the opening of
# the last working day) depends only on the local date the term starts: remembered per
# compiled calendar. A changed calendar is compiled into a new object, which starts
# afresh here.
_NOT_YET = object()
_DAY_TERMS_PER_CALENDAR = 100_000
_day_terms: dict[int, tuple[WorkingCalendar, dict[tuple[str, int, str, int], list[object]]]] = {}


def _day_term(cal: WorkingCalendar, unit: str, amount: int, rule: str, start: datetime) -> list[object]:
    """``[deadline (local), deadline (UTC), opening of its last working day or _NOT_YET]``."""
    entry = _day_terms.get(cal.id)
    if entry is None or entry[0] is not cal or len(entry[1]) > _DAY_TERMS_PER_CALENDAR:
        entry = _day_terms[cal.id] = (cal, {})
    terms = entry[1]
    key = (unit, amount, rule, start.astimezone(cal.tz).toordinal())
    term = terms.get(key)
    if term is None:
        due = cal.add(start, amount, TermUnit(unit), DayOffRule(rule))
        term = terms[key] = [due, due.astimezone(UTC), _NOT_YET]
    return term


def _last_day_opening(cal: WorkingCalendar, due: datetime) -> datetime | None:
    """When the last working day of a term ending at ``due`` begins (UTC)."""
    day = due.astimezone(cal.tz).date()
    if not cal.is_working_day(day):
        day = cal.previous_working_day(day)
    hours = cal.working_hours(day)
    return hours[0].astimezone(UTC) if hours is not None else None


def plan(
    cal: WorkingCalendar,
    *,
    unit: str,
    amount: int,
    rule: str,
    start: datetime,
    paused_seconds: int = 0,
    reminder_percents: list[int] | tuple[int, ...] = (),
    remind_on_last_day: bool = False,
    now: datetime | None = None,
) -> Plan:
    """Deadline, "at risk" point and alarms of a clock. Reminders already in the past
    when the clock is computed are left out; the breach alarm never is.

    Every registration runs this, so it does each calendar step once: the term's end
    (remembered for terms in days), the working time of the term (working units),
    one instant per distinct share (the 80 % reminder is the "at risk" point)."""
    utc = UTC
    in_days = unit != TermUnit.WORKING_HOURS
    term = None
    if in_days and not paused_seconds and start.tzinfo is not None:
        term = _day_term(cal, unit, amount, rule, start)
        due: datetime = term[0]  # type: ignore[assignment]
        due_utc: datetime = term[1]  # type: ignore[assignment]
    else:
        due = cal.add(start, amount, TermUnit(unit), DayOffRule(rule))
        if paused_seconds:
            pause = timedelta(seconds=paused_seconds)
            due = due + pause if unit == TermUnit.CALENDAR_DAYS else cal.add_working_time(due, pause)
        due_utc = due.astimezone(utc)
    if unit == TermUnit.CALENDAR_DAYS:
        span = due - start
        shares = {
            percent: (start + span * (percent / 100)).astimezone(utc) for percent in {RISK_PERCENT, *reminder_percents}
        }
    else:
        work = cal.working_time_between(start, due)
        shares = {
            percent: cal.add_working_time(start, work * (percent / 100)).astimezone(utc)
            for percent in {RISK_PERCENT, *reminder_percents}
        }
    now = (now or timezone.now()).astimezone(utc)
    alarms: list[tuple[AlarmKind, int | None, datetime]] = []
    for percent in sorted(set(reminder_percents)):
        at = shares[percent]
        if now < at < due_utc:
            alarms.append((AlarmKind.REMINDER, percent, at))
    if remind_on_last_day and in_days:
        if term is None:
            opening = _last_day_opening(cal, due)
        else:
            opening = term[2]  # type: ignore[assignment]
            if opening is _NOT_YET:
                opening = term[2] = _last_day_opening(cal, due)
        if opening is not None and now < opening < due_utc and opening > start:
            alarms.append((AlarmKind.LAST_DAY, None, opening))
    alarms.append((AlarmKind.BREACH, None, due_utc))
    return Plan(due_at=due_utc, risk_at=shares[RISK_PERCENT], alarms=alarms)


def _start_of(appeal: Appeal, pc: PolicyClock) -> datetime:
    return appeal.registered_at if pc.counts_from == CountsFrom.REGISTERED else appeal.created_at


def _policy_reminders(policy: DeadlinePolicy | None) -> tuple[list[int], bool]:
    if policy is None:
        return [50, RISK_PERCENT], True
    return list(policy.reminder_percents or []), policy.remind_on_last_day


def _compute(policy: DeadlinePolicy | None, pc: PolicyClock, start: datetime, now: datetime | None) -> NewClock:
    cal = get_calendar(pc.calendar_id)
    percents, last_day = _policy_reminders(policy)
    p = plan(
        cal,
        unit=pc.term_unit,
        amount=pc.term_amount,
        rule=pc.day_off_rule,
        start=start,
        reminder_percents=percents,
        remind_on_last_day=last_day,
        now=now,
    )
    return NewClock(policy=policy, source=pc, calendar_id=cal.id, started_at=start, plan=p)


def _new_clock(
    appeal: Appeal, policy: DeadlinePolicy | None, pc: PolicyClock, start: datetime, now: datetime | None = None
) -> AppealClock:
    return _compute(policy, pc, start, now).to_model(appeal)


def _save_new(clocks: list[AppealClock]) -> None:
    if not clocks:
        return
    # Prepared multi-row INSERTs (a new appeal has one to three clocks, a batch of
    # registrations a few hundred): the ORM's bulk_create compiler cost more than the
    # rest of the clocks together.
    fastsql.insert_many(clocks, returning=True)
    _save_alarms([(c.pk, c.appeal_id, c._plan) for c in clocks if c.is_running])  # type: ignore[attr-defined]


def _save_alarms(plans: list[tuple[int, int, Plan]]) -> None:
    """The alarms of running new clocks, from ``(clock id, appeal id, plan)``: rows of
    values, not model instances (a batch of registrations writes thousands)."""
    fastsql.insert_values(
        ClockAlarm,
        ("clock", "appeal", "kind", "percent", "at", "fired_at", "sweep"),
        [
            (clock_id, appeal_id, kind, percent, at, None, None)
            for clock_id, appeal_id, plan in plans
            for kind, percent, at in plan.alarms
        ],
    )


def _replan(clock: AppealClock, policy: DeadlinePolicy | None, now: datetime) -> None:
    """Recompute a running clock's deadline and alarms from its own rules."""
    cal = get_calendar(clock.calendar_id)
    percents, last_day = _policy_reminders(policy)
    p = plan(
        cal,
        unit=clock.term_unit,
        amount=clock.term_amount + clock.extended_amount,
        rule=clock.day_off_rule,
        start=clock.started_at,
        paused_seconds=clock.paused_seconds,
        reminder_percents=percents,
        remind_on_last_day=last_day,
        now=now,
    )
    clock.due_at, clock.risk_at = p.due_at, p.risk_at
    ClockAlarm.objects.filter(clock=clock, fired_at__isnull=True).delete()
    fired = set(ClockAlarm.objects.filter(clock=clock).values_list("kind", "percent"))
    ClockAlarm.objects.bulk_create(
        ClockAlarm(clock=clock, appeal_id=clock.appeal_id, kind=kind, percent=percent, at=at)
        for kind, percent, at in p.alarms
        if (kind, percent) not in fired or (kind == AlarmKind.BREACH and clock.breached_at is None)
    )


RULE_FIELDS = (
    "term_amount",
    "term_unit",
    "day_off_rule",
    "is_statutory",
    "pauses_while_waiting",
    "citation",
    "citation_en",
    "penalty_percent_per_day",
)


def _take_rules(clock: AppealClock, pc: PolicyClock) -> bool:
    """Give a running clock its policy clock's rules (as they are now); whether any changed."""
    before = [getattr(clock, name) for name in RULE_FIELDS] + [clock.calendar_id]
    for name in RULE_FIELDS:
        setattr(clock, name, getattr(pc, name))
    clock.calendar_id = get_calendar(pc.calendar_id).id
    if clock.extended_amount and not pc.extension_amount:
        clock.extended_amount = 0
    return before != [getattr(clock, name) for name in RULE_FIELDS] + [clock.calendar_id]


def _stop(clock: AppealClock, *, met: datetime | None = None, cancelled: datetime | None = None) -> None:
    clock.met_at = met
    clock.cancelled_at = cancelled
    if clock.paused_since is not None:
        clock.paused_since = None
    ClockAlarm.objects.filter(clock=clock, fired_at__isnull=True).delete()


def _wanted(
    appeal: Appeal, compiled: policies.CompiledPolicy | None
) -> tuple[DeadlinePolicy | None, list[PolicyClock]]:
    if compiled is None:
        return None, [fallback_clock(appeal)]
    return compiled.policy, list(compiled.clocks)


def _key(clock: AppealClock | PolicyClock) -> tuple[str, str]:
    return clock.clock, clock.stage


def sync(appeal: Appeal, *, actor: Actor | None = None, reason: str = "", created: bool = False) -> None:
    """Bring the appeal's clocks in line with the appeal, inside the caller's transaction.

    Starts the clocks of a new appeal; re-plans them when a different policy applies
    now (category, kind, channel, priority or client changed); pauses and resumes
    clocks that pause while the appeal waits for the client; meets the first-response
    clock at the first reply, the answer clock when the appeal is answered or closed,
    a stage clock when its stage is left; cancels what runs when the appeal is
    cancelled or merged. Each deadline that moves gets an event.
    """
    now = timezone.now()
    who = actor or _system()
    # A just-registered appeal has no clocks yet: no need to ask.
    clocks = [] if created else list(AppealClock.objects.filter(appeal=appeal).order_by("id"))
    running = [c for c in clocks if c.is_running]
    changed: list[AppealClock] = []
    new: list[AppealClock] = []

    if appeal.status in ENDS_CLOCKS:
        for c in running:
            _stop(c, cancelled=now)
            changed.append(c)
        _finish(appeal, clocks, changed, new)
        return

    if not clocks:
        _finish(appeal, clocks, changed, [c.to_model(appeal) for c in compute_clocks(appeal, now)])
        return

    policy, wanted = _wanted(appeal, policies.policy_for(appeal))
    current_policy_id = next((c.policy_id for c in reversed(clocks)), None)
    if (policy is not None and current_policy_id != policy.pk) or (policy is None and current_policy_id is not None):
        changed, new = _switch_policy(appeal, who, policy, wanted, running, clocks, now, reason)
        running = [c for c in running if c.is_running]

    by_key = {_key(pc): pc for pc in wanted}
    for c in running:
        before_due = c.due_at
        if c.clock == ClockKind.FIRST_RESPONSE and appeal.first_response_at is not None:
            _stop(c, met=appeal.first_response_at)
        elif (c.clock == ClockKind.ANSWER and appeal.status in MEETS_ANSWER) or (
            c.clock == ClockKind.STAGE and c.stage != appeal.status
        ):
            _stop(c, met=now)
        elif c.pauses_while_waiting and appeal.status == Status.WAITING_CLIENT and c.paused_since is None:
            c.paused_since = now
            _event(appeal, who, EventKind.DEADLINE_PAUSED, c, before=c.due_at, after=None)
        elif c.paused_since is not None and appeal.status != Status.WAITING_CLIENT:
            cal = get_calendar(c.calendar_id)
            paused = (
                now - c.paused_since
                if c.term_unit == TermUnit.CALENDAR_DAYS
                else cal.working_time_between(c.paused_since, now)
            )
            c.paused_seconds += max(0, int(paused.total_seconds()))
            c.paused_since = None
            _replan(c, policy, now)
            _event(appeal, who, EventKind.DEADLINE_RESUMED, c, before=before_due, after=c.due_at)
        else:
            continue
        if c not in changed:
            changed.append(c)

    # A stage clock for the status the appeal is in now, if the policy has one.
    stage_pc = by_key.get((ClockKind.STAGE, appeal.status))
    if stage_pc is not None and not any(c.is_running and _key(c) == _key(stage_pc) for c in [*clocks, *new]):
        new.append(_new_clock(appeal, policy, stage_pc, now, now))
    _finish(appeal, clocks, changed, new)


def start_new(appeals: Sequence[Appeal]) -> Callable[[], None]:
    """Registration's hook (``hooks.on_register``): what ``sync(appeal, created=True)``
    does for each new appeal, for a batch. The clocks are computed before the appeals
    are inserted and the nearest deadline put on them (no UPDATE afterwards); the
    returned function inserts every clock and alarm of the batch once the appeals
    have ids."""
    now = timezone.now()
    planned: list[tuple[Appeal, list[NewClock]]] = []
    for appeal in appeals:
        clocks = compute_clocks(appeal, now)
        appeal.due_at, appeal.due_risk_at = _nearest(appeal, clocks)
        planned.append((appeal, clocks))

    def write() -> None:
        # The appeals have their ids now.
        new = [(appeal, clock) for appeal, clocks in planned for clock in clocks]
        ids = fastsql.insert_rows(AppealClock, [clock.values(appeal) for appeal, clock in new], returning=True) or []
        _save_alarms(
            [(pk, appeal.pk, clock.plan) for pk, (appeal, clock) in zip(ids, new, strict=True) if clock.is_running]
        )

    return write


def compute_clocks(appeal: Appeal, now: datetime | None = None) -> list[NewClock]:
    """The clocks a new appeal starts with, computed and not saved: the matching
    policy (or the queue's term), each clock's deadline, "at risk" point and alarms.
    ``NewClock.to_model(appeal)`` gives the row registration writes; the deadline
    benchmark times this."""
    now = now or timezone.now()
    policy, wanted = _wanted(appeal, policies.policy_for(appeal))
    return _compute_all(appeal, policy, wanted, now)


def _start_all(
    appeal: Appeal, policy: DeadlinePolicy | None, wanted: list[PolicyClock], now: datetime
) -> list[AppealClock]:
    return [c.to_model(appeal) for c in _compute_all(appeal, policy, wanted, now)]


def _compute_all(
    appeal: Appeal, policy: DeadlinePolicy | None, wanted: list[PolicyClock], now: datetime
) -> list[NewClock]:
    new = []
    for pc in wanted:
        if pc.clock == ClockKind.STAGE:
            if pc.stage != appeal.status:
                continue
            clock = _compute(policy, pc, now, now)
        else:
            clock = _compute(policy, pc, _start_of(appeal, pc), now)
        if pc.clock == ClockKind.REGISTRATION:
            clock.met_at = appeal.registered_at
        elif pc.clock == ClockKind.FIRST_RESPONSE and appeal.first_response_at is not None:
            clock.met_at = appeal.first_response_at
        elif pc.clock == ClockKind.ANSWER and appeal.status in MEETS_ANSWER:
            clock.met_at = now
        new.append(clock)
    return new


def _now_under(policy: DeadlinePolicy | None) -> str:
    """What the events of a switch say, in the installation's language (the policy's
    name too), like every deadline event: the timeline is read by everyone."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        name = policy.display_name if policy is not None else _("queue term")
        return fill(_("Deadline policy now: %(name)s."), {"name": name})


def _switch_policy(
    appeal: Appeal,
    who: Actor,
    policy: DeadlinePolicy | None,
    wanted: list[PolicyClock],
    running: list[AppealClock],
    clocks: list[AppealClock],
    now: datetime,
    reason: str,
) -> tuple[list[AppealClock], list[AppealClock]]:
    """Another policy applies now: running clocks it also has are re-planned with its
    terms (start, pauses and extensions kept); the others are cancelled; clocks only
    it has start (unless already met, e.g. registration)."""
    by_key = {_key(pc): pc for pc in wanted}
    comment = reason or _now_under(policy)
    changed: list[AppealClock] = []
    for c in running:
        pc = by_key.get(_key(c))
        before = c.due_at
        if pc is None:
            _stop(c, cancelled=now)
            _event(appeal, who, EventKind.DEADLINE_RECOMPUTED, c, before=before, after=None, comment=comment)
        else:
            c.policy, c.policy_clock = policy, pc if pc.pk else None
            _take_rules(c, pc)
            c.started_at = _start_of(appeal, pc) if pc.clock != ClockKind.STAGE else c.started_at
            _replan(c, policy, now)
            _event(appeal, who, EventKind.DEADLINE_RECOMPUTED, c, before=before, after=c.due_at, comment=comment)
        changed.append(c)
    have = {_key(c) for c in clocks}
    new = [c for c in _start_all(appeal, policy, [pc for pc in wanted if _key(pc) not in have], now)]
    for c in new:
        if c.is_running:
            _event(appeal, who, EventKind.DEADLINE_RECOMPUTED, c, before=None, after=c.due_at, comment=comment)
    return changed, new


def _finish(appeal: Appeal, clocks: list[AppealClock], changed: list[AppealClock], new: list[AppealClock]) -> None:
    fields = [
        "policy",
        "policy_clock",
        "term_amount",
        "term_unit",
        "day_off_rule",
        "calendar",
        "is_statutory",
        "pauses_while_waiting",
        "citation",
        "citation_en",
        "penalty_percent_per_day",
        "started_at",
        "due_at",
        "risk_at",
        "paused_since",
        "paused_seconds",
        "extended_amount",
        "met_at",
        "cancelled_at",
    ]
    if changed:
        AppealClock.objects.bulk_update(changed, fields)
    _save_new(new)
    summarise(appeal, [*clocks, *new])


def summarise(appeal: Appeal, clocks: list[AppealClock]) -> None:
    """Copy the nearest deadline onto the appeal, where lists sort and filter by it:
    the earliest running, unpaused clock. An open appeal with none (its clocks paused
    while the client owes an answer, or met before it was reopened) has no deadline
    to show; a finished one keeps its answer clock's, for the record."""
    due, risk = _nearest(appeal, clocks)
    if appeal.due_at != due or appeal.due_risk_at != risk:
        appeal.due_at, appeal.due_risk_at = due, risk
        type(appeal).objects.filter(pk=appeal.pk).update(due_at=due, due_risk_at=risk)


def _nearest(appeal: Appeal, clocks: Sequence[AppealClock | NewClock]) -> tuple[datetime | None, datetime | None]:
    """The deadline and "at risk" point :func:`summarise` copies onto the appeal."""
    live = [c for c in clocks if c.is_running and c.paused_since is None]
    nearest = min(live, key=lambda c: c.due_at) if live else None
    if nearest is None and not appeal.is_open:
        answers = [c for c in clocks if c.clock == ClockKind.ANSWER and c.cancelled_at is None]
        nearest = answers[-1] if answers else None
    return (nearest.due_at, nearest.risk_at) if nearest is not None else (None, None)


def _event(
    appeal: Appeal,
    who: Actor,
    kind: EventKind,
    clock: AppealClock,
    *,
    before: datetime | None,
    after: datetime | None,
    comment: str = "",
) -> None:
    from okno.appeals.services import events

    events.record(appeal, kind, who, field=clock.clock, before=before, after=after, comment=comment)


def recompute_appeal(appeal: Appeal, *, reason: str, actor: Actor | None = None) -> int:
    """Re-plan every running clock of one appeal from its stored rules (after a
    calendar or policy edit). Returns how many deadlines moved."""
    now = timezone.now()
    who = actor or _system()
    clocks = list(AppealClock.objects.filter(appeal=appeal).select_related("policy_clock", "policy"))
    changed, moved = [], 0
    for c in clocks:
        if not c.is_running:
            continue
        rules_changed = c.policy_clock is not None and _take_rules(c, c.policy_clock)
        before = c.due_at
        _replan(c, c.policy, now)
        if c.due_at != before:
            _event(appeal, who, EventKind.DEADLINE_RECOMPUTED, c, before=before, after=c.due_at, comment=reason)
            moved += 1
        if rules_changed or c.due_at != before:
            changed.append(c)
    _finish(appeal, clocks, changed, [])
    return moved


@transaction.atomic
def extend(actor: Actor, appeal: Appeal | int, clock_id: int, *, reason: str) -> AppealClock:
    """Extend a running clock by its policy's extension, once, with a reason.

    Where the policy requires it, the client is told through the appeal's channel
    (a reply carrying the new date); the new deadline and the notice are events.
    """
    from okno.accounts.models import User
    from okno.appeals import access
    from okno.appeals.services.common import lock_for
    from okno.core.errors import Conflict, InvalidInput, NotFound

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the deadline is extended."), field="reason")
    appeal = lock_for(actor, appeal, access.Action.EXTEND_DEADLINE)
    clock = AppealClock.objects.filter(appeal=appeal, pk=clock_id).select_related("policy_clock", "policy").first()
    if clock is None:
        raise NotFound(_("This appeal has no such deadline."))
    pc = clock.policy_clock
    if not clock.is_running:
        raise Conflict(_("This deadline is no longer running."))
    if pc is None or not pc.extension_amount:
        raise Conflict(_("The policy of this deadline allows no extension."))
    if clock.extended_amount:
        raise Conflict(_("This deadline has already been extended."))
    now = timezone.now()
    before = clock.due_at
    clock.extended_amount = pc.extension_amount
    clock.extended_at = now
    clock.extension_reason = reason
    clock.extended_by = actor if isinstance(actor, User) else None
    _replan(clock, clock.policy, now)
    clock.save(update_fields=["extended_amount", "extended_at", "extension_reason", "extended_by", "due_at", "risk_at"])
    _event(appeal, actor, EventKind.DEADLINE_EXTENDED, clock, before=before, after=clock.due_at, comment=reason)
    # The reply or the notice below runs ``sync``, which copies the new deadline onto the appeal.
    if pc.extension_notice_required:
        _send_extension_notice(actor, appeal, clock, pc, reason)
    else:
        from okno.appeals.services import notify

        notify.appeal_changed(appeal)
    return clock


def _send_extension_notice(actor: Actor, appeal: Appeal, clock: AppealClock, pc: PolicyClock, reason: str) -> None:
    from django.conf import settings
    from django.utils import formats, translation

    from okno.appeals.choices import Status as S
    from okno.appeals.services import messages

    with translation.override(settings.LANGUAGE_CODE):
        due = formats.date_format(timezone.localtime(clock.due_at, get_calendar(clock.calendar_id).tz), "DATE_FORMAT")
        lines = [
            # The Russian date ends with «г.»: one full stop after it, not two.
            fill(
                _("The time for answering your appeal No. %(number)s has been extended until %(date)s."),
                {"number": appeal.number, "date": due},
            ),
            _("Reason: %(reason)s") % {"reason": reason},
        ]
        if pc.extension_basis:
            lines.append(_("Basis: %(basis)s") % {"basis": pc.extension_basis})
        body = "\n\n".join(lines)
    status_after = S.IN_WORK if appeal.status in (S.NEW, S.IN_WORK) else S(appeal.status)
    if status_after not in messages.REPLY_STATUSES:
        status_after = S.IN_WORK
    messages.reply(actor, appeal, body_text=body, status_after=status_after)
