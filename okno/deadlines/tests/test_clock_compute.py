"""Computing a new appeal's clocks without saving them (what registration writes and
the deadline benchmark times), and the remembered terms in days following a
calendar edit at once."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import time_machine

from okno.appeals.models import Appeal
from okno.deadlines.calendar import get_calendar
from okno.deadlines.choices import AlarmKind, ClockKind, DayKind, TermUnit
from okno.deadlines.models import AppealClock, ClockAlarm
from okno.deadlines.services import calendars
from okno.deadlines.services.clocks import compute_clocks
from okno.deadlines.tests.test_clocks import MONDAY, activate, clock


def test_computed_clocks_are_what_registration_saves(org):
    activate("sla-example")
    with time_machine.travel(MONDAY, tick=False):
        saved = org.appeal()
    unsaved = Appeal(
        kind=org.complaint, channel=saved.channel, queue=org.claims, created_at=MONDAY, registered_at=MONDAY
    )
    computed = {c.clock: c for c in compute_clocks(unsaved, MONDAY)}
    assert set(computed) == {ClockKind.FIRST_RESPONSE, ClockKind.ANSWER}
    for kind, c in computed.items():
        stored = clock(saved, kind)
        assert (c.policy, c.started_at, c.due_at, c.risk_at) == (
            stored.policy,
            stored.started_at,
            stored.due_at,
            stored.risk_at,
        )
        alarms = ClockAlarm.objects.filter(clock=stored).order_by("at", "id").values_list("kind", "percent", "at")
        assert sorted(c.plan.alarms, key=lambda a: (a[2], a[0])) == sorted(alarms, key=lambda a: (a[2], a[0]))
        model = c.to_model(saved)
        assert model.pk is None and model.due_at == c.due_at and model.calendar_id == stored.calendar_id
    assert AppealClock.objects.count() == 2  # computing wrote nothing


def test_without_a_policy_the_queue_term_is_computed(org):
    org.claims.answer_term_days = 10
    org.claims.save()
    unsaved = Appeal(kind=org.request, channel="phone", queue=org.claims, created_at=MONDAY, registered_at=MONDAY)
    [answer] = compute_clocks(unsaved, MONDAY)
    assert answer.policy is None and answer.clock == ClockKind.ANSWER
    assert answer.due_at == get_calendar().add(MONDAY, 10, TermUnit.CALENDAR_DAYS)
    assert [kind for kind, _p, _at in answer.plan.alarms][-1] == AlarmKind.BREACH


def test_a_day_made_a_day_off_moves_the_next_deadline_at_once(org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        before = org.appeal().due_at
    tz = get_calendar().tz
    assert before.astimezone(tz).date() == dt.date(2026, 3, 24)
    calendars.set_day(org.adam, get_calendar().id, dt.date(2026, 3, 24), DayKind.DAY_OFF)
    with time_machine.travel(MONDAY + timedelta(minutes=5), tick=False):
        after = org.appeal().due_at
    # Same day of receipt, same term: only the calendar changed.
    assert after.astimezone(tz).date() == dt.date(2026, 3, 25)
