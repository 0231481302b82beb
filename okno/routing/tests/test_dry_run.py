"""The dry run: per rule, whether it holds and why not, what it would set, and the
result, for a pasted text or a registered appeal, with nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from okno.appeals.choices import Channel, EventKind
from okno.appeals.models import Appeal, Event
from okno.appeals.services import InboundContent, SystemActor, register_appeal
from okno.channels.mail.models import Mailbox
from okno.core.errors import InvalidInput, NotFound
from okno.routing.models import RoutingRule
from okno.routing.services.rules import dry_run
from okno.routing.tests.helpers import rule

pytestmark = pytest.mark.django_db


def test_a_pasted_text_shows_every_rule_and_the_result(org):
    rule(org, "Mail only", when={"channels": ["mail"]}, tags=["почта"])
    rule(org, "Loans", when={"text": ["кредит"], "vip": True}, queue=org.support.pk)
    rule(org, "Court", when={"text": ["суд"]}, priority="high", stop=True)
    rule(org, "After the stop", tags=["никогда"])

    result = dry_run(org.adam, text="Подам в суд из-за кредита", sender="ivan.ivanov@example.ru")

    assert [(t.name, t.reached, t.matched) for t in result.rules] == [
        ("Mail only", True, True),
        ("Loans", True, False),
        ("Court", True, True),
        ("After the stop", False, False),
    ]
    loans = result.rules[1]
    assert loans.failed == [{"key": "vip", "label": "VIP client", "wanted": "yes", "actual": "no"}]
    assert result.rules[2].decision is not None
    assert result.rules[2].decision.set["priority"]["value"] == "high"
    assert result.client == org.ivan  # found by the sender's address
    assert result.before["priority"]["value"] == "normal"
    assert result.after["priority"]["value"] == "high"
    assert result.after["tags"]["label"] == "почта"
    assert result.changed == ["priority", "tags"]
    assert ("VIP client", "no") in result.facts
    assert not Appeal.objects.exists()


def test_why_not_names_each_failed_condition_in_words(org):
    rule(org, "Picky", when={"channels": ["portal"], "text": ["вклад"], "amount_over": "1000"}, tags=["x"])
    (trace,) = dry_run(org.adam, text="Верните 500 руб.", channel=Channel.PHONE).rules
    assert [(f["key"], f["wanted"], f["actual"]) for f in trace.failed] == [
        ("channels", "Portal", "Phone"),
        ("text", "вклад", "none of the terms occurs"),
        ("amount_over", "1\u00a0000", "500"),
    ]


def test_a_mailbox_gives_its_defaults_first_as_mail_intake_does(org):
    box = Mailbox.objects.create(
        name="Claims", address="claims@bank.ru", imap_host="h", imap_username="u", queue=org.claims, priority="high"
    )
    rule(org, "Claims box", when={"mailboxes": [box.pk], "categories": [org.cards.pk]}, tags=["x"])
    result = dry_run(org.adam, text="…", mailbox_id=box.pk)
    assert result.before["queue"]["value"] == org.claims.pk
    assert result.before["priority"]["value"] == "high"
    assert result.rules[0].failed[0]["key"] == "categories"


def test_a_registered_appeal_is_tried_as_a_re_run_would_and_nothing_changes(org):
    appeal = register_appeal(
        SystemActor("mail"),
        subject="Письмо",
        channel=Channel.MAIL,
        client=org.ivan,
        content=InboundContent(body_text="Вопрос по кредиту"),
    )
    rule(org, "Loans", when={"text": ["кредит"]}, queue=org.support.pk)
    result = dry_run(org.adam, appeal=appeal.number)
    assert result.appeal == appeal
    assert result.after["queue"]["value"] == org.support.pk
    assert dry_run(org.adam, appeal=appeal.pk).after == result.after
    appeal.refresh_from_db()
    assert appeal.queue is None
    assert not Event.objects.filter(appeal=appeal, kind=EventKind.ROUTED).exists()


def test_the_dry_run_is_for_administrators_and_says_what_is_missing(org):
    for person in (org.anna, org.dina, org.sergey):
        with pytest.raises(PermissionDenied):
            dry_run(person, text="x")
    with pytest.raises(InvalidInput) as nothing:
        dry_run(org.adam)
    assert nothing.value.field == "text"
    with pytest.raises(InvalidInput) as channel:
        dry_run(org.adam, text="x", channel="fax")
    assert channel.value.field == "channel"
    with pytest.raises(NotFound):
        dry_run(org.adam, appeal="2026-999999")


def test_a_rule_saved_in_another_process_is_already_there(org):
    dry_run(org.adam, text="кредит")  # this process has compiled the rules
    RoutingRule.objects.create(name="Behind our back", conditions={"text": ["кредит"]}, actions={"tags": ["x"]})
    assert [t.matched for t in dry_run(org.adam, text="кредит").rules] == [True]
