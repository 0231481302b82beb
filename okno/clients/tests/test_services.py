"""Clients: found from any channel, searched in Russian, organised in a hierarchy."""

import pytest

from okno.clients.choices import ClientKind
from okno.clients.models import Client
from okno.clients.services import (
    ContactInput,
    add_contact,
    create_client,
    find_by_contact,
    find_or_create_by_contact,
    remove_contact,
    search,
    update_client,
)
from okno.core.errors import InvalidInput, PermissionDenied


def test_the_same_person_is_found_from_any_writing_of_a_contact(org):
    assert find_by_contact("phone", "+7 (912) 345-67-89") == org.ivan
    assert find_by_contact("whatsapp", "89123456789") == org.ivan
    assert find_by_contact("email", "IVAN.IVANOV@example.ru") == org.ivan
    assert find_by_contact("email", "nobody@example.ru") is None
    assert find_by_contact("email", "not an address") is None


def test_intake_creates_an_unknown_sender_once(org):
    first = find_or_create_by_contact("email", "Maria@Example.ru", name="Мария Сидорова")
    again = find_or_create_by_contact("email", "maria@example.ru")
    assert first == again and first.name == "Мария Сидорова"
    assert first.contacts.get().normalized == "maria@example.ru"


def test_search_ignores_case_yo_and_phone_format(org):
    fyodor = create_client(org.anna, name="Фёдоров Пётр", contacts=[ContactInput("phone", "+7 903 111-22-33")])
    assert list(search(org.anna, "ФЕДОРОВ")) == [fyodor]
    assert list(search(org.anna, "пётр")) == [fyodor]
    assert list(search(org.anna, "8 903 111 22 33")) == [fyodor]
    assert list(search(org.anna, "1112233")) == [fyodor]
    assert org.ivan in search(org.anna, "ivan.ivanov@")


def test_an_invalid_contact_names_the_problem(org):
    with pytest.raises(InvalidInput, match="not a valid phone"):
        create_client(org.anna, name="Тест", contacts=[ContactInput("phone", "12")])
    assert not Client.objects.filter(name="Тест").exists()


def test_contacts_are_added_once_and_removed(org):
    contact = add_contact(org.anna, org.ivan, ContactInput("telegram", "@IvanIvanov"))
    assert add_contact(org.anna, org.ivan, ContactInput("telegram", "ivanivanov")) == contact
    assert org.ivan in search(org.anna, "ivanivanov")
    remove_contact(org.anna, contact)
    assert org.ivan not in search(org.anna, "ivanivanov")


def test_organisations_nest_but_never_in_a_circle(org):
    network = create_client(org.anna, name="ООО «Климат-Сеть»", kind=ClientKind.ORGANISATION)
    shop = create_client(org.anna, name="Магазин на Ленина", kind=ClientKind.ORGANISATION, parent=network)
    seller = create_client(org.anna, name="Продавец Олег", parent=shop)
    assert seller.ancestors() == [network, shop]
    with pytest.raises(InvalidInput):
        update_client(org.anna, network, {"parent": shop})
    with pytest.raises(InvalidInput):
        create_client(org.anna, name="Кто-то", parent=seller)


def test_the_compliance_officer_cannot_edit_clients(org):
    with pytest.raises(PermissionDenied):
        update_client(org.kira, org.ivan, {"name": "Другое имя"})


def test_unknown_fields_and_empty_names_are_refused(org):
    with pytest.raises(InvalidInput):
        update_client(org.anna, org.ivan, {"balance": 0})
    with pytest.raises(InvalidInput):
        update_client(org.anna, org.ivan, {"name": "  "})


def test_a_second_primary_contact_replaces_the_first(org):
    add_contact(org.anna, org.ivan, ContactInput("email", "second@example.ru", is_primary=True))
    primary = org.ivan.contacts.filter(kind="email", is_primary=True)
    assert list(primary.values_list("normalized", flat=True)) == ["second@example.ru"]


def test_two_clients_may_share_a_contact_and_the_earliest_is_matched(org):
    other = create_client(org.anna, name="Жена Ивана", contacts=[ContactInput("phone", "89123456789")])
    assert other.contacts.count() == 1
    assert find_by_contact("phone", "89123456789") == org.ivan  # the earliest keeps the match
