"""A policy that names a person at a breach: the sweep hands the appeal over with an
event saying from whom to whom, skips people who left, and leaves alone appeals
already theirs — set-based, however many appeals breach at once."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from okno.accounts.choices import Role
from okno.appeals.choices import EventKind
from okno.appeals.models import Appeal, Event
from okno.deadlines.services.sweep import sweep
from okno.deadlines.tests.test_clocks import MONDAY, activate
from okno.testing import make_user


def breach_moment(*appeals: Appeal):
    return max(Appeal.objects.filter(pk__in=[a.pk for a in appeals]).values_list("due_at", flat=True)) + timedelta(
        minutes=1
    )


def test_a_breach_hands_the_appeal_to_the_person_the_policy_names(org, django_assert_max_num_queries):
    dpo = make_user("dpo", Role.SPECIALIST, first_name="Степан", last_name="Ершов", patronymic="Ильич")
    activate("fz152-pd-request", breach_reassigns_to=dpo)
    with time_machine.travel(MONDAY, tick=False):
        appeals = [org.appeal(assignee=org.anna) for _ in range(12)]
        unassigned = org.appeal()
        already = org.appeal(org.dina, assignee=dpo)
    with django_assert_max_num_queries(25):
        result = sweep(breach_moment(*appeals, unassigned, already))
    assert result.breaches == 14 and result.reassigned == 13
    assert set(Appeal.objects.filter(assignee=dpo).values_list("pk", flat=True)) == {
        a.pk for a in [*appeals, unassigned, already]
    }
    event = Event.objects.get(appeal=appeals[0], kind=EventKind.ASSIGNED, field="assignee", actor__isnull=True)
    assert event.before == {"value": org.anna.pk, "label": str(org.anna)}
    assert event.after == {"value": dpo.pk, "label": "Ершов С.И."}
    assert event.actor_label and event.comment
    moved = Event.objects.get(appeal=unassigned, kind=EventKind.ASSIGNED, actor__isnull=True)
    assert moved.before is None and moved.after["value"] == dpo.pk
    assert not Event.objects.filter(appeal=already, kind=EventKind.ASSIGNED, actor__isnull=True).exists()


def test_nobody_is_handed_an_appeal_after_leaving(org):
    gone = make_user("gone", Role.SPECIALIST, is_active=False)
    activate("fz152-pd-request", breach_reassigns_to=gone)
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal(assignee=org.anna)
    result = sweep(breach_moment(appeal))
    assert result.breaches == 1 and result.reassigned == 0
    appeal.refresh_from_db()
    assert appeal.assignee == org.anna
    assert not Event.objects.filter(appeal=appeal, kind=EventKind.ASSIGNED, actor__isnull=True).exists()
