"""The agents API: statuses, limits, channel limits, queue modes and the board,
with who may do what."""

from __future__ import annotations

import pytest

from okno.appeals.choices import Channel
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services.common import profile_of
from okno.routing.agents.tests.helpers import agent, arrive, automatic
from okno.testing import Org
from okno.testing_api import ApiClient

pytestmark = pytest.mark.django_db


def test_my_status(org: Org) -> None:
    api = ApiClient(org.anna)
    got = api.get("/agents/me/status")
    assert got.status_code == 200
    assert got.json()["status"] == "offline"
    put = api.put("/agents/me/status", {"status": "mail"}, headers={"Accept-Language": "en"})
    assert put.status_code == 200, put.content
    assert put.json()["status"] == "mail" and put.json()["label"] == "Working on mail"
    assert profile_of(org.anna).status == AgentStatus.MAIL
    assert api.put("/agents/me/status", {"status": "asleep"}).status_code == 422
    assert api.put("/agents/me/status", {"status": "mail", "extra": 1}).status_code == 422


def test_an_agent_cannot_set_anothers_status_a_supervisor_can(org: Org) -> None:
    denied = ApiClient(org.anna).put(f"/agents/{org.boris.pk}/status", {"status": "break"})
    assert denied.status_code == 403
    assert profile_of(org.boris).status == AgentStatus.OFFLINE
    ok = ApiClient(org.sergey).put(f"/agents/{org.boris.pk}/status", {"status": "break"})
    assert ok.status_code == 200 and ok.json()["status"] == "break"
    assert ApiClient(org.adam).put("/agents/999999/status", {"status": "break"}).status_code == 404
    assert ApiClient(org.adam).put(f"/agents/{org.kira.pk}/status", {"status": "available"}).status_code == 400


def test_limits_read_by_their_owner_and_the_board_changed_by_administrators(org: Org) -> None:
    path = f"/agents/{org.anna.pk}"
    assert ApiClient(org.anna).get(path).status_code == 200  # her own
    assert ApiClient(org.boris).get(path).status_code == 403  # not another agent's
    assert ApiClient(org.boris).get("/agents").status_code == 403
    assert ApiClient(org.dina).get(path).status_code == 200  # dispatchers, supervisors, admins read
    names = [a["user"]["username"] for a in ApiClient(org.sergey).get("/agents").json()]
    assert {"anna", "boris", "sergey", "dina", "spec"} == set(names)  # not the admin or compliance

    change = {"max_open": 4, "channel_limits": {"mail": 2}, "languages": ["ru"], "products": [org.debit_card.pk]}
    assert ApiClient(org.sergey).patch(path, change).status_code == 403
    done = ApiClient(org.adam).patch(path, change)
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["max_open"], body["channel_limits"], body["languages"], body["products"]) == (
        4,
        {"mail": 2},
        ["ru"],
        [org.debit_card.pk],
    )
    assert body["queues"] == [org.claims.pk] and body["status"] == "offline" and body["open"] == 0
    # Partial: only what is sent changes; null lifts a limit.
    body = ApiClient(org.adam).patch(path, {"max_open": None}).json()
    assert body["max_open"] is None and body["channel_limits"] == {"mail": 2}
    bad = ApiClient(org.adam).patch(path, {"products": [999_999]})
    assert bad.status_code == 400 and bad.json()["field"] == "products"
    assert ApiClient(org.adam).patch(path, {"channel_limits": {"pigeon": 1}}).status_code == 422
    assert ApiClient(org.adam).patch(path, {"max_open": -1}).status_code == 422
    assert ApiClient(org.adam).patch(path, {"queues": [1]}).status_code == 422


def test_channel_limits_and_queue_modes(org: Org) -> None:
    assert ApiClient(org.anna).get("/routing/channel-limits").status_code == 403
    assert ApiClient(org.sergey).put("/routing/channel-limits", {"limits": {"mail": 5}}).status_code == 403
    put = ApiClient(org.adam).put("/routing/channel-limits", {"limits": {"mail": 5, "phone": 0}})
    assert put.status_code == 200 and put.json() == {"limits": {"mail": 5, "phone": 0}}
    assert ApiClient(org.sergey).get("/routing/channel-limits").json() == {"limits": {"mail": 5, "phone": 0}}

    path = f"/routing/queues/{org.claims.pk}"
    assert ApiClient(org.anna).get(path).status_code == 403
    got = ApiClient(org.sergey).get(path).json()
    assert got["mode"] == "manual" and got["name"] == "Претензии" and got["last_assigned"] is None
    assert ApiClient(org.sergey).patch(path, {"mode": "round_robin"}).status_code == 403
    assert ApiClient(org.adam).patch(path, {"mode": "lottery"}).status_code == 422
    assert ApiClient(org.adam).patch("/routing/queues/999999", {"mode": "round_robin"}).status_code == 404
    done = ApiClient(org.adam).patch(path, {"mode": "round_robin"})
    assert done.status_code == 200 and done.json()["mode"] == "round_robin"


def test_the_board(org: Org) -> None:
    automatic(org, org.claims)
    agent(org, "petr", org.claims, max_open=2, channel_limits={"mail": 1})
    arrive(org, channel=Channel.MAIL)
    arrive(org, channel=Channel.MAIL)  # Petr's mail limit reached: it waits
    arrive(org, queue=org.support)  # manual: for the dispatcher

    assert ApiClient(org.anna).get("/routing/board").status_code == 403
    board = ApiClient(org.sergey).get("/routing/board").json()
    petr = next(a for a in board["agents"] if a["user"]["username"] == "petr")
    assert petr["status"] == "available" and petr["open"] == 1 and petr["max_open"] == 2
    assert petr["channels"] == [{"channel": "mail", "open": 1, "limit": 1}]
    # Sergey supervises claims: its queue and its people only.
    assert [q["queue"]["id"] for q in board["queues"]] == [org.claims.pk]
    assert {a["user"]["username"] for a in board["agents"]} == {"anna", "sergey", "petr"}
    claims = board["queues"][0]
    assert (claims["mode"], claims["open"], claims["unassigned"], claims["waiting"]) == ("round_robin", 2, 1, 1)
    assert claims["oldest_waiting_since"] is not None

    everything = ApiClient(org.adam).get("/routing/board").json()
    assert {q["queue"]["id"] for q in everything["queues"]} == {org.claims.pk, org.support.pk}
    assert everything["to_dispatcher"] == 1
    assert everything["channels"] == [{"channel": "mail", "open": 1, "limit": None}]
