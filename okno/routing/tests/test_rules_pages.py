"""/settings/routing/: administrators see the rules in words, add and edit them with
real form controls (errors land on the control), move, switch and delete them, and
dry-run a text. Everyone else gets a 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from okno.routing.models import RoutingRule
from okno.routing.services import presets
from okno.routing.tests.helpers import rule

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def signed_in(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Loans", "is_active": "on", "text": 'кредит\n"Банк России"\n', "add_tags": ""}
    data.update(overrides)
    return data


def test_only_administrators_get_the_pages(org):
    saved = rule(org, "R", tags=["t"])
    for person in (org.anna, org.dina, org.sergey):
        client = signed_in(person)
        for url in (
            "/settings/routing/",
            "/settings/routing/new/",
            f"/settings/routing/{saved.pk}/edit/",
            "/settings/routing/dry-run/",
        ):
            assert client.get(url).status_code == 403, url
        assert client.post(f"/settings/routing/{saved.pk}/toggle/").status_code == 403
        assert client.post(f"/settings/routing/{saved.pk}/delete/").status_code == 403
    assert Client().get("/settings/routing/").status_code == 302  # to the login page
    assert signed_in(org.adam).get("/settings/routing/").status_code == 200


def test_the_list_shows_each_rule_in_words_and_the_menu_links_to_it(org):
    presets.load_presets()
    rule(org, "Loans", when={"text": ["кредит"], "channels": ["mail"]}, queue=org.support.pk, stop=True)
    page = signed_in(org.adam).get("/settings/routing/").content.decode()
    assert 'href="/settings/routing/"' in page
    assert "Channel: E-mail; Text contains: кредит" in page
    assert "Queue: Support" in page
    assert 'rule-stop">stop</span>' in page
    assert "VIP client: yes" in page
    assert page.count("rule-delete") == 1  # presets are switched off, not deleted


def test_adding_a_rule_with_form_controls(org):
    client = signed_in(org.adam)
    page = client.get("/settings/routing/new/").content.decode()
    assert 'name="channels"' in page and 'name="set_queue"' in page and "{" not in page.split("<form")[1][:200]
    response = client.post(
        "/settings/routing/new/",
        form(
            channels=["mail", "portal"],
            vip="yes",
            repeat_count="2",
            repeat_days="30",
            categories=[str(org.cards.pk)],
            amount_over="1000000",
            arrival="off_hours",
            senders="@cbr.ru\nboss@bank.ru",
            set_queue=str(org.support.pk),
            set_priority="high",
            only_raise="on",
            add_tags="кредит, срочно",
            dispatcher="yes",
            apply_suggestion=["category"],
            stop="on",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = RoutingRule.objects.get()
    assert saved.stop and saved.is_active
    assert saved.conditions == {
        "channels": ["mail", "portal"],
        "senders": ["@cbr.ru", "boss@bank.ru"],
        "vip": True,
        "repeat": {"count": 2, "days": 30},
        "categories": [org.cards.pk],
        "text": ["кредит", '"Банк России"'],
        "amount_over": "1000000",
        "arrival": "off_hours",
    }
    assert saved.actions == {
        "queue": org.support.pk,
        "priority": "high",
        "only_raise": True,
        "tags": ["кредит", "срочно"],
        "to_dispatcher": True,
        "apply_suggestion": ["category"],
    }
    # The edit form shows it back as it was entered.
    edit = client.get(f"/settings/routing/{saved.pk}/edit/").content.decode()
    assert "@cbr.ru\nboss@bank.ru" in edit
    assert 'value="кредит, срочно"' in edit
    assert client.post(f"/settings/routing/{saved.pk}/edit/", form(name="Loans 2", add_tags="x")).status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.stop, saved.conditions, saved.actions) == (
        "Loans 2",
        False,
        {"text": ["кредит", '"Банк России"']},
        {"tags": ["x"]},
    )


def test_errors_land_on_the_control_that_caused_them(org):
    client = signed_in(org.adam)
    response = client.post("/settings/routing/new/", form(text="/(a+)+/", add_tags="x"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "repeats something that is itself repeated" in page
    assert not RoutingRule.objects.exists()
    nothing = client.post("/settings/routing/new/", form(add_tags=""))
    assert nothing.status_code == 400
    assert "A rule must do something" in nothing.content.decode()
    half = client.post("/settings/routing/new/", form(add_tags="x", repeat_count="2"))
    assert "Give both the number of earlier appeals and the days." in half.content.decode()


def test_move_switch_and_delete_through_htmx(org):
    a, b = rule(org, "A", tags=["a"]), rule(org, "B", tags=["b"])
    client = signed_in(org.adam)
    moved = client.post(f"/settings/routing/{b.pk}/move/up/", headers=HX)
    assert moved.status_code == 200
    assert moved["HX-Retarget"] == "#rule-table"
    assert [r.name for r in RoutingRule.objects.all()] == ["B", "A"]
    assert client.post(f"/settings/routing/{a.pk}/toggle/", headers=HX).status_code == 200
    a.refresh_from_db()
    assert not a.is_active
    assert client.post(f"/settings/routing/{a.pk}/delete/").status_code == 302  # a plain post
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["B"]
    presets.load_presets()
    preset = RoutingRule.objects.filter(is_preset=True).first()
    refused = client.post(f"/settings/routing/{preset.pk}/delete/", headers=HX)
    assert refused.status_code == 409
    assert "cannot be deleted" in refused.content.decode()


def test_the_dry_run_page(org):
    rule(org, "Loans", when={"text": ["кредит"]}, queue=org.support.pk)
    rule(org, "VIP", when={"vip": True}, priority="high")
    client = signed_in(org.adam)
    assert client.get("/settings/routing/dry-run/").status_code == 200
    response = client.post(
        "/settings/routing/dry-run/",
        {"text": "Вопрос по кредиту", "channel": "mail", "client": "Иванов", "attachments": "0"},
        headers=HX,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="dry-run"' in page and "<html" not in page
    assert page.count('data-matched="true"') == 1
    assert "wants yes, but no" in page
    assert "Queue: Support" not in page  # the result table shows fields, not rule summaries
    assert "queue → Support" in page
    assert org.ivan.name in page
    missing = client.post("/settings/routing/dry-run/", {"channel": "mail", "appeal": "2026-999999"}, headers=HX)
    assert missing.status_code == 400
    assert "Appeal not found." in missing.content.decode()


def test_the_editor_names_a_branch_after_its_organisation(org):
    """An organisation with a parent (a shop of a chain) is offered as "Chain › Shop"
    (it was a 500: a client has no display name of its own)."""
    from okno.clients.choices import ClientKind
    from okno.clients.services import create_client

    network = create_client(None, name="Сеть магазинов", kind=ClientKind.ORGANISATION)
    create_client(None, name="Магазин №5", kind=ClientKind.ORGANISATION, parent=network)
    page = signed_in(org.adam).get("/settings/routing/new/")
    assert page.status_code == 200
    assert ">Сеть магазинов › Магазин №5</option>" in page.content.decode()
