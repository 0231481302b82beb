"""Each kind of rule condition, judged on arrivals as registration hands them over:
the rule holds exactly when the appeal has what the condition asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from okno.appeals.choices import Channel
from okno.appeals.services import InboundContent, Registration, SystemActor, merge, register_appeal, register_appeals
from okno.catalog.models import Product
from okno.channels.mail.models import Mailbox
from okno.clients.choices import ClientKind, Segment
from okno.clients.services import create_client
from okno.deadlines.calendar_import import install_default_calendar
from okno.routing.tests.helpers import arrival, fired, rule

pytestmark = pytest.mark.django_db

MONDAY_MORNING = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
MONDAY_NIGHT = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # 22:00
SUNDAY_NOON = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _mailbox(name: str, address: str) -> Mailbox:
    return Mailbox.objects.create(name=name, address=address, imap_host="localhost", imap_username=address)


def test_channel(org):
    rule(org, "Mail and portal", when={"channels": ["mail", "portal"]}, tags=["x"])
    assert fired(arrival(org, channel=Channel.MAIL)) == ["Mail and portal"]
    assert fired(arrival(org, channel=Channel.PORTAL)) == ["Mail and portal"]
    assert fired(arrival(org, channel=Channel.PHONE)) == []


def test_mailbox(org):
    claims = _mailbox("Claims", "claims@bank.ru")
    other = _mailbox("Info", "info@bank.ru")
    rule(org, "Claims box", when={"mailboxes": [claims.pk]}, tags=["x"])
    assert fired(arrival(org, mailbox_id=claims.pk)) == ["Claims box"]
    assert fired(arrival(org, mailbox_id=other.pk)) == []
    assert fired(arrival(org)) == []


@pytest.mark.parametrize(
    ("sender", "held"),
    [
        ("Boss@Bank.RU", True),  # an exact address, whatever the case
        ("Иван <boss@bank.ru>", True),  # as a mail header writes it
        ("clerk@bank.ru", False),
        ("someone@cbr.ru", True),  # "@cbr.ru": that domain
        ("press@moscow.cbr.ru", True),  # and its subdomains
        ("someone@notcbr.ru", False),  # not a domain that merely ends the same
        ("x@rospotrebnadzor.ru", True),  # a bare domain
        ("", False),
    ],
)
def test_sender_address_or_domain(org, sender, held):
    rule(org, "Senders", when={"senders": ["boss@bank.ru", "@cbr.ru", "rospotrebnadzor.ru"]}, tags=["x"])
    assert fired(arrival(org, sender=sender)) == (["Senders"] if held else [])


def test_client_segment_and_vip(org):
    corporate = create_client(None, name="ООО Ромашка", kind=ClientKind.ORGANISATION, segment=Segment.CORPORATE)
    vip = create_client(None, name="Пётр Первый", is_vip=True)
    rule(org, "Corporate", when={"segments": ["corporate"]}, tags=["c"])
    rule(org, "VIP", when={"vip": True}, tags=["v"])
    rule(org, "Not VIP", when={"vip": False}, tags=["n"])
    assert fired(arrival(org, client=corporate)) == ["Corporate", "Not VIP"]
    assert fired(arrival(org, client=vip)) == ["VIP"]
    assert fired(arrival(org, client=org.ivan)) == ["Not VIP"]
    assert fired(arrival(org)) == ["Not VIP"]  # no client is no VIP


def test_organisation_holds_for_the_organisation_and_everyone_below_it(org):
    network = create_client(None, name="Сеть магазинов", kind=ClientKind.ORGANISATION)
    shop = create_client(None, name="Магазин №5", kind=ClientKind.ORGANISATION, parent=network)
    clerk = create_client(None, name="Кассир магазина", parent=shop)
    stranger = create_client(None, name="Другая сеть", kind=ClientKind.ORGANISATION)
    rule(org, "Network", when={"organisations": [network.pk]}, tags=["n"])
    for client in (network, shop, clerk):
        assert fired(arrival(org, client=client)) == ["Network"], client.name
    assert fired(arrival(org, client=stranger)) == []
    assert fired(arrival(org)) == []


def test_repeat_counts_the_clients_earlier_appeals_in_the_window(org):
    rule(org, "Repeat", when={"repeat": {"count": 2, "days": 30}}, tags=["r"])
    assert fired(arrival(org, client=org.ivan)) == []
    first = org.appeal(subject="Первое")
    assert fired(arrival(org, client=org.ivan)) == []
    org.appeal(subject="Второе")
    assert fired(arrival(org, client=org.ivan)) == ["Repeat"]
    # An appeal registered long ago is outside the window; a merged duplicate is no appeal.
    second_client = create_client(None, name="Сидоров")
    old = org.appeal(client=second_client, subject="Давнее")
    type(old).objects.filter(pk=old.pk).update(registered_at=old.registered_at - timedelta(days=31))
    dup = org.appeal(client=second_client, subject="Дубль")
    target = org.appeal(client=second_client, subject="Основное")
    merge(org.sergey, dup, target)
    assert fired(arrival(org, client=second_client)) == []
    assert first.client_id == org.ivan.pk


def test_repeat_counts_earlier_appeals_of_the_same_batch(org):
    rule(org, "Repeat", when={"repeat": {"count": 1, "days": 30}}, tags=["повторное"])
    items = [
        Registration(
            subject=f"Письмо {n}", channel=Channel.MAIL, client=org.ivan, content=InboundContent(body_text="…")
        )
        for n in range(3)
    ]
    appeals = register_appeals(SystemActor("mail"), items)
    tagged = [sorted(a.tags.values_list("name", flat=True)) for a in appeals]
    assert tagged == [[], ["повторное"], ["повторное"]]


def test_kind_category_with_subcategories_and_product(org):
    credit = Product.objects.create(code="credit", name="Кредит", name_en="Loan")
    rule(org, "Complaints", when={"kinds": [org.complaint.pk]}, tags=["k"])
    rule(org, "Cards", when={"categories": [org.cards.pk]}, tags=["c"])
    rule(org, "Loans", when={"products": [credit.pk]}, tags=["p"])
    assert fired(arrival(org, kind=org.complaint)) == ["Complaints"]
    assert fired(arrival(org, category=org.cards)) == ["Cards"]
    assert fired(arrival(org, category=org.card_fees)) == ["Cards"]  # a subcategory of cards
    assert fired(arrival(org, product=credit)) == ["Loans"]
    assert fired(arrival(org, product=org.debit_card)) == []


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("Прошу реструктуризировать кредит", True),
        ("Не могу оплатить платёж по кредиту", True),
        ("Проблема с погашением кредита", True),
        ("Что делать с кредитом?", True),
        ("КРЕДИТЫ", True),
        ("Кредитная карта заблокирована", False),  # another word, not a form of it
        ("Вопрос по вкладу", False),
    ],
)
def test_a_word_matches_its_russian_forms(org, text, held):
    rule(org, "Loans", when={"text": ["кредит"]}, tags=["кредит"])
    assert fired(arrival(org, text)) == (["Loans"] if held else [])


def test_the_subject_counts_as_text_and_english_words_match_their_forms_too(org):
    rule(org, "Court", when={"text": ["lawsuit"]}, tags=["court"])
    assert fired(arrival(org, "", subject="Lawsuits against you")) == ["Court"]
    assert fired(arrival(org, "We will file a lawsuit")) == ["Court"]
    assert fired(arrival(org, "Please call me")) == []


def test_a_phrase_matches_consecutive_word_forms(org):
    rule(org, "Central bank", when={"text": ['"Банк России"']}, tags=["цб"])
    assert fired(arrival(org, "Я написал жалобу в Банк России")) == ["Central bank"]
    assert fired(arrival(org, "Жалоба направлена в Банка России")) == ["Central bank"]  # forms of each word
    assert fired(arrival(org, "Банк не работает в России")) == []  # not one after another
    assert fired(arrival(org, "россии банк")) == []


def test_a_prefix_and_a_regular_expression(org):
    rule(org, "Prefix", when={"text": ["кредитн*"]}, tags=["p"])
    rule(org, "Regex", when={"text": [r"/договор\s*№?\s*\d{5}/"]}, tags=["r"])
    assert fired(arrival(org, "Кредитная карта")) == ["Prefix"]
    assert fired(arrival(org, "По ДОГОВОРУ не то; договор № 12345")) == ["Regex"]
    assert fired(arrival(org, "договор 12")) == []


def test_text_none_holds_when_no_term_occurs(org):
    rule(org, "No thanks", when={"text_none": ["спасибо", "благодарность"]}, tags=["n"])
    assert fired(arrival(org, "Верните деньги")) == ["No thanks"]
    assert fired(arrival(org, "Спасибо за помощь")) == []


def test_attachments(org):
    rule(org, "With files", when={"attachments": True}, tags=["f"])
    rule(org, "Without files", when={"attachments": False}, tags=["n"])
    assert fired(arrival(org, attachments=2)) == ["With files"]
    assert fired(arrival(org)) == ["Without files"]


@pytest.mark.parametrize(
    ("text", "claimed", "held"),
    [
        ("Прошу вернуть 1 500 000 руб. по договору", None, True),
        ("ущерб составил 1,5 млн рублей", None, True),
        ("списали ₽ 20 000", None, False),
        ("charged me $1,200,000.50", None, True),
        ("USD 300", None, False),
        ("Договор 12345678 от 01.02.2026", None, False),  # numbers, but no money
        ("Верните деньги", Decimal("2000000.00"), True),  # the amount claimed
        ("Верните 500 руб.", Decimal("10.00"), False),
    ],
)
def test_amount_over_reads_sums_in_the_text_or_the_amount_claimed(org, text, claimed, held):
    rule(org, "Large", when={"amount_over": "1000000"}, tags=["large"])
    assert fired(arrival(org, text, claim_amount=claimed)) == (["Large"] if held else [])


def test_time_of_arrival_in_the_default_working_calendar(org):
    install_default_calendar()
    rule(org, "Working hours", when={"arrival": "working"}, tags=["w"])
    rule(org, "Off hours", when={"arrival": "off_hours"}, tags=["o"])
    assert fired(arrival(org, received=MONDAY_MORNING)) == ["Working hours"]
    assert fired(arrival(org, received=MONDAY_NIGHT)) == ["Off hours"]
    assert fired(arrival(org, received=SUNDAY_NOON)) == ["Off hours"]


def test_all_conditions_of_a_rule_must_hold(org):
    rule(org, "VIP loans by mail", when={"channels": ["mail"], "text": ["кредит"], "vip": True}, tags=["x"])
    vip = create_client(None, name="Пётр Первый", is_vip=True)
    assert fired(arrival(org, "о кредите", client=vip)) == ["VIP loans by mail"]
    assert fired(arrival(org, "о кредите", client=vip, channel=Channel.PHONE)) == []
    assert fired(arrival(org, "о вкладе", client=vip)) == []
    assert fired(arrival(org, "о кредите", client=org.ivan)) == []


def test_rules_see_registration_through_the_mail_channel(org):
    """The sender and mailbox of a mail reach the rules through registration."""
    box = _mailbox("Claims", "claims@bank.ru")
    rule(org, "Regulator", when={"senders": ["cbr.ru"], "mailboxes": [box.pk]}, priority="critical")
    appeal = register_appeal(
        SystemActor("mail"),
        subject="Обращение гражданина",
        channel=Channel.MAIL,
        content=InboundContent(body_text="Пересылаем обращение", sender="letters@cbr.ru", mailbox_id=box.pk),
    )
    appeal.refresh_from_db()
    assert appeal.priority == "critical"
    assert appeal.priority_rank == 4
