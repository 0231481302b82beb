"""The routing API: rules for administrators, the dry run, running the rules again
on an appeal; nonsense is a 4xx naming the field, never a 500."""

from __future__ import annotations

import pytest

from okno.appeals.choices import Channel
from okno.appeals.services import InboundContent, SystemActor, register_appeal
from okno.routing.models import RoutingRule
from okno.routing.services import presets
from okno.testing_api import ApiClient

pytestmark = pytest.mark.django_db

LOANS = {"name": "Loans", "conditions": {"text": ["кредит"]}, "actions": {"tags": ["кредит"]}}


def test_only_administrators_read_and_change_rules(org):
    presets.load_presets()
    rule_id = RoutingRule.objects.first().pk
    for person in (org.anna, org.dina, org.sergey, org.kira):
        client = ApiClient(person)
        assert client.get("/routing/rules").status_code == 403
        assert client.get(f"/routing/rules/{rule_id}").status_code == 403
        assert client.post("/routing/rules", LOANS).status_code == 403
        assert client.patch(f"/routing/rules/{rule_id}", {"name": "x"}).status_code == 403
        assert client.delete(f"/routing/rules/{rule_id}").status_code == 403
        assert client.post("/routing/dry-run", {"text": "x"}).status_code == 403
    assert ApiClient().get("/routing/rules").status_code == 401


EN = {"headers": {"Accept-Language": "en"}}


def test_an_administrator_adds_changes_orders_and_deletes_a_rule(org):
    adam = ApiClient(org.adam)
    created = adam.post("/routing/rules", {**LOANS, "actions": {"queue": org.support.pk, "priority": "high"}}, **EN)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["conditions"] == {"text": ["кредит"]}
    assert body["summary"]["conditions"] == "Text contains: кредит"
    assert body["summary"]["actions"] == "Queue: Support; Priority: High"
    assert body["updated_by"]["username"] == "adam"
    other = adam.post("/routing/rules", {"name": "Second", "actions": {"tags": ["x"]}, "stop": True}).json()

    changed = adam.patch(f"/routing/rules/{body['id']}", {"is_active": False, "conditions": {"vip": True}})
    assert changed.status_code == 200
    assert (changed.json()["is_active"], changed.json()["conditions"]) == (False, {"vip": True})

    ordered = adam.post("/routing/rules/order", {"ids": [other["id"], body["id"]]})
    assert [r["name"] for r in ordered.json()] == ["Second", "Loans"]
    moved = adam.post(f"/routing/rules/{other['id']}/move", {"direction": "down"})
    assert moved.status_code == 200
    assert [r["name"] for r in adam.get("/routing/rules").json()] == ["Loans", "Second"]

    assert adam.delete(f"/routing/rules/{other['id']}").status_code == 204
    assert adam.get(f"/routing/rules/{other['id']}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "R", "conditions": {"text": ["/(a+)+/"]}, "actions": {"tags": ["x"]}}, "conditions.text"),
        ({"name": "R", "conditions": {"colour": 1}, "actions": {"tags": ["x"]}}, "conditions.colour"),
        ({"name": "R", "conditions": {"repeat": "often"}, "actions": {"tags": ["x"]}}, "conditions.repeat"),
        ({"name": "R", "conditions": {"kinds": [2**70]}, "actions": {"tags": ["x"]}}, "conditions.kinds"),
        ({"name": "R", "actions": {"queue": 999999}}, "actions.queue"),
        ({"name": "R", "actions": {"regulator_forwarded": 1}}, "actions.regulator_forwarded"),
        ({"name": "R", "actions": {"queue": None, "tags": None}}, "actions"),
        ({"name": " ", "actions": {"tags": ["x"]}}, "name"),
    ],
)
def test_invalid_rules_are_a_400_naming_the_field(org, payload, field):
    response = ApiClient(org.adam).post("/routing/rules", payload)
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field


def test_shapes_the_schema_refuses_are_4xx(org):
    adam = ApiClient(org.adam)
    assert adam.post("/routing/rules", {"name": "R", "conditions": ["text"]}).status_code == 422
    assert adam.post("/routing/rules", {"name": "R", "colour": "red"}).status_code == 422
    assert adam.post("/routing/rules/order", {"ids": ["a"]}).status_code == 422
    assert adam.post("/routing/rules/order", {"ids": [1, 2]}).status_code == 400
    assert adam.get("/routing/rules/99999999999999999999999").status_code == 422


def test_presets_cannot_be_deleted_through_the_api(org):
    presets.load_presets()
    preset = RoutingRule.objects.first()
    response = ApiClient(org.adam).delete(f"/routing/rules/{preset.pk}")
    assert response.status_code == 409


def test_the_dry_run(org):
    adam = ApiClient(org.adam)
    adam.post("/routing/rules", LOANS)
    response = adam.post(
        "/routing/dry-run", {"text": "вопрос по кредиту", "channel": "portal", "client_id": org.ivan.pk}, **EN
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["client"] == org.ivan.name
    assert [(r["name"], r["matched"]) for r in body["rules"]] == [("Loans", True)]
    assert body["rules"][0]["decision"]["summary"] == "Rule “Loans”: tags + кредит"
    assert body["after"]["tags"]["value"] == ["кредит"]
    assert body["changed"] == ["tags"]
    assert adam.post("/routing/dry-run", {}).json()["field"] == "text"
    assert adam.post("/routing/dry-run", {"text": "x", "channel": "fax"}).json()["field"] == "channel"
    assert adam.post("/routing/dry-run", {"text": "x", "client_id": 999999}).json()["field"] == "client_id"
    assert adam.post("/routing/dry-run", {"appeal": "2026-999999"}).status_code == 404
    assert adam.post("/routing/dry-run", {"appeal": "../x"}).status_code == 404


def test_running_the_rules_again_on_an_appeal_by_number_or_id(org):
    appeal = register_appeal(
        SystemActor("mail"),
        subject="Письмо",
        channel=Channel.MAIL,
        queue=org.claims,
        content=InboundContent(body_text="Вопрос по кредиту"),
    )
    ApiClient(org.adam).post("/routing/rules", {**LOANS, "actions": {"priority": "high"}})
    assert ApiClient(org.anna).post(f"/appeals/{appeal.number}/reroute").status_code == 403
    assert ApiClient(org.boris).post(f"/appeals/{appeal.number}/reroute").status_code == 404
    response = ApiClient(org.dina).post(f"/appeals/{appeal.number}/reroute")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["appeal"]["priority"] == "high"
    assert [d["name"] for d in body["decisions"]] == ["Loans"]
    assert ApiClient(org.sergey).post(f"/appeals/{appeal.pk}/reroute").status_code == 200
    assert ApiClient(org.dina).post("/appeals/99999999999999999999/reroute").status_code == 404
    assert ApiClient(org.dina).post("/appeals/2026-999999/reroute").status_code == 404
