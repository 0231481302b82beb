"""Administering rules: only administrators; what is saved is checked, every
error naming its key; order, switching, deleting; the shipped presets."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from okno.appeals.models import Category
from okno.channels.mail.models import Mailbox
from okno.core.errors import Conflict, InvalidInput, NotFound
from okno.queues.models import Queue
from okno.routing.models import RoutingRule
from okno.routing.services import presets, rule_admin
from okno.routing.services.textmatch import MAX_TERM
from okno.routing.tests.helpers import arrival, fired, rule

pytestmark = pytest.mark.django_db


def _refused(org, conditions=None, actions=None, **values) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        rule_admin.create_rule(
            org.adam,
            {"name": "R", "conditions": conditions or {}, "actions": actions or {"tags": ["t"]}, **values},
        )
    return caught.value


def test_only_administrators_change_rules(org):
    for person in (org.anna, org.sergey, org.dina, org.kira):
        with pytest.raises(PermissionDenied):
            rule_admin.create_rule(person, {"name": "R", "actions": {"tags": ["t"]}})
    saved = rule(org, "Mine", tags=["t"])
    for call in (
        lambda: rule_admin.update_rule(org.dina, saved, {"name": "X"}),
        lambda: rule_admin.deactivate(org.sergey, saved),
        lambda: rule_admin.move(org.anna, saved, "up"),
        lambda: rule_admin.reorder(org.anna, [saved.pk]),
        lambda: rule_admin.delete_rule(org.dina, saved),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert saved.updated_by == org.adam


@pytest.mark.parametrize(
    ("conditions", "field", "message"),
    [
        ({"colour": ["red"]}, "conditions.colour", "Unknown conditions: colour."),
        ({"channels": "mail"}, "conditions.channels", "“channels” must be a list."),
        ({"channels": ["fax"]}, "conditions.channels", "Unknown code “fax”"),
        ({"segments": ["vip"]}, "conditions.segments", "Unknown code “vip”"),
        ({"kinds": ["complaint"]}, "conditions.kinds", "“complaint” is not an id."),
        ({"kinds": [999999]}, "conditions.kinds", "with id 999999 does not exist."),
        ({"mailboxes": [999999]}, "conditions.mailboxes", "does not exist"),
        ({"organisations": [999999]}, "conditions.organisations", "does not exist"),
        ({"vip": "yes"}, "conditions.vip", "“vip” must be true or false."),
        ({"repeat": {"count": 2}}, "conditions.repeat", "Give the repeat condition as"),
        ({"repeat": {"count": 0, "days": 30}}, "conditions.repeat", "whole number from 1"),
        ({"repeat": {"count": 2, "days": 99999}}, "conditions.repeat", "number of days"),
        ({"senders": ["not an address"]}, "conditions.senders", "is neither an address"),
        ({"senders": ["a@b@c"]}, "conditions.senders", "is neither an address"),
        ({"text": "кредит"}, "conditions.text", "Give the text terms as a list."),
        ({"text": ["  "]}, "conditions.text", "must not be empty"),
        ({"text": ["!!!"]}, "conditions.text", "has no words in it"),
        ({"text": ["x" * (MAX_TERM + 1)]}, "conditions.text", "at most 500 characters"),
        ({"text_none": ["/(unclosed/"]}, "conditions.text_none", "is not valid"),
        ({"text": ["/(a+)+$/"]}, "conditions.text", "repeats something that is itself repeated"),
        ({"text": [r"/(\w*\s?)*x/"]}, "conditions.text", "repeats something that is itself repeated"),
        ({"text": [r"/(?:a|b(c+))*/"]}, "conditions.text", "repeats something that is itself repeated"),
        ({"amount_over": "a lot"}, "conditions.amount_over", "Give the amount as a number"),
        ({"amount_over": -5}, "conditions.amount_over", "Give the amount as a number"),
        ({"arrival": "night"}, "conditions.arrival", "Unknown value “night”"),
    ],
)
def test_conditions_are_checked(org, conditions, field, message):
    error = _refused(org, conditions=conditions)
    assert error.field == field
    assert message in error.message


@pytest.mark.parametrize(
    ("actions", "field", "message"),
    [
        ({"colour": "red"}, "actions.colour", "Unknown actions: colour."),
        ({"queue": "claims"}, "actions.queue", "is not an id"),
        ({"queue": 999999}, "actions.queue", "does not exist"),
        ({"priority": "urgent"}, "actions.priority", "Unknown priority “urgent”"),
        ({"tags": "vip"}, "actions.tags", "Give the tags as a list of names."),
        ({"tags": ["x" * 61]}, "actions.tags", "at most 60 characters"),
        ({"assignee": 999999}, "actions.assignee", "There is no user with id 999999."),
        ({"to_dispatcher": "yes"}, "actions.to_dispatcher", "must be true or false"),
        ({"regulator_forwarded": "yes"}, "actions.regulator_forwarded", "must be true or false"),
        ({"apply_suggestion": ["colour"]}, "actions.apply_suggestion", "Apply the classifier's suggestion for any of"),
        ({"only_raise": True}, "actions.only_raise", "needs a priority"),
        ({}, "actions", "A rule must do something"),
        ({"deadline_policy": 999999}, "actions.deadline_policy", "does not exist"),
    ],
)
def test_actions_are_checked(org, actions, field, message):
    with pytest.raises(InvalidInput) as caught:
        rule_admin.create_rule(org.adam, {"name": "R", "actions": actions})
    assert caught.value.field == field
    assert message in caught.value.message


def test_retired_rows_and_people_who_cannot_work_appeals_are_refused(org):
    retired = Queue.objects.create(code="old", name="Старая", is_active=False)
    old_category = Category.objects.create(code="old", name="Старая", is_active=False)
    box = Mailbox.objects.create(name="Off", address="off@bank.ru", imap_host="h", imap_username="u", is_active=False)
    assert "no longer in use" in _refused(org, actions={"queue": retired.pk}).message
    assert _refused(org, conditions={"categories": [old_category.pk]}).field == "conditions.categories"
    assert _refused(org, conditions={"mailboxes": [box.pk]}).field == "conditions.mailboxes"
    assert "cannot be assigned appeals" in _refused(org, actions={"assignee": org.kira.pk}).message
    both = _refused(org, actions={"category": org.cards.pk, "apply_suggestion": ["category"]})
    assert both.field == "actions.apply_suggestion"


def test_a_name_is_needed_and_values_are_normalised(org):
    assert _refused(org, name="   ").field == "name"
    saved = rule_admin.create_rule(
        org.adam,
        {
            "name": "  Банк   России ",
            "conditions": {
                "channels": ["mail", "mail", "portal"],
                "senders": ["CBR.RU", "@Cbr.ru", "<Boss@Bank.ru>"],
                "text": ["  Банк   России ", "Банк России", "/ЦБ\\s+РФ/"],
                "kinds": [],
                "amount_over": "1 000 000,00",
                "vip": None,
            },
            "actions": {"tags": ["  регулятор ", "регулятор"], "to_dispatcher": True, "only_raise": False},
        },
    )
    assert saved.name == "Банк России"
    assert saved.conditions == {
        "channels": ["mail", "portal"],
        "senders": ["cbr.ru", "@cbr.ru", "boss@bank.ru"],
        "text": ["Банк России", "/ЦБ\\s+РФ/"],
        "amount_over": "1000000",
    }
    assert saved.actions == {"tags": ["регулятор"], "to_dispatcher": True}


def test_a_rule_goes_last_and_the_order_can_change(org):
    a, b, c = rule(org, "A", tags=["a"]), rule(org, "B", tags=["b"]), rule(org, "C", tags=["c"])
    assert [r.name for r in RoutingRule.objects.all()] == ["A", "B", "C"]
    rule_admin.move(org.adam, c, "up")
    assert [r.name for r in RoutingRule.objects.all()] == ["A", "C", "B"]
    rule_admin.move(org.adam, a, "up")  # already first: nothing moves
    rule_admin.reorder(org.adam, [b.pk, a.pk, c.pk])
    assert [r.name for r in RoutingRule.objects.all()] == ["B", "A", "C"]
    assert fired(arrival(org)) == ["B", "A", "C"]
    with pytest.raises(InvalidInput, match="“C” is missing"):
        rule_admin.reorder(org.adam, [b.pk, a.pk])
    with pytest.raises(InvalidInput, match="once"):
        rule_admin.reorder(org.adam, [b.pk, a.pk, a.pk, c.pk])
    with pytest.raises(InvalidInput, match="no rule with id"):
        rule_admin.reorder(org.adam, [b.pk, a.pk, c.pk, 999999])


def test_delete_and_not_found(org):
    saved = rule(org, "Temporary", tags=["t"])
    rule_admin.delete_rule(org.adam, saved)
    assert not RoutingRule.objects.exists()
    with pytest.raises(NotFound):
        rule_admin.update_rule(org.adam, saved.pk, {"name": "X"})


def test_presets_load_once_pass_the_checks_and_cannot_be_deleted(org):
    assert presets.load_presets() == len(presets.PRESETS)
    assert presets.load_presets() == 0
    shipped = list(RoutingRule.objects.all())
    assert all(r.is_preset for r in shipped)
    # All on but the one that marks appeals for the regulator report: an administrator decides.
    assert [r.preset_code for r in shipped if not r.is_active] == ["regulator-forwarded-cbr"]
    for preset in shipped:
        assert rule_admin.clean_rule({"conditions": preset.conditions, "actions": preset.actions})
    vip = RoutingRule.objects.get(preset_code="vip")
    with pytest.raises(Conflict):
        rule_admin.delete_rule(org.adam, vip)
    # Edited or switched off, a preset is left as the administrator made it.
    rule_admin.update_rule(org.adam, vip, {"name": "Мой VIP", "is_active": False})
    assert presets.load_presets() == 0
    assert RoutingRule.objects.get(preset_code="vip").name == "Мой VIP"


@pytest.mark.parametrize(
    ("text", "sender", "priority", "tags"),
    [
        ("Обращение переслано из Банка России", "", "critical", ["регулятор"]),
        ("Пересылаем жалобу", "obr@cbr.ru", "critical", ["регулятор"]),
        ("Направили жалобу в прокуратуру", "", "critical", ["регулятор", "угроза суда"]),
        ("Буду вынужден обратиться в суд", "", "high", ["угроза суда"]),
        ("Подготовлено исковое заявление", "", "high", ["угроза суда"]),
        ("My attorney will contact you", "", "high", ["угроза суда"]),
        ("Прошу вернуть 2 500 000 руб.", "", "high", []),
        ("Прошу вернуть 2 500 руб.", "", "normal", []),
        ("Не могу найти отделение", "", "normal", []),
    ],
)
def test_presets_set_priority_from_what_the_appeal_says(org, text, sender, priority, tags):
    presets.load_presets()
    one = arrival(org, text, sender=sender)
    fired(one)
    assert one.appeal.priority == priority
    assert sorted(one.tags) == tags


def test_presets_for_a_vip_and_a_repeat_client(org):
    presets.load_presets()
    org.ivan.is_vip = True
    org.ivan.save()
    one = arrival(org, "Вопрос", client=org.ivan)
    fired(one)
    assert one.appeal.priority == "high"
    org.ivan.is_vip = False
    org.ivan.save()
    org.appeal(subject="Первое обращение")
    again = arrival(org, "Снова вопрос", client=org.ivan)
    fired(again)
    assert (again.appeal.priority, again.tags) == ("high", ["повторное"])
