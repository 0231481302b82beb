"""Channel intake finds or creates the clients of many senders at once: the same
clients, contacts and search keys as one at a time, and never a client twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okno.clients.models import Client, Contact
from okno.clients.services import (
    ContactInput,
    create_client,
    find_or_create_by_contact,
    find_or_create_by_contacts,
    refresh_search_key,
    search,
)
from okno.core.errors import InvalidInput
from okno.testing import build_org


def test_known_senders_are_found_new_ones_created_and_bad_addresses_skipped(org):
    found = find_or_create_by_contacts(
        "email",
        [
            ("IVAN.IVANOV@example.ru", "Кто угодно"),
            ("Maria.Sidorova@Example.ru", " Мария   Сидорова "),
            ("not an address", "Никто"),
            ("petrov@example.ru", ""),
        ],
    )
    ivan, maria, nobody, petrov = found
    assert ivan == org.ivan and ivan.name == "Иванов Иван Иванович"  # a known client keeps its name
    assert nobody is None
    assert maria.name == "Мария Сидорова" and maria.kind == "person" and maria.segment == "retail"
    assert petrov.name == "petrov@example.ru"  # no name: the address stands in
    contact = maria.contacts.get()
    assert (contact.kind, contact.value, contact.normalized, contact.is_primary) == (
        "email",
        "Maria.Sidorova@Example.ru",
        "maria.sidorova@example.ru",
        True,
    )
    assert list(search(org.anna, "сидорова")) == [maria]
    assert list(search(org.anna, "maria.sidorova@")) == [maria]


def test_a_new_client_gets_the_search_key_its_contacts_give(org):
    [maria] = find_or_create_by_contacts("email", [("Maria@Example.ru", "Мария Ёлкина")])
    written = Client.objects.get(pk=maria.pk).search_key
    refresh_search_key(maria)
    assert written == maria.search_key == Client.objects.get(pk=maria.pk).search_key


def test_the_same_sender_twice_in_a_batch_is_one_client_named_by_the_first(org):
    first, second, third = find_or_create_by_contacts(
        "email", [("maria@example.ru", "Мария"), ("MARIA@example.ru", "Мария С."), ("oleg@example.ru", "Олег")]
    )
    assert first == second != third
    assert first.name == "Мария"
    assert Contact.objects.filter(normalized="maria@example.ru").count() == 1


def test_one_query_finds_every_known_sender(org):
    ivan_again = create_client(None, name="Тёзка", contacts=[ContactInput("email", "tezka@example.ru")])
    with CaptureQueriesContext(connection) as queries:
        found = find_or_create_by_contacts(
            "email", [("ivan.ivanov@example.ru", ""), ("tezka@example.ru", ""), ("ivan.ivanov@example.ru", "")]
        )
    assert found == [org.ivan, ivan_again, org.ivan]
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1


def test_the_earliest_client_with_a_shared_contact_is_matched_as_one_at_a_time(org):
    create_client(None, name="Жена Ивана", contacts=[ContactInput("phone", "89123456789")])
    assert find_or_create_by_contacts("phone", [("+7 912 345-67-89", "")]) == [org.ivan]
    assert find_or_create_by_contacts("whatsapp", [("8 912 345 67 89", "")]) == [org.ivan]


def test_one_at_a_time_an_invalid_address_is_refused_with_the_reason(org):
    with pytest.raises(InvalidInput, match="not a valid e-mail") as error:
        find_or_create_by_contact("email", "not an address", name="Никто")
    assert error.value.field == "contacts"
    assert not Client.objects.filter(name="Никто").exists()


def test_an_unknown_kind_of_contact_is_refused(org):
    with pytest.raises(InvalidInput, match="Unknown kind of contact"):
        find_or_create_by_contacts("pigeon", [("Гуля", "")])


def test_nothing_to_find_is_nothing(org):
    assert find_or_create_by_contacts("email", []) == []
    assert find_or_create_by_contacts("email", [("nope", "")]) == [None]


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_never_create_a_client_twice():
    build_org()
    threads_n = 6
    start = threading.Barrier(threads_n)
    errors: list[BaseException] = []
    results: list[list[Client | None]] = []

    def worker(n: int) -> None:
        try:
            start.wait()
            # Overlapping senders, in a different order in every batch.
            entries = [(f"sender{(n + i) % 8}@example.ru", f"Отправитель {i}") for i in range(8)]
            results.append(find_or_create_by_contacts("email", entries))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    for i in range(8):
        assert Contact.objects.filter(normalized=f"sender{i}@example.ru").count() == 1
    by_address = {}
    for found in results:
        for client in found:
            assert client is not None
            address = client.contacts.get().normalized
            assert by_address.setdefault(address, client.pk) == client.pk
