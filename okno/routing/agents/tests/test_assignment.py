"""Automatic assignment at registration: who may take an appeal, round-robin,
least loaded, limits counted within a batch, and what it leaves in the log."""

from __future__ import annotations

import pytest

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals.choices import Channel, EventKind
from okno.appeals.models import Event
from okno.appeals.services import Registration, register_appeal, register_appeals
from okno.notifications.choices import NotificationKind
from okno.notifications.models import Notification
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services import limits, statuses
from okno.routing.agents.tests.helpers import ROBOT, agent, arrive, assignee_of, automatic
from okno.routing.choices import AssignmentMode
from okno.testing import Org

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(org: Org) -> Org:
    """Claims assigned round-robin; Anna (its agent) offline unless a test says otherwise."""
    automatic(org, org.claims)
    return org


def test_a_manual_queue_is_left_to_the_dispatcher(org: Org) -> None:
    agent(org, "petr", org.claims)
    assert assignee_of(arrive(org)) is None


@pytest.mark.parametrize(
    ("status", "channel", "taken"),
    [
        (AgentStatus.AVAILABLE, Channel.PHONE, True),
        (AgentStatus.AVAILABLE, Channel.MAIL, True),
        (AgentStatus.MAIL, Channel.MAIL, True),
        (AgentStatus.MAIL, Channel.MESSENGER, False),
        (AgentStatus.CHATS, Channel.MESSENGER, True),
        (AgentStatus.CHATS, Channel.PORTAL, True),
        (AgentStatus.CHATS, Channel.MAIL, False),
        (AgentStatus.BREAK, Channel.PHONE, False),
        (AgentStatus.CONSULTATION, Channel.PHONE, False),
        (AgentStatus.OFFLINE, Channel.PHONE, False),
    ],
)
def test_the_status_decides_which_channels_an_agent_takes(claims: Org, status: str, channel: str, taken: bool) -> None:
    agent(claims, "petr", claims.claims, status=status)
    assert assignee_of(arrive(claims, channel=channel)) == ("petr" if taken else None)


def test_only_active_members_with_a_working_role_are_given_appeals(claims: Org) -> None:
    agent(claims, "outsider", claims.support)
    gone = agent(claims, "gone", claims.claims)
    gone.is_active = False
    gone.save()
    # Supervisors take appeals too; an administrator in the queue does not.
    admin = agent(claims, "boss", claims.claims, role=Role.SUPERVISOR)
    admin.role = Role.ADMIN
    admin.save()
    assert assignee_of(arrive(claims)) is None
    agent(claims, "sveta", claims.claims, role=Role.SUPERVISOR)
    assert assignee_of(arrive(claims)) == "sveta"


def test_limits_overall_per_channel_and_per_channel_total(claims: Org) -> None:
    agent(claims, "petr", claims.claims, max_open=2, channel_limits={"mail": 1})
    assert assignee_of(arrive(claims, channel=Channel.MAIL)) == "petr"
    # One mail is his limit for mail; a call still fits.
    assert assignee_of(arrive(claims, channel=Channel.MAIL)) is None
    assert assignee_of(arrive(claims, channel=Channel.PHONE)) == "petr"
    # Two open in all: nothing more.
    assert assignee_of(arrive(claims, channel=Channel.PHONE)) is None

    agent(claims, "olga", claims.claims)
    limits.set_channel_limits(claims.adam, {"phone": 2})  # Petr holds 1 call; the waiting call goes to Olga
    assert assignee_of(arrive(claims, channel=Channel.PHONE)) is None  # 2 calls assigned: the channel is full
    assert assignee_of(arrive(claims, channel=Channel.MAIL)) == "olga"


def test_skills_language_and_product(claims: Org) -> None:
    agent(claims, "english", claims.claims, languages=["en"])
    assert assignee_of(arrive(claims, subject="Списали комиссию за обслуживание карты")) is None
    assert assignee_of(arrive(claims, subject="The bank charged a fee for my card")) == "english"

    agent(claims, "cards", claims.claims, products=[claims.debit_card.pk])
    # An appeal without a product asks no product skill; one about the debit card needs it.
    assert assignee_of(arrive(claims, product=claims.debit_card)) == "cards"


def test_round_robin_goes_round_the_members_in_a_stable_order(claims: Org) -> None:
    for name in ("a1", "a2", "a3"):
        agent(claims, name, claims.claims)
    got = [assignee_of(arrive(claims)) for _ in range(4)]
    assert got == ["a1", "a2", "a3", "a1"]
    # A batch goes on from where the last one stopped, skipping who cannot take it.
    statuses.set_status(claims.adam, User.objects.get(username="a3"), AgentStatus.BREAK)
    batch = register_appeals(
        ROBOT,
        [Registration(subject="Вопрос", channel=Channel.PHONE, kind=claims.complaint, queue=claims.claims)] * 3,
    )
    assert [a.assignee.username for a in batch] == ["a2", "a1", "a2"]


def test_least_loaded_takes_the_one_with_fewest_open_appeals(claims: Org) -> None:
    automatic(claims, claims.claims, AssignmentMode.LEAST_LOADED)
    busy = agent(claims, "busy", claims.claims)
    for _ in range(2):
        register_appeal(
            claims.sergey,
            subject="Дело",
            channel=Channel.PHONE,
            kind=claims.complaint,
            queue=claims.claims,
            assignee=busy,
        )
    agent(claims, "free", claims.claims)
    agent(claims, "other", claims.claims)
    # free and other hold none; free waited longer (never assigned), then ids decide.
    got = [assignee_of(arrive(claims)) for _ in range(5)]
    assert got == ["free", "other", "free", "other", "busy"]
    event = Event.objects.filter(kind=EventKind.ASSIGNED, field="assignee").latest("id")
    assert "least loaded" in event.comment
    assert "(2 open appeals)" in event.comment


def test_a_batch_counts_what_it_gives_away(claims: Org) -> None:
    agent(claims, "p1", claims.claims, max_open=2)
    agent(claims, "p2", claims.claims, max_open=1)
    batch = register_appeals(
        ROBOT,
        [
            Registration(subject=f"Вопрос {i}", channel=Channel.PHONE, kind=claims.complaint, queue=claims.claims)
            for i in range(5)
        ],
    )
    assert [a.assignee.username if a.assignee else None for a in batch] == ["p1", "p2", "p1", None, None]


def test_the_assignment_is_logged_and_the_agent_notified(claims: Org) -> None:
    petr = agent(claims, "petr", claims.claims)
    appeal = arrive(claims)
    event = Event.objects.get(appeal=appeal, kind=EventKind.ASSIGNED)
    assert event.after == {"value": petr.pk, "label": petr.display_name}
    assert event.comment == "Assigned automatically: round-robin in the queue «Claims»."
    assert Notification.objects.filter(user=petr, kind=NotificationKind.ASSIGNED, appeal=appeal).count() == 1


def test_a_chosen_assignee_and_the_dispatcher_are_respected(claims: Org) -> None:
    agent(claims, "petr", claims.claims)
    chosen = register_appeal(
        claims.sergey,
        subject="Дело",
        channel=Channel.PHONE,
        kind=claims.complaint,
        queue=claims.claims,
        assignee=claims.anna,
    )
    assert assignee_of(chosen) == "anna"
    assert not Notification.objects.filter(kind=NotificationKind.ASSIGNED, appeal=chosen).exists()
