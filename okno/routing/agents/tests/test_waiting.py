"""Appeals nobody could take wait in their queue and are given away the moment
capacity frees up, the most urgent first."""

from __future__ import annotations

import pytest

from okno.appeals.choices import Channel, EventKind, Outcome, Priority
from okno.appeals.models import Appeal, Event
from okno.appeals.services import assign, cancel, change_status, close, merge, update_fields
from okno.notifications.choices import NotificationKind
from okno.notifications.models import Notification
from okno.queues.models import Membership
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services import limits, statuses
from okno.routing.agents.services.assignment import fill_capacity
from okno.routing.agents.tests.helpers import agent, arrive, assignee_of, automatic, received
from okno.routing.choices import AssignmentMode
from okno.routing.models import AppealRouting
from okno.testing import Org

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(org: Org) -> Org:
    automatic(org, org.claims)
    return org


def test_an_agent_becoming_available_takes_the_most_urgent_first(claims: Org) -> None:
    petr = agent(claims, "petr", claims.claims, status=AgentStatus.OFFLINE, max_open=4)
    # Answer term 30 days from receipt: received 10 days ago is due in 20 days …
    due_in_25 = arrive(claims, subject="A", created_at=received(5))
    due_in_20 = arrive(claims, subject="B", created_at=received(10))
    overdue_5 = arrive(claims, subject="C", created_at=received(35))
    overdue_10 = arrive(claims, subject="D", created_at=received(40))
    due_in_25_high = arrive(claims, subject="E", created_at=received(5), priority=Priority.HIGH)
    for appeal in (due_in_25, due_in_20, overdue_5, overdue_10, due_in_25_high):
        appeal.refresh_from_db()
        assert appeal.assignee_id is None and appeal.due_at is not None
    assert overdue_10.due_at < overdue_5.due_at < due_in_20.due_at < due_in_25.due_at

    statuses.set_status(petr, petr, AgentStatus.AVAILABLE)
    taken = list(Appeal.objects.filter(assignee=petr).order_by("id").values_list("subject", flat=True))
    # Within term by least time left (ties: priority, then age), then overdue, oldest due first; 4 is his limit.
    order = [
        e.appeal.subject
        for e in Event.objects.filter(kind=EventKind.ASSIGNED, appeal__assignee=petr)
        .select_related("appeal")
        .order_by("id")
    ]
    assert order == ["B", "E", "A", "D"]
    assert sorted(taken) == ["A", "B", "D", "E"]
    assert assignee_of(overdue_5) is None


def test_closing_an_appeal_gives_the_freed_place_to_the_oldest_waiting(claims: Org) -> None:
    petr = agent(claims, "petr", claims.claims, max_open=1)
    first = arrive(claims, subject="first")
    assert assignee_of(first) == "petr"
    later = arrive(claims, subject="later", created_at=received(1))
    older = arrive(claims, subject="older", created_at=received(3))
    assert assignee_of(later) is None and assignee_of(older) is None

    close(petr, first, Outcome.EXPLAINED)
    assert assignee_of(older) == "petr"
    assert assignee_of(later) is None
    event = Event.objects.get(appeal=older, kind=EventKind.ASSIGNED)
    assert event.actor is None and event.actor_label == "routing"
    assert "round-robin" in event.comment
    assert Notification.objects.filter(user=petr, kind=NotificationKind.ASSIGNED, appeal=older).exists()

    cancel(claims.sergey, older, reason="Дубль")
    assert assignee_of(later) == "petr"


def test_answering_reassigning_and_merging_free_places_too(claims: Org) -> None:
    petr = agent(claims, "petr", claims.claims, max_open=1)
    one = arrive(claims, subject="one")
    waiting = [arrive(claims, subject=f"w{i}", created_at=received(5 - i)) for i in range(3)]
    assert assignee_of(one) == "petr"

    change_status(petr, one, "answered")  # answered: no longer his open load
    assert assignee_of(waiting[0]) == "petr"

    assign(claims.sergey, waiting[0], claims.anna)  # given to Anna by hand: Petr is free again
    assert assignee_of(waiting[1]) == "petr"

    merge(claims.sergey, waiting[1], waiting[0])
    assert assignee_of(waiting[2]) == "petr"


def test_an_appeal_losing_its_assignee_waits_and_is_taken(claims: Org) -> None:
    agent(claims, "petr", claims.claims, max_open=5)
    appeal = arrive(claims, queue=claims.support)  # support assigns by hand
    assert assignee_of(appeal) is None
    update_fields(claims.dina, appeal, {"queue": claims.claims})
    assert assignee_of(appeal) == "petr"
    assign(claims.dina, appeal, None)  # taken off him: it waits, and he takes it back
    assert assignee_of(appeal) == "petr"


def test_raising_a_limit_or_switching_a_queue_to_automatic_fills_at_once(org: Org) -> None:
    petr = agent(org, "petr", org.claims, max_open=0)
    appeals = [arrive(org, subject=f"{i}") for i in range(3)]
    assert [assignee_of(a) for a in appeals] == [None, None, None]
    automatic(org, org.claims, AssignmentMode.LEAST_LOADED)
    assert [assignee_of(a) for a in appeals] == [None, None, None]
    limits.update_agent(org.adam, petr, {"max_open": 2})
    assert [assignee_of(a) for a in appeals] == ["petr", "petr", None]


def test_a_new_member_takes_waiting_appeals(claims: Org) -> None:
    appeal = arrive(claims)
    olga = agent(claims, "olga", claims.support)
    assert assignee_of(appeal) is None
    Membership.objects.create(queue=claims.claims, user=olga)
    assert assignee_of(appeal) == "olga"


def test_appeals_for_the_dispatcher_and_manual_queues_are_not_taken(claims: Org) -> None:
    for_dispatcher = arrive(claims)
    AppealRouting.objects.update_or_create(appeal=for_dispatcher, defaults={"to_dispatcher": True})
    manual = arrive(claims, queue=claims.support)
    agent(claims, "petr", claims.claims, claims.support)
    assert assignee_of(for_dispatcher) is None
    assert assignee_of(manual) is None
    assert fill_capacity() == []


def test_a_channel_total_freed_lets_another_agent_take(claims: Org) -> None:
    petr = agent(claims, "petr", claims.claims, max_open=1)
    limits.set_channel_limits(claims.adam, {"phone": 1})
    first = arrive(claims, channel=Channel.PHONE)
    assert assignee_of(first) == "petr"
    agent(claims, "olga", claims.claims)
    waiting = arrive(claims, channel=Channel.PHONE)
    assert assignee_of(waiting) is None  # the channel is full
    close(petr, first, Outcome.EXPLAINED)
    assert assignee_of(waiting) in {"petr", "olga"}


def test_fill_capacity_gives_each_waiting_appeal_once(claims: Org) -> None:
    appeals = [arrive(claims, subject=f"{i}") for i in range(4)]
    agent(claims, "p1", claims.claims, status=AgentStatus.OFFLINE, max_open=3)
    agent(claims, "p2", claims.claims, status=AgentStatus.OFFLINE, max_open=3)
    from okno.routing.agents.models import AgentProfile

    AgentProfile.objects.update(status=AgentStatus.AVAILABLE)  # both at once, behind the services' back
    assigned = fill_capacity(queue_ids=[claims.claims.pk])
    assert [a.assignee.username for a in assigned] == ["p1", "p2", "p1", "p2"]
    assert fill_capacity() == []
    assert {assignee_of(a) for a in appeals} == {"p1", "p2"}
