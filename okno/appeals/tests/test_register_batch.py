"""Registering many appeals at once: exactly what registering them one by one gives,
in one transaction, every item checked before anything is written."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import transaction

from okno.appeals.choices import Channel, EventKind, Priority
from okno.appeals.models import Appeal, AppealCounter, Attachment, Event, Message, Tag
from okno.appeals.services import InboundContent, IncomingFile, SystemActor, hooks, register_appeal, search
from okno.appeals.services.registration import InvalidItem, Registration, register_appeals
from okno.clients.models import Client
from okno.clients.services import ContactInput, create_client, find_or_create_by_contact, find_or_create_by_contacts
from okno.core.errors import InvalidInput, PermissionDenied
from okno.deadlines.models import AppealClock, ClockAlarm, DeadlinePolicy
from okno.deadlines.presets import load_presets
from okno.deadlines.services import policies
from okno.live.models import LiveMessage

# Tuesday 3 March 2026, 12:30 in Moscow.
NOW = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Words the search must find, and the appeals each is in (checked on both paths).
QUERIES = ["кондиционер", "комиссия", "invoice", "договор", "Сидорова", "повторно", "2026-000007"]


def png(n: int) -> bytes:
    return PNG + n.to_bytes(4, "big")


def activate(code: str, *, kinds=(), categories=(), **criteria: Any) -> None:
    policy = DeadlinePolicy.objects.get(code=code)
    policy.is_active = True
    for name, value in criteria.items():
        setattr(policy, name, value)
    policy.save()
    policy.kinds.set(kinds)
    policy.categories.set(categories)


@pytest.fixture
def world(org, settings):
    """Policies that match some appeals and not others: statutory presets by kind,
    category and segment, the SLA by channel; queue terms for the rest."""
    settings.LIVE_BACKEND = "database"  # live messages as rows, on PostgreSQL too
    load_presets()
    activate("fz59", kinds=[org.request], channels=["paper"])  # with a registration clock, met at once
    activate("fz161-card-dispute", categories=[org.cards])
    activate("zozpp-22-money", segments=["sme"])
    activate("fz442-financial", kinds=[org.complaint])
    activate("sla-example", channels=["portal", "mail"])
    policies.forget()
    org.support.answer_term_days = 10
    org.support.save()
    org.sme = create_client(
        None,
        name="ООО «Ромашка»",
        kind="organisation",
        segment="sme",
        contacts=[ContactInput("email", "info@romashka.ru")],
    )
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        org.earlier = org.appeal(subject="Более раннее обращение")
    return org


def senders() -> list[tuple[str, str]]:
    """Who the mails come from: new people, one twice, one known, one not an address."""
    return [
        ("maria.sidorova@example.ru", "Мария Сидорова"),
        ("Ivan.Ivanov@Example.RU", "Иван (уже известен)"),
        ("not an address", "Кто-то"),
        ("petrov@example.ru", ""),
        ("MARIA.SIDOROVA@example.ru", "Мария С."),
        ("info@romashka.ru", "Ромашка"),
    ]


def items(org, clients: list[Client | None]) -> list[Registration]:
    """Thirty appeals, mixed in every way registration cares about."""
    channels = [Channel.MAIL, Channel.PORTAL, Channel.PHONE, Channel.PAPER, Channel.API]
    kinds = [org.complaint, org.request, None]
    categories = [None, org.cards, org.card_fees, None]
    queues = [org.claims, org.support, None]
    subjects = ["Кондиционер не охлаждает", "Списали комиссию за карту", "Wrong amount on the invoice"]
    result = []
    for i in range(30):
        client = [*clients, org.ivan, org.sme, None][i % (len(clients) + 3)]
        content = None
        if i % 3 == 0:
            content = InboundContent(
                body_text=f"Здравствуйте! Номер договора {1000 + i}. Прошу разобраться.",
                external_id=f"<m{i}@example.ru>",
                files=[IncomingFile(f"фото {i}.png", png(i))] if i % 6 == 0 else [],
            )
        elif i % 3 == 1:
            content = InboundContent(body_html=f"<p>Письмо <b>{i}</b></p><script>x()</script>")
        elif i % 5 == 2:
            content = InboundContent()  # nothing came: no message
        result.append(
            Registration(
                subject=f"{subjects[i % 3]} {i}",
                channel=channels[i % 5],
                description="Клиент звонил повторно" if i % 4 == 0 else "",
                kind=kinds[i % 3],
                client=client,
                category=categories[i % 4],
                product=org.debit_card if i % 7 == 0 else None,
                priority=[Priority.NORMAL, Priority.HIGH, Priority.LOW, Priority.CRITICAL][i % 4],
                queue=queues[i % 3],
                assignee=org.anna if i % 4 == 1 else None,
                tags=["ВИП", "суд"] if i % 5 == 0 else (["новый тег", " ВИП "] if i % 5 == 1 else []),
                parent=org.earlier if i % 8 == 3 else None,
                created_at=NOW - timedelta(days=i % 4, hours=i) if i % 2 else None,
                content=content,
                files=[IncomingFile(f"scan {i}.png", png(100 + i))] if i % 7 == 3 else [],
            )
        )
    return result


def by_batch(actor, org) -> list[Appeal]:
    with transaction.atomic():
        clients = find_or_create_by_contacts("email", senders())
        return register_appeals(actor, items(org, clients))


def one_by_one(actor, org) -> list[Appeal]:
    clients: list[Client | None] = []
    for value, name in senders():
        try:
            clients.append(find_or_create_by_contact("email", value, name=name))
        except InvalidInput:
            clients.append(None)
    return [register_appeal(actor, **vars(item)) for item in items(org, clients)]


def snapshot(appeals: list[Appeal], known: set[int]) -> dict[str, Any]:
    """Everything a person could see of these appeals and the clients they created,
    with the ids of rows made along the way replaced by what they stand for."""
    numbers = {appeal.pk: appeal.number for appeal in Appeal.objects.all()}
    ids = [appeal.pk for appeal in appeals]
    messages = {m.pk: f"{numbers[m.appeal_id]}#{i}" for i, m in enumerate(Message.objects.filter(appeal_id__in=ids))}
    clients = {}
    for client in Client.objects.exclude(pk__in=known).order_by("id").prefetch_related("contacts"):
        contacts = [(c.kind, c.value, c.normalized, c.is_primary) for c in client.contacts.order_by("id")]
        clients[client.pk] = (client.name, client.kind, client.segment, client.search_key, contacts)

    def client_of(pk: int | None) -> Any:
        return clients.get(pk, pk)

    def plain(row: Any, *skip: str) -> dict[str, Any]:
        return {
            f.attname: getattr(row, f.attname)
            for f in type(row)._meta.concrete_fields
            if f.attname not in ("id", "appeal_id", *skip)
        }

    result: dict[str, Any] = {}
    for appeal in Appeal.objects.filter(pk__in=ids).order_by("seq"):
        clock_rows = AppealClock.objects.filter(appeal=appeal).order_by("clock", "stage")
        result[appeal.number] = {
            "appeal": {**plain(appeal, "client_id", "parent_id"), "client": client_of(appeal.client_id)},
            "parent": numbers.get(appeal.parent_id),
            "tags": sorted(appeal.tags.values_list("name", flat=True)),
            "messages": [
                {**plain(m, "author_client_id"), "author_client": client_of(m.author_client_id)}
                for m in Message.objects.filter(appeal=appeal)
            ],
            "attachments": [
                {**plain(a, "message_id", "created_at"), "message": messages.get(a.message_id)}
                for a in Attachment.objects.filter(appeal=appeal)
            ],
            "events": [
                {**plain(e, "message_id"), "message": messages.get(e.message_id)}
                for e in Event.objects.filter(appeal=appeal).order_by("created_at", "id")
            ],
            "clocks": [
                {
                    **plain(c),
                    "alarms": sorted((a.kind, a.percent, a.at, a.fired_at) for a in ClockAlarm.objects.filter(clock=c)),
                }
                for c in clock_rows
            ],
            "search": appeal.search_entry.document,
        }
    result["found"] = {
        query: sorted(
            numbers[pk]
            for pk in search.filter_text(Appeal.objects.filter(pk__in=ids), query).values_list("pk", flat=True)
        )
        for query in QUERIES
    }
    result["live"] = [
        (m.event.replace(str(m.data["data"]["id"]), numbers[m.data["data"]["id"]]), m.queue_ids, m.user_ids)
        for m in LiveMessage.objects.order_by("id")
        if m.data["data"].get("id") in numbers and m.data["data"]["id"] in ids
    ]
    result["clients"] = list(clients.values())
    result["tag_names"] = sorted(Tag.objects.values_list("name", flat=True))
    return result


@pytest.mark.parametrize("who", ["dispatcher", "robot"])
def test_a_batch_registers_exactly_what_one_by_one_does(world, who):
    actor = world.dina if who == "dispatcher" else SystemActor("mail")
    known = set(Client.objects.values_list("pk", flat=True))
    before = transaction.savepoint_create()
    with time_machine.travel(NOW, tick=False):
        batch = by_batch(actor, world)
    got = snapshot(batch, known)
    transaction.savepoint_rollback(before)

    with time_machine.travel(NOW, tick=False):
        single = one_by_one(actor, world)
    expected = snapshot(single, known)

    assert [a.number for a in batch] == [a.number for a in single] == [f"2026-{n:06d}" for n in range(2, 32)]
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key
    # The mix is what it claims to be.
    assert {
        c["policy_id"] for a in expected.values() if isinstance(a, dict) and "clocks" in a for c in a["clocks"]
    } == {
        None,
        *DeadlinePolicy.objects.filter(is_active=True).values_list("pk", flat=True),
    }
    assert len(expected["clients"]) == 2  # Maria (twice in the mail) and Petrov
    assert all(expected["found"].values())


def test_the_appeals_come_back_ready_to_show(world, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        appeals = register_appeals(world.dina, items(world, [None]))
    first, untagged = appeals[0], appeals[2]
    assert first.pk is not None and first.number == "2026-000002"
    with django_assert_num_queries(0):  # their tags are known without asking
        assert [t.name for t in first.tags.all()] == ["ВИП", "суд"]
        assert list(untagged.tags.all()) == [] and untagged.tags.count() == 0
        assert not untagged.tags.filter(name="ВИП").exists()
    assert list(first.tags.filter(name="суд").values_list("name", flat=True)) == ["суд"]
    assert first.due_at == Appeal.objects.get(pk=first.pk).due_at is not None
    assert first.kind == world.complaint and first.queue == world.claims


def test_numbers_follow_the_items_and_continue_after_the_batch(world):
    appeals = register_appeals(
        SystemActor("api"), [Registration(subject=f"Обращение {i}", channel=Channel.API) for i in range(5)]
    )
    assert [a.seq for a in appeals] == [2, 3, 4, 5, 6]
    assert world.appeal().seq == 7


def test_an_invalid_item_is_named_and_nothing_is_written(world):
    first_file = png(999_001)
    digest = hashlib.sha256(first_file).hexdigest()
    batch = [
        Registration(subject="Хорошее", channel=Channel.MAIL, files=[IncomingFile("a.png", first_file)]),
        Registration(subject="Тоже хорошее", channel=Channel.PHONE),
        Registration(subject="   ", channel=Channel.PHONE),
        Registration(subject="Ещё", channel="pigeon"),
    ]
    appeals_before = Appeal.objects.count()
    with pytest.raises(InvalidItem) as error:
        register_appeals(world.dina, batch)
    assert error.value.index == 2
    assert error.value.field == "subject"
    assert "Item 2" in error.value.message
    assert isinstance(error.value, InvalidInput)
    assert Appeal.objects.count() == appeals_before
    assert not default_storage.exists(f"attachments/{digest[:2]}/{digest[2:4]}/{digest}")  # not even the file
    assert AppealCounter.objects.get().last_number == 1


def test_an_item_with_a_rejected_file_refuses_the_batch(world):
    with pytest.raises(InvalidItem) as error:
        register_appeals(
            world.dina,
            [
                Registration(subject="Хорошее", channel=Channel.MAIL),
                Registration(
                    subject="С вирусом", channel=Channel.MAIL, files=[IncomingFile("a.pdf", b"MZ" + b"\0" * 99)]
                ),
            ],
        )
    assert (error.value.index, error.value.field) == (1, "files")
    assert Appeal.objects.count() == 1


def test_the_callers_transaction_holds_the_batch(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        register_appeals(world.dina, [Registration(subject="Обращение", channel=Channel.PHONE)])
        raise RuntimeError("the caller fails later")
    assert Appeal.objects.count() == 1
    assert world.appeal().seq == 2


def test_an_empty_batch_is_nothing(world):
    assert register_appeals(world.dina, []) == []


def test_who_may_not_register_may_not_register_a_batch(world):
    with pytest.raises(PermissionDenied):
        register_appeals(world.kira, [Registration(subject="Обращение", channel=Channel.PHONE)])


def test_a_hook_without_a_batch_form_still_hears_of_each_new_appeal(world):
    heard: list[tuple[str, bool]] = []

    def hook(appeal: Appeal, *, created: bool = False) -> None:
        heard.append((appeal.number, created))

    hooks.after_change(hook)
    try:
        appeals = register_appeals(
            world.dina, [Registration(subject=f"Обращение {i}", channel=Channel.PHONE) for i in range(2)]
        )
    finally:
        hooks._after_change.remove(hook)
    assert heard == [(a.number, True) for a in appeals]


def test_a_registered_event_per_appeal_in_order(world):
    appeals = register_appeals(
        world.dina,
        [
            Registration(
                subject="Письмо",
                channel=Channel.MAIL,
                assignee=world.anna,
                content=InboundContent(body_text="Текст", files=[IncomingFile("a.png", png(7))]),
            )
        ],
    )
    kinds = list(appeals[0].events.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds == [EventKind.REGISTERED, EventKind.MESSAGE_RECEIVED, EventKind.ASSIGNED]
    message = appeals[0].messages.get()
    assert message.attachments.get().filename == "a.png"


def test_the_quoted_rest_of_a_mail_is_kept_with_its_message(world):
    [appeal] = register_appeals(
        SystemActor("mail"),
        [
            Registration(
                subject="Ответ",
                channel=Channel.MAIL,
                content=InboundContent(body_text="Спасибо!", quoted_text="> Ваше обращение принято"),
            )
        ],
    )
    message = appeal.messages.get()
    assert (message.body_text, message.quoted_text) == ("Спасибо!", "> Ваше обращение принято")
