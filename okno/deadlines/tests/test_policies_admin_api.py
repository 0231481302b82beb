"""Deadline policies through the API: every staff member reads them in matching
order; administrators create, change, reorder, switch and delete; nonsense is a 4xx
with a message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from okno.appeals.choices import EventKind
from okno.appeals.models import Event
from okno.deadlines.calendar import get_calendar
from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.choices import TermUnit
from okno.deadlines.models import AppealClock, DeadlinePolicy
from okno.deadlines.presets import PRESETS, load_presets
from okno.testing_api import ApiClient

MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
ANSWER = {"clock": "answer", "term_amount": 15, "term_unit": "working_days", "is_statutory": True}


@pytest.fixture(autouse=True)
def _shipped(db) -> None:
    install_default_calendar()  # transactional tests elsewhere flush what migrations shipped
    load_presets()


def test_staff_read_the_policies_in_matching_order(org):
    listed = ApiClient(org.anna).get("/deadline-policies")
    assert listed.status_code == 200
    body = listed.json()
    assert [p["code"] for p in body] == [p.code for p in sorted(PRESETS, key=lambda p: p.position)]
    fz442 = next(p for p in body if p["code"] == "fz442-financial")
    assert fz442["is_preset"] and not fz442["is_active"]
    assert fz442["clocks"] == [
        {
            "id": fz442["clocks"][0]["id"],
            "clock": "answer",
            "stage": "",
            "term_amount": 15,
            "term_unit": "working_days",
            "calendar": None,
            "day_off_rule": "next",
            "counts_from": "received",
            "is_statutory": True,
            "pauses_while_waiting": False,
            "extension_amount": 10,
            "extension_notice_required": True,
            "extension_basis": "442-ФЗ: продление на 10 рабочих дней с уведомлением заявителя",
            "citation": "442-ФЗ: 15 рабочих дней",
            "citation_en": "442-FZ: 15 working days",
            "penalty_percent_per_day": None,
        }
    ]
    one = ApiClient(org.kira).get("/deadline-policies/zozpp-22-money").json()
    assert one["clocks"][0]["penalty_percent_per_day"] == "1.00"
    assert ApiClient(org.kira).get("/deadline-policies/nope").status_code == 404


def test_an_administrator_creates_a_policy_and_it_applies(org):
    api = ApiClient(org.adam)
    created = api.post(
        "/deadline-policies",
        {
            "code": "cards-fast",
            "name": "Карты: быстро",
            "name_en": "Cards: fast",
            "basis": "Стандарт банка",
            "is_active": True,
            "position": 5,
            "kinds": ["complaint"],
            "categories": [org.cards.code],
            "channels": ["phone", "mail"],
            "priorities": ["normal", "high"],
            "reminder_percents": [75],
            "clocks": [
                {**ANSWER, "term_amount": 5, "citation": "п. 3.1 стандарта"},
                {
                    "clock": "first_response",
                    "term_amount": 2,
                    "term_unit": "working_hours",
                    "pauses_while_waiting": True,
                },
            ],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [k["code"] for k in body["kinds"]] == ["complaint"]
    assert [c["code"] for c in body["categories"]] == ["cards"]
    assert body["channels"] == ["phone", "mail"] and body["reminder_percents"] == [75]
    assert sorted(c["clock"] for c in body["clocks"]) == ["answer", "first_response"]
    assert ApiClient(org.anna).get("/deadline-policies").json()[0]["code"] == "cards-fast"

    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal(category=org.card_fees)
    answer = AppealClock.objects.get(appeal=appeal, clock="answer")
    assert answer.policy.code == "cards-fast"
    assert answer.due_at == get_calendar().add(MONDAY, 5, TermUnit.WORKING_DAYS)


def test_patch_changes_only_what_it_sends_and_put_replaces_the_clocks(org, django_capture_on_commit_callbacks):
    api = ApiClient(org.adam)
    api.post("/deadline-policies/fz442-financial/activate")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    patched = api.patch(
        "/deadline-policies/fz442-financial",
        {"kinds": ["complaint"], "segments": ["retail"], "breach_reassigns_to": org.sergey.pk},
    )
    assert patched.status_code == 200, patched.json()
    body = patched.json()
    assert body["segments"] == ["retail"] and body["breach_reassigns_to"]["username"] == "sergey"
    assert body["name"].startswith("Обращения в финансовую") and body["is_active"]
    cleared = api.patch("/deadline-policies/fz442-financial", {"breach_reassigns_to": None}).json()
    assert cleared["breach_reassigns_to"] is None and cleared["segments"] == ["retail"]

    with django_capture_on_commit_callbacks(execute=True):
        put = api.put("/deadline-policies/fz442-financial/clocks", [{**ANSWER, "term_amount": 20}])
    assert put.status_code == 200, put.json()
    assert [(c["clock"], c["term_amount"], c["extension_amount"]) for c in put.json()["clocks"]] == [
        ("answer", 20, None)
    ]
    answer = AppealClock.objects.get(appeal=appeal, clock="answer")
    assert answer.due_at == get_calendar().add(MONDAY, 20, TermUnit.WORKING_DAYS)
    assert Event.objects.filter(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED).exists()


def test_activate_deactivate_and_delete(org):
    api = ApiClient(org.adam)
    assert api.post("/deadline-policies/sla-example/activate").json()["is_active"] is True
    assert DeadlinePolicy.objects.get(code="sla-example").is_active
    assert api.post("/deadline-policies/sla-example/deactivate").json()["is_active"] is False

    refused = api.delete("/deadline-policies/sla-example", headers={"Accept-Language": "en"})
    assert refused.status_code == 409 and "switch it off instead" in refused.json()["detail"]
    api.post("/deadline-policies", {"code": "mine", "name": "Моя", "clocks": [ANSWER]})
    assert api.delete("/deadline-policies/mine").status_code == 204
    assert api.get("/deadline-policies/mine").status_code == 404


@pytest.mark.parametrize("who", ["anna", "sergey", "kira"])
def test_only_administrators_write(org, who):
    api = ApiClient(getattr(org, who))
    calls = [
        api.post("/deadline-policies", {"code": "x", "name": "X", "clocks": [ANSWER]}),
        api.patch("/deadline-policies/fz59", {"name": "Другое"}),
        api.put("/deadline-policies/fz59/clocks", [ANSWER]),
        api.post("/deadline-policies/fz59/activate"),
        api.post("/deadline-policies/fz59/deactivate"),
        api.delete("/deadline-policies/fz59"),
    ]
    for response in calls:
        assert response.status_code == 403
        assert response.json()["detail"]
    assert not DeadlinePolicy.objects.get(code="fz59").is_active


def test_nonsense_is_a_4xx_with_a_message(org):
    api = ApiClient(org.adam)
    paused = api.put(
        "/deadline-policies/fz59/clocks", [{**ANSWER, "pauses_while_waiting": True}], headers={"Accept-Language": "en"}
    )
    assert paused.status_code == 400
    assert paused.json()["field"] == "clocks.0.pauses_while_waiting"
    assert "cannot pause" in paused.json()["detail"]

    # No Accept-Language: the answer speaks Russian.
    zero = api.post("/deadline-policies", {"code": "z", "name": "Z", "clocks": [{**ANSWER, "term_amount": 0}]})
    assert zero.status_code == 400 and zero.json()["detail"] == "Срок 1: Срок должен быть не меньше 1."
    stage = api.post("/deadline-policies", {"code": "s", "name": "S", "clocks": [{**ANSWER, "clock": "stage"}]})
    assert stage.status_code == 400 and stage.json()["field"] == "clocks.0.stage"
    percents = api.patch("/deadline-policies/fz59", {"reminder_percents": [0, 50]})
    assert percents.status_code == 400 and percents.json()["field"] == "reminder_percents"
    kind = api.patch("/deadline-policies/fz59", {"kinds": ["nonsense"]})
    assert kind.status_code == 400 and "nonsense" in kind.json()["detail"]
    duplicate = api.post("/deadline-policies", {"code": "fz59", "name": "Ещё одна", "clocks": [ANSWER]})
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "code"

    # Unknown codes of enumerations and unknown fields: the schema refuses them (422).
    assert api.patch("/deadline-policies/fz59", {"channels": ["pigeon"]}).status_code == 422
    assert api.patch("/deadline-policies/fz59", {"colour": "red"}).status_code == 422
    assert api.put("/deadline-policies/fz59/clocks", [{**ANSWER, "term_unit": "fortnights"}]).status_code == 422
    assert api.patch("/deadline-policies/nope", {"name": "X"}).status_code == 404
    assert DeadlinePolicy.objects.get(code="fz59").reminder_percents == [50, 80]


def test_the_schema_documents_the_policy_endpoints(org):
    schema = ApiClient(org.anna).get("/openapi.json").json()
    put = schema["paths"]["/api/v1/deadline-policies/{code}/clocks"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    clock = schema["components"]["schemas"]["PolicyClockOut"]["properties"]
    assert {"term_amount", "term_unit", "extension_basis", "citation"} <= set(clock)
