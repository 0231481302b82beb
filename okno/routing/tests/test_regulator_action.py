"""The "mark as forwarded by the regulator" action: what an administrator may save,
what it does to mail from the regulator (the regulator report counts it, the
timeline names the rule), that it never takes the mark off, and how the dry run,
running the rules again, the rule list and the shipped preset show it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from okno.appeals.choices import Channel, EventKind
from okno.appeals.models import Appeal, Event
from okno.appeals.services import InboundContent, SystemActor, register_appeal, update_fields
from okno.channels.mail.models import InboundMail, Mailbox
from okno.channels.mail.services import intake, store
from okno.channels.mail.services.store import RawMail
from okno.channels.mail.tests.conftest import build_mail
from okno.core.errors import InvalidInput
from okno.reports.regulator.services.summary import build_summary
from okno.routing.models import AppealRouting, RoutingRule
from okno.routing.services import presets, rule_admin
from okno.routing.services.actions import clean_actions
from okno.routing.services.describe import describe
from okno.routing.services.rules import dry_run, rerun
from okno.routing.tests.helpers import arrival, route, rule
from okno.testing_api import ApiClient

pytestmark = pytest.mark.django_db

FROM_CBR = {"senders": ["cbr.ru"]}
CBR_SUBJECT = "Обращение № ОЭ-123456 перенаправлено Банком России"


def _mail(org: Any, capture: Any, *mails: tuple[str, str]) -> list[Appeal]:
    """Deliver (sender, subject) mails to the claims mailbox through mail intake; their appeals."""
    box = Mailbox.objects.filter(address="claims@bank.test").first() or Mailbox.objects.create(
        name="Claims", address="claims@bank.test", imap_host="127.0.0.1", imap_username="claims", queue=org.claims
    )
    first = InboundMail.objects.count() + 1
    raw = [
        RawMail(build_mail(sender=sender, to=box.address, subject=subject, body="Прошу рассмотреть обращение."), uid=n)
        for n, (sender, subject) in enumerate(mails, start=first)
    ]
    with capture(execute=True):
        store.store(box, raw, uidvalidity=1)
        intake.process_pending()
    found = InboundMail.objects.filter(mailbox=box, uid__gte=first).order_by("uid")
    appeals = [m.appeal for m in found]
    assert all(a is not None for a in appeals), [m.outcome for m in found]
    return appeals


def _from_the_bank_of_russia(org: Any, body: str) -> Appeal:
    """A letter from the Bank of Russia registered by the mail robot, straight through the service."""
    return register_appeal(
        SystemActor("mail"),
        subject=CBR_SUBJECT,
        channel=Channel.MAIL,
        queue=org.claims,
        content=InboundContent(body_text=body, sender="noreply@cbr.ru"),
    )


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _forwarded_this_week(user: Any) -> int:
    today = timezone.localdate()
    return build_summary(user, today - timedelta(days=7), today).forwarded


# --- what may be saved --------------------------------------------------------------------------------


def test_true_is_kept_false_is_no_action_anything_else_is_refused():
    assert clean_actions({"regulator_forwarded": True}) == {"regulator_forwarded": True}
    assert clean_actions({"regulator_forwarded": False, "tags": ["x"]}) == {"tags": ["x"]}
    for wrong in ("yes", 1, [True], {"on": True}):
        with pytest.raises(InvalidInput) as caught:
            clean_actions({"regulator_forwarded": wrong})
        assert caught.value.field == "actions.regulator_forwarded"
        assert caught.value.status_code == 400
        assert "“regulator_forwarded” must be true or false." in caught.value.message


def test_a_rule_that_only_says_false_does_nothing_and_is_refused(org):
    with pytest.raises(InvalidInput) as caught:
        rule_admin.create_rule(org.adam, {"name": "Nothing", "actions": {"regulator_forwarded": False}})
    assert caught.value.field == "actions"
    saved = rule(org, "Bank of Russia", when=FROM_CBR, regulator_forwarded=True)
    assert saved.actions == {"regulator_forwarded": True}
    assert describe([saved])[saved.pk].actions_line == "Mark as forwarded by the regulator"


# --- at registration ----------------------------------------------------------------------------------------


def test_mail_from_the_regulator_is_marked_and_the_regulator_report_counts_it(
    org, django_capture_on_commit_callbacks: Any
):
    rule(org, "Bank of Russia forwards", when=FROM_CBR, regulator_forwarded=True)
    assert _forwarded_this_week(org.kira) == 0
    forwarded, ordinary = _mail(
        org,
        django_capture_on_commit_callbacks,
        ("Банк России <noreply@cbr.ru>", CBR_SUBJECT),
        ("Иван Петров <ivan@example.com>", "Карта заблокирована"),
    )
    forwarded.refresh_from_db()
    ordinary.refresh_from_db()
    assert forwarded.regulator_forwarded is True
    assert (forwarded.regulator_reference, forwarded.regulator_letter_date) == ("", None)
    assert ordinary.regulator_forwarded is False

    summary = build_summary(org.kira, timezone.localdate() - timedelta(days=7), timezone.localdate())
    assert (summary.received, summary.forwarded) == (2, 1)
    assert [f.number for f in summary.forwarded_list] == [forwarded.number]

    # The timeline and the routing record say which rule marked it.
    routed = Event.objects.get(appeal=forwarded, kind=EventKind.ROUTED)
    assert routed.after["value"] == "Bank of Russia forwards"
    assert routed.comment == "Rule “Bank of Russia forwards”: marked as forwarded by the regulator"
    (fired,) = AppealRouting.objects.get(appeal=forwarded).fired
    assert fired["name"] == "Bank of Russia forwards"
    assert fired["set"] == {"regulator_forwarded": {"value": True, "label": "forwarded by the regulator"}}
    assert not Event.objects.filter(appeal=ordinary, kind=EventKind.ROUTED).exists()


def test_an_appeal_marked_already_is_no_news_and_a_rule_never_takes_the_mark_off(org):
    rule(org, "Mark", regulator_forwarded=True)
    rule(org, "Mark again, and tag", regulator_forwarded=True, tags=["регулятор"])
    one = arrival(org, sender="noreply@cbr.ru")
    decisions = route(one)
    assert one.appeal.regulator_forwarded is True
    assert [(d.rule_name, set(d.set)) for d in decisions] == [
        ("Mark", {"regulator_forwarded"}),
        ("Mark again, and tag", {"tags"}),
    ]

    appeal = register_appeal(
        org.anna,
        subject="Письмо из Банка России",
        channel=Channel.PAPER,
        regulator_reference="ОЭ-1",
    )
    appeal.refresh_from_db()
    assert (appeal.regulator_forwarded, appeal.regulator_reference) == (True, "ОЭ-1")
    routed = Event.objects.get(appeal=appeal, kind=EventKind.ROUTED)
    assert routed.comment == "Rule “Mark again, and tag”: tags + регулятор"


def test_the_appeal_page_names_the_rule(org, django_capture_on_commit_callbacks: Any):
    rule(org, "Bank of Russia forwards", when=FROM_CBR, regulator_forwarded=True)
    (appeal,) = _mail(org, django_capture_on_commit_callbacks, ("noreply@cbr.ru", CBR_SUBJECT))
    client = _signed_in(org.sergey)
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert "marked as forwarded by the regulator" in page


# --- the dry run and running the rules again ------------------------------------------------------------


def test_the_dry_run_shows_the_mark_and_writes_nothing(org):
    rule(org, "Bank of Russia forwards", when=FROM_CBR, regulator_forwarded=True)
    result = dry_run(org.adam, subject=CBR_SUBJECT, text="Прошу рассмотреть", sender="noreply@cbr.ru")
    (trace,) = result.rules
    assert trace.matched
    assert trace.decision is not None
    assert trace.decision.changes() == ["marked as forwarded by the regulator"]
    assert result.before["regulator_forwarded"] == {"value": False, "label": "no"}
    assert result.after["regulator_forwarded"] == {"value": True, "label": "yes"}
    assert result.changed == ["regulator_forwarded"]
    assert not Appeal.objects.exists()

    other = dry_run(org.adam, text="Прошу рассмотреть", sender="ivan@example.com")
    assert other.changed == []


def test_running_the_rules_again_marks_it_through_the_appeal_services(org):
    appeal = _from_the_bank_of_russia(org, "Прошу рассмотреть")
    assert appeal.regulator_forwarded is False  # no rule yet
    rule(org, "Bank of Russia forwards", when={"text": ["перенаправ*"]}, regulator_forwarded=True)
    (decision,) = rerun(org.dina, appeal)
    appeal.refresh_from_db()
    assert appeal.regulator_forwarded is True
    assert decision.set["regulator_forwarded"]["value"] is True
    change = Event.objects.get(appeal=appeal, kind=EventKind.FIELD_CHANGED, field="regulator_forwarded")
    assert change.comment == "Rule “Bank of Russia forwards”"
    assert change.actor is None  # the routing robot, acting for Dina
    assert _forwarded_this_week(org.kira) == 1

    # Marked already: running again changes nothing and says nothing about the mark.
    assert rerun(org.dina, appeal) == []
    assert Event.objects.filter(appeal=appeal, field="regulator_forwarded").count() == 1


def test_a_person_who_took_the_mark_off_has_the_last_word(org, django_capture_on_commit_callbacks: Any):
    rule(org, "Bank of Russia forwards", when=FROM_CBR, regulator_forwarded=True)
    (appeal,) = _mail(org, django_capture_on_commit_callbacks, ("info@cbr.ru", "Информационное письмо"))
    appeal.refresh_from_db()
    assert appeal.regulator_forwarded is True
    update_fields(org.sergey, appeal, {"regulator_forwarded": False})  # not a complaint after all
    (decision,) = rerun(org.dina, appeal)
    appeal.refresh_from_db()
    assert appeal.regulator_forwarded is False
    assert decision.kept == ["regulator_forwarded"]
    assert "kept as a person chose: forwarded by the regulator" in decision.summary()
    assert dry_run(org.adam, appeal=appeal.number).after["regulator_forwarded"]["value"] is False


# --- the rule editor, the API and the shipped preset ---------------------------------------------------------


def test_the_rule_editor_has_a_checkbox_for_it(org):
    client = _signed_in(org.adam)
    page = client.get("/settings/routing/new/").content.decode()
    assert 'type="checkbox" name="regulator_forwarded"' in page
    response = client.post(
        "/settings/routing/new/",
        {"name": "Bank of Russia", "is_active": "on", "senders": "cbr.ru", "regulator_forwarded": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = RoutingRule.objects.get()
    assert saved.actions == {"regulator_forwarded": True}
    assert "Mark as forwarded by the regulator" in client.get("/settings/routing/").content.decode()
    edit = client.get(f"/settings/routing/{saved.pk}/edit/").content.decode()
    (checkbox,) = re.findall(r'<input[^>]*name="regulator_forwarded"[^>]*>', edit)
    assert " checked" in checkbox
    # Unticked, the action goes; a rule must still do something.
    unticked = client.post(f"/settings/routing/{saved.pk}/edit/", {"name": "Bank of Russia", "senders": "cbr.ru"})
    assert unticked.status_code == 400
    assert "A rule must do something" in unticked.content.decode()


def test_the_api_creates_a_rule_with_it_and_refuses_nonsense(org):
    adam = ApiClient(org.adam)
    created = adam.post(
        "/routing/rules",
        {"name": "Bank of Russia", "conditions": FROM_CBR, "actions": {"regulator_forwarded": True}},
        headers={"Accept-Language": "en"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["actions"] == {"regulator_forwarded": True}
    assert body["summary"]["actions"] == "Mark as forwarded by the regulator"
    refused = adam.post("/routing/rules", {"name": "R", "actions": {"regulator_forwarded": "yes"}})
    assert refused.status_code == 400
    assert refused.json()["field"] == "actions.regulator_forwarded"

    appeal = _from_the_bank_of_russia(org, "…")
    assert appeal.regulator_forwarded is True
    assert ApiClient(org.sergey).get(f"/appeals/{appeal.pk}").json()["regulator_forwarded"] is True


def test_the_bank_of_russia_preset_ships_switched_off_and_marks_its_mail_once_on(
    org, django_capture_on_commit_callbacks: Any
):
    presets.load_presets()
    preset = RoutingRule.objects.get(preset_code="regulator-forwarded-cbr")
    assert not preset.is_active
    assert preset.actions == {"regulator_forwarded": True}
    (before,) = _mail(org, django_capture_on_commit_callbacks, ("noreply@cbr.ru", CBR_SUBJECT))
    before.refresh_from_db()
    assert before.regulator_forwarded is False  # shipped switched off: nothing marked behind anyone's back
    assert before.priority == "critical"  # the regulator-sender preset still raises it

    rule_admin.activate(org.adam, preset)
    marked, other_regulator = _mail(
        org,
        django_capture_on_commit_callbacks,
        ("Банк России <noreply@cbr.ru>", CBR_SUBJECT),
        ("fas@fas.gov.ru", "Запрос ФАС"),
    )
    marked.refresh_from_db()
    other_regulator.refresh_from_db()
    assert marked.regulator_forwarded is True
    assert other_regulator.regulator_forwarded is False
    assert _forwarded_this_week(org.kira) == 1
    assert presets.load_presets() == 0  # switched on by the administrator, left so
