"""Running the rules again on a registered appeal: who may, what it reads of the
appeal (including the mail that opened it), what it changes and keeps, and the
trace it leaves; and the automatic assignment that follows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from okno.appeals.choices import Channel, EventKind, Priority
from okno.appeals.models import Event
from okno.appeals.services import InboundContent, SystemActor, close, register_appeal, update_fields
from okno.channels.mail.models import InboundMail, Mailbox
from okno.channels.mail.services import intake, store
from okno.channels.mail.services.store import RawMail
from okno.channels.mail.tests.conftest import build_mail
from okno.core.errors import Conflict, NotFound
from okno.routing.agents.services import limits, statuses
from okno.routing.models import AppealRouting
from okno.routing.services import rule_admin
from okno.routing.services.rules import rerun
from okno.routing.tests.helpers import rule

pytestmark = pytest.mark.django_db


def _mail_appeal(org, text="Вопрос о вкладе", sender="client@example.ru"):
    return register_appeal(
        SystemActor("mail"),
        subject="Письмо",
        channel=Channel.MAIL,
        queue=org.claims,
        client=org.ivan,
        content=InboundContent(body_text=text, sender=sender),
    )


def test_only_dispatchers_supervisors_and_administrators_may_run_the_rules_again(org):
    appeal = _mail_appeal(org)
    with pytest.raises(PermissionDenied):
        rerun(org.anna, appeal)  # an agent of the queue: sees it, may not route it
    with pytest.raises(NotFound):
        rerun(org.boris, appeal)  # cannot even see it
    with pytest.raises(NotFound):
        rerun(org.boris, appeal.pk)
    with pytest.raises(PermissionDenied):
        rerun(org.kira, appeal)  # compliance reads only
    for person in (org.dina, org.sergey, org.adam):
        assert rerun(person, appeal) == []


def test_a_closed_appeal_is_not_routed_again(org):
    appeal = _mail_appeal(org)
    close(org.sergey, appeal, outcome="explained", comment="Разъяснили")
    with pytest.raises(Conflict):
        rerun(org.dina, appeal)


def test_new_rules_apply_through_the_appeal_services_with_a_trace(org):
    appeal = _mail_appeal(org, text="Не могу погасить кредит")
    assert AppealRouting.objects.get(appeal=appeal).fired == []
    rule(org, "Loans", when={"text": ["кредит"]}, queue=org.support.pk, priority="high", tags=["кредит"])
    rule(org, "Loans urgent", when={"text": ["погасить"]}, priority="critical")

    decisions = rerun(org.dina, appeal)

    assert [d.rule_name for d in decisions] == ["Loans", "Loans urgent"]
    appeal.refresh_from_db()
    assert (appeal.queue, appeal.priority, appeal.priority_rank) == (org.support, Priority.CRITICAL, 4)
    assert list(appeal.tags.values_list("name", flat=True)) == ["кредит"]
    changes = {e.field: e for e in Event.objects.filter(appeal=appeal, kind=EventKind.FIELD_CHANGED)}
    # Each field once, attributed to the last rule that set it, by the routing robot for Dina.
    assert changes["queue"].comment == "Rule “Loans”"
    assert changes["priority"].comment == "Rule “Loans urgent”"
    assert changes["priority"].after["value"] == "critical"
    assert changes["queue"].actor is None
    assert changes["queue"].actor_label == f"Routing rules (run again by {org.dina.display_name})"
    assert Event.objects.filter(appeal=appeal, kind=EventKind.TAGS_CHANGED).count() == 1
    routed = Event.objects.filter(appeal=appeal, kind=EventKind.ROUTED, actor=org.dina).order_by("id")
    assert [e.comment for e in routed] == [
        "Rule “Loans”: queue → Support; priority → High; tags + кредит",
        "Rule “Loans urgent”: priority → Critical",
    ]
    record = AppealRouting.objects.get(appeal=appeal)
    assert [f["name"] for f in record.fired] == ["Loans", "Loans urgent"]
    assert record.language == "ru"

    # Run again with nothing new: nothing changes, the timeline says the rules ran.
    before = Event.objects.filter(appeal=appeal, kind=EventKind.FIELD_CHANGED).count()
    rerun(org.dina, appeal)
    assert Event.objects.filter(appeal=appeal, kind=EventKind.FIELD_CHANGED).count() == before


def test_no_rule_holding_is_said(org):
    appeal = _mail_appeal(org)
    rerun(org.dina, appeal)
    assert Event.objects.get(appeal=appeal, kind=EventKind.ROUTED, actor=org.dina).comment == (
        "The routing rules ran again; none of them held."
    )


def test_what_people_chose_is_kept(org):
    # Anna registered it in the claims queue herself; Sergey set the category later.
    appeal = org.appeal(org.anna, subject="Списали комиссию", channel=Channel.PHONE)
    update_fields(org.sergey, appeal, {"category": org.cards})
    rule(org, "Move", queue=org.support.pk, category=org.card_fees.pk, priority="high")
    (decision,) = rerun(org.dina, appeal)
    appeal.refresh_from_db()
    assert (appeal.queue, appeal.category, appeal.priority) == (org.claims, org.cards, Priority.HIGH)
    assert set(decision.kept) == {"queue", "category"}


def test_what_rules_set_at_registration_may_be_set_again(org):
    first = rule(org, "To claims", queue=org.claims.pk)
    appeal = register_appeal(
        SystemActor("mail"), subject="Письмо", channel=Channel.MAIL, content=InboundContent(body_text="…")
    )
    assert appeal.queue == org.claims
    rule_admin.update_rule(org.adam, first, {"actions": {"queue": org.support.pk}})
    rerun(org.dina, appeal)
    appeal.refresh_from_db()
    assert appeal.queue == org.support


def test_the_rules_read_the_mail_that_opened_the_appeal(org, django_capture_on_commit_callbacks: Any):
    box = Mailbox.objects.create(
        name="Claims", address="claims@bank.test", imap_host="127.0.0.1", imap_username="claims", queue=org.claims
    )
    raw = build_mail(
        sender="Банк России <obr@cbr.ru>",
        to="claims@bank.test",
        body="Направляем обращение гражданина",
        attachments=[("обращение.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        store.store(box, [RawMail(raw, uid=1)], uidvalidity=1)
        intake.process_pending()
    appeal = InboundMail.objects.get().appeal
    assert appeal is not None
    rule(
        org,
        "From the regulator, with files, in this box",
        when={"senders": ["cbr.ru"], "attachments": True, "mailboxes": [box.pk], "text": ["обращение"]},
        priority="critical",
    )
    (decision,) = rerun(org.dina, appeal)
    appeal.refresh_from_db()
    assert appeal.priority == Priority.CRITICAL
    assert decision.rule_name == "From the regulator, with files, in this box"


def test_an_appeal_left_unassigned_in_an_automatic_queue_is_given_out(org):
    appeal = _mail_appeal(org)
    rule(org, "To support", queue=org.support.pk)
    limits.set_queue_mode(org.adam, org.support, "round_robin")
    statuses.set_status(org.boris, org.boris, "available")
    rerun(org.dina, appeal)
    appeal.refresh_from_db()
    assert (appeal.queue, appeal.assignee) == (org.support, org.boris)


def test_sent_to_the_dispatcher_it_waits(org):
    appeal = _mail_appeal(org)
    rule(org, "To support, by hand", queue=org.support.pk, to_dispatcher=True)
    limits.set_queue_mode(org.adam, org.support, "round_robin")
    statuses.set_status(org.boris, org.boris, "available")
    rerun(org.dina, appeal)
    appeal.refresh_from_db()
    assert appeal.assignee is None
    assert AppealRouting.objects.get(appeal=appeal).to_dispatcher is True
