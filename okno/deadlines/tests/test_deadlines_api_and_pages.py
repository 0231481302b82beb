"""Deadlines as people and integrators see them: the appeal's clocks (API and the
card on the appeal page), extending one, the inbox's deadline filters and column,
and the consumer-protection penalty on an overdue appeal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.test import Client
from django.urls import reverse

from okno.appeals import services
from okno.deadlines.models import AppealClock
from okno.deadlines.tests.test_clocks import MONDAY, activate
from okno.testing_api import ApiClient


def test_the_api_lists_every_clock_with_its_article_and_standing(org):
    activate("sla-example")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal(assignee=org.anna)
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        body = ApiClient(org.anna).get(f"/appeals/{appeal.pk}/deadlines").json()
    assert [c["clock"] for c in body] == ["first_response", "answer"]
    first = body[0]
    assert first["policy"] == "sla-example" and first["term_unit"] == "working_hours" and first["term_amount"] == 4
    assert first["state"] == "running" and first["risk"] == "due_today"
    assert first["working_time_left"]  # e.g. "3 h 00 min of working time"
    assert first["pauses_while_waiting"] is True and first["is_statutory"] is False


def test_an_agent_outside_the_queue_does_not_learn_of_the_appeal(org):
    appeal = org.appeal()
    assert ApiClient(org.boris).get(f"/appeals/{appeal.pk}/deadlines").status_code == 404


def test_extending_through_the_api(org):
    activate("fz59")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    answer = AppealClock.objects.get(appeal=appeal, clock="answer")
    url = f"/appeals/{appeal.pk}/deadlines/{answer.pk}/extend"
    assert ApiClient(org.anna).post(url, {"reason": "Запрошены документы"}).status_code == 403
    assert ApiClient(org.sergey).post(url, {"reason": ""}).status_code in (400, 422)
    with time_machine.travel(MONDAY + timedelta(days=2), tick=False):
        response = ApiClient(org.sergey).post(url, {"reason": "Запрошены документы"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["extended_amount"] == 30 and body["extension_reason"] == "Запрошены документы"
    assert [e["kind"] for e in body["history"]] == ["deadline_extended"]
    assert ApiClient(org.sergey).post(url, {"reason": "Ещё"}).status_code == 409


def test_penalty_grows_by_one_percent_of_the_price_per_day_of_delay(org):
    activate("zozpp-22-money")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
        services.update_fields(org.anna, appeal, {"claim_amount": "12 500,00"})
    due = AppealClock.objects.get(appeal=appeal, clock="answer").due_at
    with time_machine.travel(due + timedelta(days=2, hours=1), tick=False):
        [answer] = ApiClient(org.anna).get(f"/appeals/{appeal.pk}/deadlines").json()
    assert answer["state"] == "overdue"
    assert Decimal(answer["penalty"]) == Decimal("375.00")  # 3 started days × 1 % × 12 500


def test_inbox_filters_by_deadline_standing(org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        fresh = org.appeal(subject="Свежее")
    with time_machine.travel(MONDAY - timedelta(days=20), tick=False):
        risky = org.appeal(subject="Рискованное")
    with time_machine.travel(MONDAY - timedelta(days=40), tick=False):
        late = org.appeal(subject="Просроченное")
    api = ApiClient(org.sergey)
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):

        def numbers(which: str) -> set[str]:
            response = api.get("/appeals", {"deadline": which})
            assert response.status_code == 200, response.content
            return {item["number"] for item in response.json()["items"]}

        assert numbers("overdue") == {late.number}
        assert numbers("at_risk") == {risky.number}
        assert fresh.number not in numbers("due_today")
        assert api.get("/appeals", {"deadline": "soon"}).status_code == 422


def test_the_appeal_page_shows_the_deadlines_card_and_extends(client: Client, org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    client.force_login(org.sergey)
    page = client.get(reverse("appeals:detail", args=[appeal.number]))
    assert reverse("deadlines:panel", args=[appeal.pk]) in page.content.decode()
    panel = client.get(reverse("deadlines:panel", args=[appeal.pk]), headers={"Accept-Language": "en"}).content.decode()
    assert "442-ФЗ" in panel and 'data-clock="answer"' in panel
    answer = AppealClock.objects.get(appeal=appeal, clock="answer")
    response = client.post(
        reverse("deadlines:extend", args=[appeal.pk, answer.pk]),
        {"reason": "Запрос в процессинг"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.extended_amount == 10
    client.force_login(org.anna)
    panel = client.get(reverse("deadlines:panel", args=[appeal.pk])).content.decode()
    assert 'data-clock="answer"' in panel and "<form" not in panel  # agents may not extend
    client.force_login(org.boris)
    assert client.get(reverse("deadlines:panel", args=[appeal.pk])).status_code == 404
