"""How rules combine and what their actions do: order, "stop", later rules seeing
earlier ones, fields a person chose, retired rows, assignees, the classifier's
suggestions; and what registration keeps of it (events, the routing record)."""

from __future__ import annotations

import pytest

from okno.appeals.choices import Channel, EventKind, Priority
from okno.appeals.models import Event
from okno.appeals.services import InboundContent, SystemActor, register_appeal
from okno.deadlines.services import policy_admin
from okno.queues.models import Queue
from okno.routing.classifier.services.predict import Suggestion
from okno.routing.models import AppealRouting, QueueRouting
from okno.routing.services import rule_admin
from okno.routing.tests.helpers import arrival, fired, route, rule

pytestmark = pytest.mark.django_db


def _suggest(target, row, confidence, model=4):
    return Suggestion(target=target, value=row.pk, label=row.display_name, confidence=confidence, model=model)


def test_rules_run_in_order_and_a_later_rule_sees_what_an_earlier_one_set(org):
    rule(org, "Loans to support", when={"text": ["кредит"]}, queue=org.support.pk)
    rule(org, "Support is high", when={"kinds": [org.complaint.pk]}, priority="high")  # not this one
    rule(org, "Support gets a tag", tags=["поддержка"])
    third = rule(org, "Only for support", tags=["проверено"])
    rule_admin.update_rule(org.adam, third, {"conditions": {"text": ["кредит"]}})
    one = arrival(org, "Вопрос по кредиту")
    decisions = route(one)
    assert [d.rule_name for d in decisions] == ["Loans to support", "Support gets a tag", "Only for support"]
    assert one.appeal.queue == org.support
    assert one.tags == ["поддержка", "проверено"]
    assert decisions[0].set["queue"] == {"value": org.support.pk, "label": "Support"}


def test_a_rule_conditioned_on_a_field_sees_the_value_an_earlier_rule_gave(org):
    rule(org, "Fees are cards", when={"text": ["комиссия"]}, category=org.card_fees.pk)
    rule(org, "Cards to claims", when={"categories": [org.cards.pk]}, queue=org.claims.pk)
    one = arrival(org, "Списали комиссию")
    assert fired(one) == ["Fees are cards", "Cards to claims"]
    assert one.appeal.queue == org.claims


def test_stop_ends_the_run(org):
    rule(org, "First", tags=["a"], stop=True)
    rule(org, "Second", tags=["b"])
    one = arrival(org)
    decisions = route(one)
    assert [d.rule_name for d in decisions] == ["First"]
    assert decisions[0].stopped
    assert one.tags == ["a"]
    assert "later rules were not tried" in decisions[0].summary()


def test_a_rule_that_does_not_hold_does_not_stop(org):
    rule(org, "Never", when={"channels": ["paper"]}, tags=["a"], stop=True)
    rule(org, "Always", tags=["b"])
    assert fired(arrival(org)) == ["Always"]


def test_fields_a_person_chose_are_kept_and_the_decision_says_so(org):
    rule(org, "Everything", queue=org.support.pk, priority="critical", kind=org.complaint.pk, tags=["t"])
    one = arrival(org, queue=org.claims, priority=Priority.LOW, fixed=frozenset({"queue", "priority"}))
    (decision,) = route(one)
    assert one.appeal.queue == org.claims
    assert one.appeal.priority == Priority.LOW
    assert one.appeal.kind == org.complaint
    assert decision.kept == ["queue", "priority"]
    assert set(decision.set) == {"kind", "tags"}
    assert "kept as a person chose: queue, priority" in decision.summary()


def test_a_person_registering_keeps_what_they_chose(org):
    rule(org, "To support, high", queue=org.support.pk, priority="high")
    appeal = org.appeal(org.anna, subject="Карта", channel=Channel.PHONE, queue=org.claims)
    appeal.refresh_from_db()
    assert appeal.queue == org.claims  # Anna chose it
    assert appeal.priority == "high"  # she did not choose one
    routed = Event.objects.get(appeal=appeal, kind=EventKind.ROUTED)
    assert "kept as a person chose: queue" in routed.comment


def test_an_action_naming_a_retired_row_is_skipped_and_said(org):
    old = Queue.objects.create(code="old", name="Старая", name_en="Old")
    rule(org, "To the old queue", queue=old.pk, tags=["t"])
    old.is_active = False
    old.save()
    one = arrival(org, queue=org.claims)
    (decision,) = route(one)
    assert one.appeal.queue == org.claims
    assert "queue" not in decision.set
    assert decision.skipped["queue"] == "queue: the one the rule names is no longer in use; not set"
    assert decision.set["tags"]["value"] == ["t"]


def test_an_assignee_must_be_a_member_of_the_queue_the_rule_leaves(org):
    rule(org, "Claims to Anna", queue=org.claims.pk, assignee=org.anna.pk)
    one = arrival(org)
    (decision,) = route(one)
    assert one.appeal.assignee == org.anna
    assert decision.set["assignee"] == {"value": org.anna.pk, "label": org.anna.display_name}

    rule_admin.update_rule(org.adam, decision.rule_id, {"actions": {"queue": org.support.pk, "assignee": org.anna.pk}})
    other = arrival(org)
    (skipped,) = route(other)
    assert other.appeal.assignee is None
    assert other.appeal.queue == org.support
    assert skipped.skipped["assignee"] == (
        f"assignee: {org.anna.display_name} is not a member of the queue “Support”; not assigned"
    )


