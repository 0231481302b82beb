"""Reading an appeal's deadlines as people and integrators see them: every clock with
its policy, term, pauses, extension, standing, penalty and history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from okno.appeals.choices import EventKind, Status
from okno.appeals.models import Appeal, Event
from okno.deadlines import display
from okno.deadlines.calendar import get_calendar
from okno.deadlines.choices import ClockKind, ClockState, Risk, TermUnit
from okno.deadlines.models import AppealClock

DEADLINE_EVENT_KINDS = (
    EventKind.DEADLINE_RECOMPUTED,
    EventKind.DEADLINE_PAUSED,
    EventKind.DEADLINE_RESUMED,
    EventKind.DEADLINE_EXTENDED,
    EventKind.DEADLINE_BREACHED,
)


def term_text(amount: int, unit: str) -> str:
    if unit == TermUnit.WORKING_DAYS:
        return ngettext("%(n)d working day", "%(n)d working days", amount) % {"n": amount}
    if unit == TermUnit.WORKING_HOURS:
        return ngettext("%(n)d working hour", "%(n)d working hours", amount) % {"n": amount}
    return ngettext("%(n)d day", "%(n)d days", amount) % {"n": amount}


@dataclass
class ClockView:
    clock: AppealClock
    label: str
    policy_name: str
    citation: str
    term: str
    calendar_name: str
    state: ClockState
    risk: Risk | None
    countdown: str
    paused: timedelta
    paused_text: str
    penalty: Decimal | None
    extension_available: str  # the term it would add, or ""
    history: list[Event] = field(default_factory=list)


def clock_label(clock: AppealClock) -> str:
    if clock.clock == ClockKind.STAGE:
        try:
            stage = str(Status(clock.stage).label)
        except ValueError:
            stage = clock.stage
        return _("Stage: %(stage)s") % {"stage": stage}
    return str(ClockKind(clock.clock).label)


def clocks_of(appeal: Appeal, now: datetime | None = None) -> list[ClockView]:
    """The appeal's clocks, newest last, with what a person needs to judge them."""
    now = now or timezone.now()
    clocks = list(
        AppealClock.objects.filter(appeal=appeal).select_related("policy", "policy_clock", "calendar").order_by("id")
    )
    history: dict[str, list[Event]] = {}
    for event in appeal.events.filter(kind__in=DEADLINE_EVENT_KINDS).select_related("actor").order_by("created_at"):
        history.setdefault(event.field, []).append(event)
    views = []
    for c in clocks:
        state = c.state(now)
        cal = get_calendar(c.calendar_id)
        paused = timedelta(seconds=c.paused_seconds)
        if c.paused_since is not None:
            paused += (
                now - c.paused_since
                if c.term_unit == TermUnit.CALENDAR_DAYS
                else cal.working_time_between(c.paused_since, now)
            )
        running = state in (ClockState.RUNNING, ClockState.OVERDUE)
        pc = c.policy_clock
        term = term_text(c.term_amount, c.term_unit)
        if c.extended_amount:
            term += " + " + term_text(c.extended_amount, c.term_unit)
        views.append(
            ClockView(
                clock=c,
                label=clock_label(c),
                policy_name=c.policy.display_name if c.policy is not None else _("Queue term"),
                citation=c.display_citation,
                term=term,
                calendar_name=c.calendar.display_name,
                state=state,
                risk=display.standing(c.due_at, c.risk_at, now) if running else None,
                countdown=display.countdown(c.due_at, now, cal) if running else "",
                paused=paused,
                paused_text=display.duration_text(paused) if paused else "",
                penalty=display.penalty(appeal.claim_amount, c.penalty_percent_per_day, c.due_at, c.met_at or now),
                extension_available=(
                    term_text(pc.extension_amount, c.term_unit)
                    if running and pc is not None and pc.extension_amount and not c.extended_amount
                    else ""
                ),
                history=history.get(c.clock, []),
            )
        )
    return views
