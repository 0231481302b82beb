"""Clients through the API: search, create with contacts, edit, contacts, history."""

from __future__ import annotations

import pytest

from okno.appeals.services import add_message, add_note
from okno.clients.models import Client, Contact
from okno.clients.services import create_client
from okno.testing_api import ApiClient


@pytest.fixture
def api(org) -> ApiClient:
    return ApiClient(org.anna)


def test_search_finds_by_name_contact_and_phone_in_any_format(org, api):
    create_client(None, name="Петров Пётр")
    for query in ("иванов", "IVAN.IVANOV@example.ru", "+7 (912) 345-67-89", "89123456789"):
        body = api.get("/clients", {"q": query}).json()
        assert [c["id"] for c in body["items"]] == [org.ivan.pk], query
    assert api.get("/clients", {"q": "петр"}).json()["count"] == 1
    assert api.get("/clients").json()["count"] == 2


def test_a_client_comes_with_its_contacts(org, api):
    body = api.get(f"/clients/{org.ivan.pk}").json()
    assert body["name"] == org.ivan.name and body["kind"] == "person" and body["segment"] == "retail"
    assert {c["kind"]: c["display_value"] for c in body["contacts"]} == {
        "email": "ivan.ivanov@example.ru",
        "phone": "+7 912 345-67-89",
    }
    assert api.get("/clients/999999").status_code == 404


def test_client_list_pages_are_bounded(org, api):
    assert api.get("/clients", {"page_size": 500}).status_code == 422
    assert api.get("/clients", {"page": 0}).status_code == 422


def test_create_a_client_with_contacts_inside_an_organisation(org, api):
    shop = api.post(
        "/clients", {"name": "ООО «Ромашка»", "kind": "organisation", "segment": "sme", "tax_id": "7700000000"}
    )
    assert shop.status_code == 201
    response = api.post(
        "/clients",
        {
            "name": "  Сидорова   Анна ",
            "parent": shop.json()["id"],
            "is_vip": True,
            "contacts": [{"kind": "email", "value": "Anna@Romashka.ru"}, {"kind": "phone", "value": "8 900 111 22 33"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Сидорова Анна" and body["is_vip"] is True
    assert body["parent"]["id"] == shop.json()["id"]
    assert sorted(c["normalized"] for c in body["contacts"]) == ["+79001112233", "anna@romashka.ru"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"name": ""}, 400),
        ({"name": "X", "contacts": [{"kind": "email", "value": "not-an-email"}]}, 400),
        ({"name": "X", "contacts": [{"kind": "pigeon", "value": "coo"}]}, 422),
        ({"name": "X", "segment": "galactic"}, 422),
        ({"name": "X", "tax_id": "1" * 13}, 422),
        ({"name": "X", "parent": 999999}, 400),
        ({"name": "X", "search_key": "hack"}, 422),
    ],
)
def test_bad_client_data_is_refused(org, api, payload, status):
    response = api.post("/clients", payload)
    assert response.status_code == status, response.content


def test_only_an_organisation_can_contain_clients(org, api):
    response = api.post("/clients", {"name": "X", "parent": org.ivan.pk})
    assert response.status_code == 400 and response.json()["field"] == "parent"


def test_patch_changes_only_what_is_sent(org, api):
    response = api.patch(f"/clients/{org.ivan.pk}", {"notes": "Звонить после 18:00", "segment": "partner"})
    assert response.status_code == 200
    body = response.json()
    assert (body["notes"], body["segment"], body["name"]) == ("Звонить после 18:00", "partner", org.ivan.name)
    assert api.patch(f"/clients/{org.ivan.pk}", {"name": "  "}).status_code == 400
    assert api.patch(f"/clients/{org.ivan.pk}", {"created_at": "2020-01-01"}).status_code == 422
    assert api.patch("/clients/999999", {"notes": "x"}).status_code == 404


def test_an_organisation_cannot_end_up_inside_itself(org, api):
    net = create_client(None, name="Сеть", kind="organisation")
    shop = create_client(None, name="Магазин", kind="organisation", parent=net)
    response = api.patch(f"/clients/{net.pk}", {"parent": shop.pk})
    assert response.status_code == 400 and response.json()["field"] == "parent"
    assert api.patch(f"/clients/{shop.pk}", {"parent": None}).json()["parent"] is None


def test_contacts_are_added_and_removed(org, api):
    added = api.post(
        f"/clients/{org.ivan.pk}/contacts", {"kind": "telegram", "value": "@petrovich_tg", "is_primary": True}
    )
    assert added.status_code == 201
    contact_id = added.json()["id"]
    assert api.get("/clients", {"q": "petrovich_tg"}).json()["count"] == 1
    assert api.delete(f"/clients/{org.ivan.pk}/contacts/{contact_id}").status_code == 204
    assert not Contact.objects.filter(pk=contact_id).exists()
    assert api.delete(f"/clients/{org.ivan.pk}/contacts/{contact_id}").status_code == 404


def test_a_contact_is_removed_only_through_its_own_client(org, api):
    other = create_client(None, name="Другой")
    contact = org.ivan.contacts.first()
    assert api.delete(f"/clients/{other.pk}/contacts/{contact.pk}").status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_adding_a_contact_to_an_unknown_client_is_404(org, api):
    assert api.post("/clients/999999/contacts", {"kind": "email", "value": "a@b.ru"}).status_code == 404


def test_history_lists_the_clients_visible_appeals_with_their_messages_but_not_notes(org, api):
    first = org.appeal(subject="Первое")
    add_message(org.anna, first, body_text="Жду ответа")
    add_note(org.anna, first, body_text="Внутренняя заметка")
    second = org.appeal(subject="Второе")
    org.appeal(client=create_client(None, name="Чужой клиент"))
    body = api.get(f"/clients/{org.ivan.pk}/history").json()
    assert [a["id"] for a in body["appeals"]] == [second.pk, first.pk]
    assert [m["body_text"] for m in body["messages"]] == ["Жду ответа"]
    assert body["count"] == 2
    assert api.get("/clients/999999/history").status_code == 404
    assert Client.objects.count() == 2
