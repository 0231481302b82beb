"""The pages: the navbar's status switcher, the board, the settings."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from okno.accounts.models import User
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services.common import profile_of
from okno.routing.agents.tests.helpers import agent, arrive, assignee_of, automatic
from okno.routing.choices import AssignmentMode
from okno.routing.models import QueueRouting
from okno.testing import Org

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_switcher_is_in_the_navbar_of_those_who_take_appeals(org: Org) -> None:
    page = signed_in(org.anna).get(reverse("appeals:inbox")).content.decode()
    assert 'id="okno-agent-status"' in page and 'data-status="offline"' in page
    assert 'id="okno-agent-status"' not in signed_in(org.adam).get(reverse("appeals:inbox")).content.decode()
    assert 'id="okno-agent-status"' not in signed_in(org.kira).get(reverse("appeals:inbox")).content.decode()


def test_switching_my_status_takes_waiting_appeals_at_once(org: Org) -> None:
    automatic(org, org.claims)
    waiting = arrive(org)
    client = signed_in(org.anna)
    response = client.post(reverse("agents:my_status"), {"status": "available"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="okno-agent-status"' in html and 'data-status="available"' in html
    assert assignee_of(waiting) == "anna"
    bad = client.post(reverse("agents:my_status"), {"status": "asleep"}, **HTMX)
    assert bad.status_code == 400 and 'data-status="available"' in bad.content.decode()
    # Without htmx: back where it came from.
    plain = client.post(reverse("agents:my_status"), {"status": "break"}, HTTP_REFERER="/clients/")
    assert plain.status_code == 302 and plain["Location"] == "/clients/"
    assert profile_of(org.anna).status == AgentStatus.BREAK


def test_the_board_for_supervisors_dispatchers_and_administrators(org: Org) -> None:
    automatic(org, org.claims, AssignmentMode.LEAST_LOADED)
    agent(org, "petr", org.claims, max_open=3)
    arrive(org)
    assert signed_in(org.anna).get(reverse("agents:board")).status_code == 403
    page = signed_in(org.sergey).get(reverse("agents:board")).content.decode()
    assert 'data-agent="petr"' in page and 'id="agents-board"' in page
    assert '<meter class="w-100" min="0" max="3"' in page
    assert 'name="status"' in page  # a supervisor may change statuses
    readonly = signed_in(org.dina).get(reverse("agents:board")).content.decode()
    assert 'data-agent="petr"' in readonly and 'name="status"' not in readonly
    fragment = signed_in(org.sergey).get(reverse("agents:board"), **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="agents-board"')


def test_a_supervisor_changes_an_agents_status_from_the_board(org: Org) -> None:
    url = reverse("agents:set_status", args=[org.anna.pk])
    response = signed_in(org.sergey).post(url, {"status": "break"}, **HTMX)
    assert response.status_code == 200
    assert 'data-agent="anna" data-status="break"' in response.content.decode()
    assert profile_of(org.anna).status == AgentStatus.BREAK
    denied = signed_in(org.boris).post(url, {"status": "available"})
    assert denied.status_code in (302, 403)
    assert profile_of(org.anna).status == AgentStatus.BREAK


def test_settings_are_the_administrators(org: Org) -> None:
    url = reverse("agents_settings:index")
    assert signed_in(org.sergey).get(url).status_code == 403
    page = signed_in(org.adam).get(url).content.decode()
    assert 'data-agent="anna"' in page and 'data-queue="claims"' in page

    admin = signed_in(org.adam)
    done = admin.post(reverse("agents_settings:queue_mode", args=[org.claims.pk]), {"mode": "round_robin"})
    assert done.status_code == 302
    assert QueueRouting.objects.get(queue=org.claims).mode == AssignmentMode.ROUND_ROBIN

    assert (
        admin.post(reverse("agents_settings:channel_limits"), {"limit_mail": "7", "limit_phone": ""}).status_code == 302
    )
    from okno.routing.agents.services.limits import channel_limits

    assert channel_limits() == {"mail": 7}
    wrong = admin.post(reverse("agents_settings:channel_limits"), {"limit_mail": "-2"})
    assert wrong.status_code == 400


def test_the_agent_form(org: Org) -> None:
    url = reverse("agents_settings:agent", args=[org.anna.pk])
    assert signed_in(org.sergey).get(url).status_code == 403
    admin = signed_in(org.adam)
    assert admin.get(url).status_code == 200
    assert admin.get(reverse("agents_settings:agent", args=[999_999])).status_code == 404
    saved = admin.post(
        url, {"max_open": "4", "limit_mail": "2", "languages": ["en"], "products": [str(org.debit_card.pk)]}
    )
    assert saved.status_code == 302
    profile = profile_of(org.anna)
    assert (profile.max_open, profile.channel_limits, profile.languages) == (4, {"mail": 2}, ["en"])
    assert list(profile.products.all()) == [org.debit_card]
    wrong = admin.post(url, {"max_open": "many"})
    assert wrong.status_code == 400
    assert profile_of(org.anna).max_open == 4
