"""Statuses: who may set them, their history, consultation asking for help, going
offline at logout; and the administrators' limits with their validation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from okno.appeals.choices import Channel
from okno.core.errors import InvalidInput, NotFound
from okno.notifications.choices import NotificationKind
from okno.notifications.models import Notification
from okno.notifications.render import render
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.models import AgentProfile, AgentStatusChange, ChannelLimit
from okno.routing.agents.services import limits, statuses
from okno.routing.agents.services.common import profile_of
from okno.routing.choices import AssignmentMode
from okno.routing.models import QueueRouting
from okno.testing import Org

pytestmark = pytest.mark.django_db


def test_every_staff_user_has_a_profile_offline_at_first(org: Org) -> None:
    assert not AgentProfile.objects.filter(user=org.anna).exists()
    profile = profile_of(org.anna)
    assert profile.status == AgentStatus.OFFLINE and profile.max_open is None
    assert profile_of(org.anna.pk).pk == profile.pk


def test_an_agent_sets_their_own_status_and_it_is_recorded(org: Org) -> None:
    statuses.set_status(org.anna, org.anna, AgentStatus.AVAILABLE)
    statuses.set_status(org.anna, org.anna, AgentStatus.AVAILABLE)  # no change: no new row
    statuses.set_status(org.anna, org.anna, AgentStatus.BREAK)
    changes = list(AgentStatusChange.objects.filter(user=org.anna).order_by("id"))
    assert [(c.previous, c.status, c.changed_by) for c in changes] == [
        (AgentStatus.OFFLINE, AgentStatus.AVAILABLE, org.anna),
        (AgentStatus.AVAILABLE, AgentStatus.BREAK, org.anna),
    ]
    assert profile_of(org.anna).status == AgentStatus.BREAK


def test_only_supervisors_and_administrators_set_someone_elses_status(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        statuses.set_status(org.boris, org.anna, AgentStatus.BREAK)
    with pytest.raises(PermissionDenied):
        statuses.set_status(org.dina, org.anna, AgentStatus.BREAK)  # a dispatcher reads the board only
    statuses.set_status(org.sergey, org.boris, AgentStatus.BREAK)  # any agent, not only his queue's
    statuses.set_status(org.adam, org.anna, AgentStatus.MAIL)
    assert profile_of(org.boris).status == AgentStatus.BREAK
    assert AgentStatusChange.objects.get(user=org.anna).changed_by == org.adam


def test_unknown_statuses_and_people_who_take_no_appeals_are_refused(org: Org) -> None:
    with pytest.raises(InvalidInput) as error:
        statuses.set_status(org.anna, org.anna, "asleep")
    assert error.value.field == "status"
    with pytest.raises(InvalidInput):
        statuses.set_status(org.adam, org.kira, AgentStatus.AVAILABLE)  # compliance officers take no appeals
    with pytest.raises(NotFound):
        statuses.set_status(org.adam, 999_999, AgentStatus.AVAILABLE)


def test_consultation_asks_the_supervisors_of_the_agents_queues(org: Org) -> None:
    statuses.set_status(org.anna, org.anna, AgentStatus.CONSULTATION)
    notes = list(Notification.objects.filter(kind=NotificationKind.CONSULTATION))
    assert [n.user for n in notes] == [org.sergey]  # the supervisor of claims
    shown = render(notes[0])
    assert shown.title == "An agent asks for help"
    assert shown.text == f"{org.anna.display_name} asks for help. See the supervisor board."
    # Boris's queue has no supervisor: every supervisor is asked.
    statuses.set_status(org.boris, org.boris, AgentStatus.CONSULTATION)
    assert Notification.objects.filter(kind=NotificationKind.CONSULTATION, user=org.sergey).count() == 2


def test_logging_out_sets_offline(org: Org) -> None:
    statuses.set_status(org.anna, org.anna, AgentStatus.AVAILABLE)
    client = Client()
    client.force_login(org.anna)
    client.post(reverse("accounts:logout"))
    assert profile_of(org.anna).status == AgentStatus.OFFLINE
    assert AgentStatusChange.objects.filter(user=org.anna).latest("id").status == AgentStatus.OFFLINE


def test_limits_are_the_administrators_and_validated(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        limits.update_agent(org.sergey, org.anna, {"max_open": 3})
    profile = limits.update_agent(
        org.adam,
        org.anna,
        {
            "max_open": "5",
            "channel_limits": {"mail": 3, "messenger": None},
            "languages": ["EN", "ru"],
            "products": [org.debit_card.pk],
        },
    )
    assert (profile.max_open, profile.channel_limits, profile.languages) == (5, {"mail": 3}, ["en", "ru"])
    assert list(profile.products.all()) == [org.debit_card]
    bad = [
        ({"max_open": -1}, "max_open"),
        ({"max_open": 2.5}, "max_open"),
        ({"max_open": True}, "max_open"),
        ({"channel_limits": {"pigeon": 1}}, "channel_limits"),
        ({"channel_limits": {"mail": "many"}}, "channel_limits.mail"),
        ({"channel_limits": [1]}, "channel_limits"),
        ({"languages": ["de"]}, "languages"),
        ({"languages": "ru"}, "languages"),
        ({"products": [999_999]}, "products"),
        ({"queues": [1]}, "queues"),
    ]
    for changes, field in bad:
        with pytest.raises(InvalidInput) as error:
            limits.update_agent(org.adam, org.anna, changes)
        assert error.value.field == field, changes
    profile.refresh_from_db()
    assert profile.max_open == 5


def test_channel_limits_and_queue_modes(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        limits.set_channel_limits(org.sergey, {"mail": 1})
    assert limits.set_channel_limits(org.adam, {"mail": 10, "phone": "4"}) == {"mail": 10, "phone": 4}
    assert limits.set_channel_limits(org.adam, {"phone": 2, "mail": None}) == {"phone": 2}
    assert list(ChannelLimit.objects.values_list("channel", "max_open")) == [(Channel.PHONE, 2)]

    with pytest.raises(PermissionDenied):
        limits.set_queue_mode(org.sergey, org.claims, AssignmentMode.ROUND_ROBIN)
    with pytest.raises(InvalidInput):
        limits.set_queue_mode(org.adam, org.claims, "lottery")
    with pytest.raises(NotFound):
        limits.set_queue_mode(org.adam, 999_999, AssignmentMode.ROUND_ROBIN)
    routing = limits.set_queue_mode(org.adam, org.claims, AssignmentMode.LEAST_LOADED)
    assert routing.mode == QueueRouting.objects.get(queue=org.claims).mode == AssignmentMode.LEAST_LOADED
    assert limits.queue_routing(org.support).mode == AssignmentMode.MANUAL
