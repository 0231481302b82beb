"""The periodic sweep: reminders before the deadline, and at the breach a notice to
the assignee and the queue's supervisors, an event, a higher priority — each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from okno.accounts.choices import Role
from okno.appeals import services
from okno.appeals.choices import EventKind, Priority, Status
from okno.appeals.models import Appeal, Event
from okno.deadlines.models import AppealClock
from okno.deadlines.services.sweep import sweep
from okno.deadlines.tests.test_clocks import MONDAY, activate
from okno.notifications.choices import NotificationKind
from okno.notifications.models import Notification
from okno.testing import make_user


def notes(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("appeal_id", "params"))


def test_reminders_come_once_at_their_share_of_the_term(org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal(assignee=org.anna)
    answer = AppealClock.objects.get(appeal=appeal, clock="answer")
    halfway = answer.started_at + (answer.due_at - answer.started_at) / 2
    assert sweep(MONDAY + timedelta(hours=1)).alarms == 0
    result = sweep(halfway)
    assert result.reminders == 1 and result.breaches == 0
    [(appeal_id, params)] = notes(org.anna, NotificationKind.REMINDER)
    assert appeal_id == appeal.pk and params["percent"] == 50 and params["clock"] == "answer"
    assert sweep(halfway).alarms == 0  # nothing fires twice
    assert len(notes(org.anna, NotificationKind.REMINDER)) == 1


def test_a_breach_is_recorded_raises_priority_and_reaches_the_supervisors(org):
    activate("fz442-financial")
    other_supervisor = make_user("olga", Role.SUPERVISOR, org.support)
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal(assignee=org.anna, priority=Priority.NORMAL)
    due = Appeal.objects.get(pk=appeal.pk).due_at
    result = sweep(due + timedelta(minutes=1))
    # 50 %, 80 %, the last day and the breach all fire in this one (late) sweep.
    assert result.breaches == 1 and result.reminders == 3 and result.priorities_raised == 1
    appeal.refresh_from_db()
    assert appeal.priority == Priority.HIGH and appeal.priority_rank == 3
    breach = Event.objects.get(appeal=appeal, kind=EventKind.DEADLINE_BREACHED)
    assert breach.field == "answer" and breach.actor is None
    raised = Event.objects.get(appeal=appeal, kind=EventKind.FIELD_CHANGED, field="priority")
    assert (raised.before["value"], raised.after["value"]) == ("normal", "high")
    assert AppealClock.objects.get(appeal=appeal).breached_at is not None
    assert len(notes(org.anna, NotificationKind.BREACH)) == 1
    assert len(notes(org.sergey, NotificationKind.ESCALATION)) == 1  # supervisor of the claims queue
    assert notes(other_supervisor, NotificationKind.ESCALATION) == []  # another queue's supervisor
    again = sweep(due + timedelta(hours=2))
    assert again.alarms == 0
    appeal.refresh_from_db()
    assert appeal.priority == Priority.HIGH


def test_answered_and_paused_clocks_do_not_fire(org):
    activate("sla-example")
    with time_machine.travel(MONDAY, tick=False):
        answered = org.appeal(assignee=org.anna)
        waiting = org.appeal(assignee=org.anna)
        services.reply(org.anna, answered, body_text="Готово")
        services.change_status(org.anna, waiting, Status.WAITING_CLIENT)
    result = sweep(MONDAY + timedelta(days=30))
    # The answered appeal's clocks are met; the waiting one's are both paused (SLA
    # clocks pause while the client owes us an answer): nothing fires.
    assert result.alarms == 0 and result.breaches == 0
    assert not Event.objects.filter(kind=EventKind.DEADLINE_BREACHED).exists()


def test_the_sweep_is_set_based(org, django_assert_max_num_queries):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeals = [org.appeal(assignee=org.anna) for _ in range(30)]
    due = max(Appeal.objects.filter(pk__in=[a.pk for a in appeals]).values_list("due_at", flat=True))
    with django_assert_max_num_queries(20):
        result = sweep(due + timedelta(minutes=1))
    assert result.breaches == 30 and result.priorities_raised == 30


def test_a_deadline_in_the_past_at_registration_fires_only_the_breach(org):
    activate("zozpp-22-money")
    arrived = datetime(2026, 1, 12, 7, 0, tzinfo=UTC)
    # A letter registered twelve days after it arrived: its ten days are already gone.
    with time_machine.travel(arrived + timedelta(days=12), tick=False):
        appeal = org.appeal(assignee=org.anna, created_at=arrived)
        result = sweep()
    assert result.breaches == 1 and result.reminders == 0
    assert Event.objects.filter(appeal=appeal, kind=EventKind.DEADLINE_BREACHED).count() == 1
