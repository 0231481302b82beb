"""The dispatcher's list: what no automatic assignment will take, most urgent
first; leaving an appeal to the queue; the same through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okno.appeals.choices import Channel
from okno.appeals.services import InboundContent, SystemActor, register_appeal
from okno.routing.agents.tests.helpers import agent, automatic
from okno.routing.models import AppealRouting
from okno.routing.tests.helpers import rule
from okno.testing_api import ApiClient

pytestmark = pytest.mark.django_db
MAIL = SystemActor("mail")


def mail(org: Any, text: str, queue: Any = None) -> Any:
    return register_appeal(
        MAIL,
        subject=text[:40],
        channel=Channel.MAIL,
        kind=org.complaint,
        client=org.ivan,
        queue=queue or org.claims,
        content=InboundContent(body_text=text),
    )


def test_the_dispatcher_sees_what_no_automatic_assignment_takes(org: Any) -> None:
    automatic(org, org.support)
    rule(org, "Суды — диспетчеру", when={"text": ["суд"]}, to_dispatcher=True)
    manual = mail(org, "Верните комиссию за карту")  # claims: assigned by hand
    court = mail(org, "Подам в суд, если не вернёте деньги", queue=org.support)
    automatic_one = mail(org, "Не работает приложение", queue=org.support)  # nobody available: waits for an agent

    browser = Client()
    browser.force_login(org.dina)
    page = browser.get("/routing/dispatch/")
    assert page.status_code == 200
    html = page.content.decode()
    assert manual.number in html and court.number in html
    assert automatic_one.number not in html

    numbers = [a["number"] for a in ApiClient(org.dina).get("/routing/waiting").json()["items"]]
    assert set(numbers) == {manual.number, court.number}
    record = ApiClient(org.dina).get(f"/appeals/{court.pk}/routing").json()
    assert record["to_dispatcher"] is True
    assert record["fired"][0]["name"] == "Суды — диспетчеру"


def test_an_agent_has_no_dispatch_list(org: Any) -> None:
    browser = Client()
    browser.force_login(org.anna)
    assert browser.get("/routing/dispatch/").status_code == 403
    assert ApiClient(org.anna).get("/routing/waiting").status_code == 403


def test_left_to_the_queue_an_appeal_goes_to_a_free_agent(org: Any) -> None:
    automatic(org, org.support)
    rule(org, "Суды — диспетчеру", when={"text": ["суд"]}, to_dispatcher=True)
    vera = agent(org, "vera", org.support)
    court = mail(org, "Подам в суд", queue=org.support)
    court.refresh_from_db()
    assert court.assignee is None  # the rule held it for the dispatcher although Vera is free

    assert ApiClient(org.dina).post(f"/appeals/{court.pk}/routing/release").status_code == 204
    court.refresh_from_db()
    assert court.assignee == vera
    assert AppealRouting.objects.get(appeal=court).to_dispatcher is False


def test_the_routing_card_shows_the_rules_that_fired(org: Any) -> None:
    rule(org, "Кредиты", when={"text": ["кредит"]}, tags=["кредит"])
    appeal = mail(org, "Вопрос по кредиту")
    browser = Client()
    browser.force_login(org.sergey)
    card = browser.get(f"/routing/appeals/{appeal.pk}/").content.decode()
    assert "Кредиты" in card
    assert "Run the rules again" in card or "Применить правила ещё раз" in card or "/reroute/" in card
    browser.force_login(org.boris)  # support agent: cannot see a claims appeal
    assert browser.get(f"/routing/appeals/{appeal.pk}/").status_code == 404
