"""Client pages: search, the card, editing clients and contacts, the picker."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from okno.appeals import queries, services
from okno.appeals.choices import Direction
from okno.clients.choices import ClientKind
from okno.clients.models import Client as Customer
from okno.clients.models import Contact
from okno.clients.services import ContactInput, create_client
from okno.testing import Org


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["anna", "boris", "kira", "adam"])
def test_list_and_card_render_for_staff(client: Client, org: Org, persona: str) -> None:
    logged_in(client, getattr(org, persona))
    assert client.get(reverse("clients:list")).status_code == 200
    assert client.get(reverse("clients:detail", args=[org.ivan.pk])).status_code == 200


@pytest.mark.parametrize("query", ["иванов", "ИВАНОВ", "ivan.ivanov@example.ru", "+7 912 345 67 89", "89123456789"])
def test_search_is_case_and_format_insensitive(client: Client, org: Org, query: str) -> None:
    create_client(None, name="Петров Пётр")
    html = logged_in(client, org.anna).get(reverse("clients:list"), {"q": query}).content.decode()
    assert org.ivan.name in html
    assert "Петров Пётр" not in html


def test_search_as_you_type_returns_the_results_only(client: Client, org: Org) -> None:
    response = logged_in(client, org.anna).get(
        reverse("clients:list"), {"q": "иван"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="clients-results"
    )
    assert response.content.lstrip().startswith(b'<div id="clients-results"')


def test_card_shows_contacts_chain_children_visible_appeals_and_messages(client: Client, org: Org) -> None:
    network = create_client(org.adam, name="Сеть «Климат»", kind=ClientKind.ORGANISATION)
    shop = create_client(org.adam, name="Магазин на Ленина", kind=ClientKind.ORGANISATION, parent=network)
    Customer.objects.filter(pk=org.ivan.pk).update(parent=shop)
    seen = org.appeal()
    services.reply(org.anna, seen, body_text="Ответ клиенту по телефону")
    services.add_note(org.anna, seen, body_text="Служебная заметка")
    hidden = org.appeal(actor=org.boris, queue=org.support)
    html = logged_in(client, org.anna).get(reverse("clients:detail", args=[org.ivan.pk])).content.decode()
    assert "ivan.ivanov@example.ru" in html and "+7 912 345-67-89" in html
    assert html.index("Сеть «Климат»") < html.index("Магазин на Ленина")
    assert seen.number in html and hidden.number not in html
    assert "Ответ клиенту по телефону" in html
    assert "Служебная заметка" not in html
    shop_html = client.get(reverse("clients:detail", args=[shop.pk])).content.decode()
    assert org.ivan.name in shop_html


def test_recent_messages_query(org: Org) -> None:
    seen = org.appeal()
    services.reply(org.anna, seen, body_text="Первый")
    services.add_note(org.anna, seen, body_text="Заметка")
    services.reply(org.anna, seen, body_text="Второй")
    theirs = org.appeal(actor=org.boris, queue=org.support)
    services.reply(org.boris, theirs, body_text="Поддержка")
    found = queries.recent_messages(org.anna, org.ivan.pk)
    assert [m.body_text for m in found] == ["Второй", "Первый"]
    assert all(m.direction != Direction.NOTE for m in found)
    assert [m.body_text for m in queries.recent_messages(org.boris, org.ivan.pk)] == ["Поддержка"]
    assert len(queries.recent_messages(org.adam, org.ivan.pk, limit=2)) == 2


def test_create_and_edit_a_client(client: Client, org: Org) -> None:
    network = create_client(org.adam, name="АО «Дом и Климат»", kind=ClientKind.ORGANISATION)
    logged_in(client, org.anna)
    response = client.post(
        reverse("clients:new"),
        {
            "kind": "person",
            "name": "  Сидорова   Мария ",
            "segment": "retail",
            "phone": "+7 (900) 111-22-33",
            "email": "Maria@Example.ru",
            "parent": network.pk,
        },
    )
    created = Customer.objects.get(name="Сидорова Мария")
    assert response.status_code == 302
    assert created.parent == network
    assert set(created.contacts.values_list("normalized", flat=True)) == {"+79001112233", "maria@example.ru"}
    response = client.post(
        reverse("clients:edit", args=[created.pk]),
        {"kind": "person", "name": "Сидорова Мария Ивановна", "segment": "sme", "is_vip": "on"},
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.segment, created.is_vip, created.parent) == (
        "Сидорова Мария Ивановна",
        "sme",
        True,
        None,
    )
    assert client.get(reverse("clients:edit", args=[created.pk])).status_code == 200


def test_a_person_cannot_contain_others(client: Client, org: Org) -> None:
    logged_in(client, org.anna)
    response = client.post(
        reverse("clients:new"), {"kind": "person", "name": "Кто-то", "segment": "retail", "parent": org.ivan.pk}
    )
    assert response.status_code == 400
    assert not Customer.objects.filter(name="Кто-то").exists()


def test_add_and_remove_a_contact(client: Client, org: Org) -> None:
    logged_in(client, org.anna)
    url = reverse("clients:contact_add", args=[org.ivan.pk])
    assert client.post(url, {"kind": "telegram", "value": "@ivan_ivanov"}).status_code == 302
    contact = Contact.objects.get(client=org.ivan, kind="telegram")
    bad = client.post(url, {"kind": "email", "value": "no at sign"}, follow=True)
    assert "alert-danger" in bad.content.decode()
    remove = reverse("clients:contact_remove", args=[org.ivan.pk, contact.pk])
    assert client.post(remove).status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert client.post(remove).status_code == 404


def test_compliance_cannot_change_clients(client: Client, org: Org) -> None:
    logged_in(client, org.kira)
    html = client.get(reverse("clients:detail", args=[org.ivan.pk])).content.decode()
    assert reverse("clients:edit", args=[org.ivan.pk]) not in html
    assert client.get(reverse("clients:new")).status_code == 403
    assert client.get(reverse("clients:edit", args=[org.ivan.pk])).status_code == 403
    client.post(reverse("clients:contact_add", args=[org.ivan.pk]), {"kind": "phone", "value": "+79990001122"})
    assert not Contact.objects.filter(normalized="+79990001122").exists()
    contact = org.ivan.contacts.first()
    client.post(reverse("clients:contact_remove", args=[org.ivan.pk, contact.pk]))
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_picker(client: Client, org: Org) -> None:
    create_client(None, name="ООО «Иванов и партнёры»", kind=ClientKind.ORGANISATION)
    logged_in(client, org.anna)
    html = client.get(reverse("clients:picker"), {"client_search": "иванов"}).content.decode()
    assert f'data-pick-value="{org.ivan.pk}"' in html and "партнёры" in html
    orgs = client.get(reverse("clients:picker"), {"client_search": "иванов", "kind": "organisation"}).content.decode()
    assert f'data-pick-value="{org.ivan.pk}"' not in orgs
    assert client.get(reverse("clients:picker"), {"client_search": "и"}).content.strip() == b""


def test_unknown_client_is_404(client: Client, org: Org) -> None:
    assert logged_in(client, org.anna).get(reverse("clients:detail", args=[999999])).status_code == 404
    create_client(org.anna, name="Ещё клиент", contacts=[ContactInput(kind="phone", value="+79001234567")])