def test_an_assignee_who_left_is_skipped(org):
    rule(org, "To Anna", queue=org.claims.pk, assignee=org.anna.pk)
    org.anna.is_active = False
    org.anna.save()
    one = arrival(org)
    (decision,) = route(one)
    assert one.appeal.assignee is None
    assert "assignee" in decision.skipped


def test_only_raise_never_lowers_the_priority(org):
    rule(org, "Critical", when={"text": ["суд"]}, priority="critical")
    rule(org, "High", when={"text": ["суд"]}, priority="high", only_raise=True)
    rule(org, "Set low", when={"text": ["спам"]}, priority="low")
    one = arrival(org, "Подам в суд")
    assert fired(one) == ["Critical"]  # the second changes nothing and leaves no trace
    assert one.appeal.priority == "critical"
    spam = arrival(org, "спам")
    assert fired(spam) == ["Set low"]
    assert spam.appeal.priority == "low"


def test_to_dispatcher_and_back(org):
    rule(org, "Unclear", when={"text_none": ["кредит"]}, to_dispatcher=True)
    rule(org, "Known sender", when={"senders": ["bank.ru"]}, to_dispatcher=False)
    unclear = arrival(org, "что-то непонятное")
    route(unclear)
    assert unclear.to_dispatcher is True
    known = arrival(org, "что-то непонятное", sender="a@bank.ru")
    route(known)
    assert known.to_dispatcher is False


def test_deadline_policy_action_and_a_policy_switched_off(org):
    policy = policy_admin.create_policy(
        org.adam,
        {"code": "vip-sla", "name": "VIP SLA", "is_active": True},
        [{"clock": "answer", "term_amount": 1, "term_unit": "working_days"}],
    )
    rule(org, "SLA", deadline_policy=policy.pk)
    one = arrival(org)
    (decision,) = route(one)
    assert one.appeal.deadline_policy == policy
    assert decision.set["deadline_policy"]["label"] == "VIP SLA"
    policy_admin.deactivate(org.adam, policy)
    other = arrival(org)
    (skipped,) = route(other)
    assert other.appeal.deadline_policy is None
    assert "deadline_policy" in skipped.skipped


def test_the_suggestion_is_applied_from_the_queues_threshold(org):
    QueueRouting.objects.create(queue=org.claims, auto_apply_threshold=0.8)
    rule(org, "Suggested category", apply_suggestion=["category"])
    sure = arrival(org, queue=org.claims)
    (decision,) = route(sure, {"category": _suggest("category", org.card_fees, 0.93)})
    assert sure.appeal.category == org.card_fees
    assert decision.set["category"] == {
        "value": org.card_fees.pk,
        "label": "Fees",
        "suggestion": True,
        "model": 4,
        "confidence": 0.93,
    }
    assert "category → Fees (the classifier's suggestion, model v4, 93 %)" in decision.summary()

    unsure = arrival(org, queue=org.claims)
    (below,) = route(unsure, {"category": _suggest("category", org.card_fees, 0.62)})
    assert unsure.appeal.category is None
    assert below.skipped["category"] == (
        "category: the classifier suggests “Fees” at 62 %, below the queue's threshold of 80 %; not applied"
    )
    # A queue without a threshold never applies suggestions, and that is no news.
    elsewhere = arrival(org, queue=org.support)
    assert route(elsewhere, {"category": _suggest("category", org.card_fees, 0.99)}) == []
    assert elsewhere.appeal.category is None


def test_the_queue_suggestion_uses_the_suggested_queues_threshold(org):
    QueueRouting.objects.create(queue=org.support, auto_apply_threshold=0.5)
    rule(org, "Suggested queue", apply_suggestion=["queue"])
    one = arrival(org)
    route(one, {"queue": _suggest("queue", org.support, 0.7)})
    assert one.appeal.queue == org.support


def test_registration_records_each_rule_as_an_event_and_on_the_routing_record(org):
    rule(org, "Regulator", when={"senders": ["cbr.ru"]}, priority="critical", tags=["регулятор"])
    rule(org, "Loans", when={"text": ["кредит"]}, queue=org.support.pk)
    appeal = register_appeal(
        SystemActor("mail"),
        subject="Жалоба",
        channel=Channel.MAIL,
        content=InboundContent(body_text="Клиент жалуется на условия кредита", sender="x@cbr.ru"),
    )
    appeal.refresh_from_db()
    assert (appeal.priority, appeal.queue) == ("critical", org.support)
    assert list(appeal.tags.values_list("name", flat=True)) == ["регулятор"]
    routed = list(Event.objects.filter(appeal=appeal, kind=EventKind.ROUTED).order_by("id"))
    assert [e.after["value"] for e in routed] == ["Regulator", "Loans"]
    assert routed[0].comment == "Rule “Regulator”: priority → Critical; tags + регулятор"
    assert routed[1].comment == "Rule “Loans”: queue → Support"
    record = AppealRouting.objects.get(appeal=appeal)
    assert [f["name"] for f in record.fired] == ["Regulator", "Loans"]
    assert record.fired[1]["set"]["queue"] == {"value": org.support.pk, "label": "Support"}


def test_a_switched_off_rule_does_not_run_and_a_change_is_seen_at_once(org):
    loans = rule(org, "Loans", when={"text": ["кредит"]}, tags=["кредит"])
    assert fired(arrival(org, "кредит")) == ["Loans"]
    rule_admin.deactivate(org.adam, loans)
    assert fired(arrival(org, "кредит")) == []
    rule_admin.activate(org.adam, loans)
    rule_admin.update_rule(org.adam, loans, {"conditions": {"text": ["вклад"]}})
    assert fired(arrival(org, "кредит")) == []
    assert fired(arrival(org, "вклад")) == ["Loans"]
