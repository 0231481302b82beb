"""/deadlines/policies/: every staff member reads the policies in matching order
with their clocks and articles; administrators switch, reorder, add, edit and
delete them (htmx fragments, plain posts work too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.models import DeadlinePolicy, PolicyClock
from okno.deadlines.presets import PRESETS, load_presets

HX = {"HX-Request": "true"}
PAGE = "/deadlines/policies/"


@pytest.fixture(autouse=True)
def _shipped(db) -> None:
    install_default_calendar()
    load_presets()


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def order() -> list[str]:
    return list(DeadlinePolicy.objects.order_by("position", "id").values_list("code", flat=True))


def form_data(**overrides: Any) -> dict[str, Any]:
    """What the browser posts for a policy with one answer clock and one empty row."""
    data: dict[str, Any] = {
        "code": "vip",
        "name": "VIP-клиенты",
        "name_en": "VIP clients",
        "basis": "Стандарт обслуживания VIP",
        "is_active": "on",
        "position": "",
        "segments": ["corporate"],
        "reminder_percents": "50, 90",
        "remind_on_last_day": "on",
        "breach_notifies_supervisors": "on",
        "clocks-TOTAL_FORMS": "2",
        "clocks-INITIAL_FORMS": "0",
        "clocks-MIN_NUM_FORMS": "0",
        "clocks-MAX_NUM_FORMS": "20",
        "clocks-0-clock": "answer",
        "clocks-0-stage": "",
        "clocks-0-term_amount": "3",
        "clocks-0-term_unit": "working_days",
        "clocks-0-calendar": "",
        "clocks-0-day_off_rule": "next",
        "clocks-0-counts_from": "received",
        "clocks-0-pauses_while_waiting": "on",
        "clocks-0-extension_notice_required": "on",
        "clocks-0-citation": "п. 2.4 стандарта",
        # The empty row the form always offers, left as it was.
        "clocks-1-clock": "",
        "clocks-1-stage": "",
        "clocks-1-term_amount": "",
        "clocks-1-term_unit": "calendar_days",
        "clocks-1-calendar": "",
        "clocks-1-day_off_rule": "next",
        "clocks-1-counts_from": "received",
        "clocks-1-extension_notice_required": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_signed_out_people_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["anna", "sergey", "kira", "spec"])
def test_staff_read_the_policies_and_the_rules_of_matching(org, persona) -> None:
    client = signed_in(getattr(org, persona))
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "the first active policy that matches an appeal sets its deadlines" in html
    assert "matches no active policy must be answered within its queue's term, counted in calendar days" in html
    # In matching order, each with its basis, clocks and articles.
    positions = [html.index(f'data-policy="{p.code}"') for p in sorted(PRESETS, key=lambda p: p.position)]
    assert positions == sorted(positions)
    assert "15 working days" in html and "442-FZ: 15 working days" in html
    assert "161-FZ, art. 9 part 5" in html and "Federal Law No. 161-FZ of 27.06.2011" in html
    assert "4 working hours" in html  # the SLA's first response
    assert "penalty 1.00 % per day of delay" in html  # art. 23
    # Reading only: no buttons, and the admin-only addresses refuse.
    assert "policy-toggle" not in html and "policy-add" not in html and "policy-edit" not in html
    assert "Only administrators change deadline policies." in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"  # articles and bases in the interface language
    russian = client.get(PAGE).content.decode()
    assert "442-ФЗ: 15 рабочих дней" in russian and "Федеральный закон от 27.06.2011 № 161-ФЗ" in russian
    assert reverse("deadlines:policies") in client.get("/").content.decode()  # the navbar link
    assert client.post(reverse("deadlines:policy_toggle", args=["fz59"]), headers=HX).status_code == 403
    assert client.post(reverse("deadlines:policy_move", args=["fz59", "up"]), headers=HX).status_code == 403
    assert client.post(reverse("deadlines:policy_delete", args=["fz59"]), headers=HX).status_code == 403
    assert client.get(reverse("deadlines:policy_edit", args=["fz59"]), headers=HX).status_code == 403
    assert client.post(reverse("deadlines:policy_new"), form_data(), headers=HX).status_code == 403
    assert not DeadlinePolicy.objects.get(code="fz59").is_active
    assert not DeadlinePolicy.objects.filter(code="vip").exists()


def test_an_administrator_switches_a_policy_on_with_htmx(org) -> None:
    client = signed_in(org.adam)
    html = client.get(PAGE).content.decode()
    assert "policy-toggle" in html and "policy-add" in html

    response = client.post(reverse("deadlines:policy_toggle", args=["fz442-financial"]), headers=HX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#policy-list"
    html = response.content.decode()
    assert html.startswith('<div id="policy-list">')
    assert 'id="policy-fz442-financial" data-policy="fz442-financial" data-active="true"' in html
    assert "is switched on" in html  # the flash message, out of band
    assert DeadlinePolicy.objects.get(code="fz442-financial").is_active

    # Without htmx the same form posts and comes back to the page.
    plain = client.post(reverse("deadlines:policy_toggle", args=["fz442-financial"]))
    assert plain.status_code == 302 and plain["Location"] == PAGE
    assert not DeadlinePolicy.objects.get(code="fz442-financial").is_active


def test_an_administrator_moves_policies_up_and_down(org) -> None:
    client = signed_in(org.adam)
    before = order()
    response = client.post(reverse("deadlines:policy_move", args=[before[1], "up"]), headers=HX)
    assert response.status_code == 200
    assert order()[:2] == [before[1], before[0]]
    client.post(reverse("deadlines:policy_move", args=[before[1], "down"]), headers=HX)
    assert order() == before
    assert client.post(reverse("deadlines:policy_move", args=[before[1], "sideways"]), headers=HX).status_code == 404


def test_an_administrator_adds_a_policy_and_mistakes_come_back_in_the_form(org) -> None:
    client = signed_in(org.adam)
    form = client.get(reverse("deadlines:policy_new"), headers=HX)
    assert form.status_code == 200 and 'id="policy-form-new"' in form.content.decode()

    # A term set by law never pauses: the form says so next to the clock.
    wrong = client.post(reverse("deadlines:policy_new"), form_data(**{"clocks-0-is_statutory": "on"}), headers=HX)
    assert wrong.status_code == 400
    assert "statutory clock cannot pause" in wrong.content.decode()
    assert 'id="policy-form-new"' in wrong.content.decode() and "HX-Retarget" not in wrong
    assert not DeadlinePolicy.objects.filter(code="vip").exists()

    percents = client.post(reverse("deadlines:policy_new"), form_data(reminder_percents="50, 120"), headers=HX)
    assert percents.status_code == 400 and "1 to 99" in percents.content.decode()

    created = client.post(reverse("deadlines:policy_new"), form_data(), headers=HX)
    assert created.status_code == 200, created.content.decode()[:2000]
    assert created["HX-Retarget"] == "#policy-list"
    policy = DeadlinePolicy.objects.get(code="vip")
    assert policy.is_active and policy.segments == ["corporate"] and policy.reminder_percents == [50, 90]
    assert order()[-1] == "vip"  # new policies go last
    clock = PolicyClock.objects.get(policy=policy)  # the empty row added nothing
    assert (clock.clock, clock.term_amount, clock.term_unit, clock.pauses_while_waiting) == (
        "answer",
        3,
        "working_days",
        True,
    )
    assert "VIP clients" in created.content.decode() and "3 working days" in created.content.decode()


def test_an_administrator_edits_a_policy_and_its_clocks(org) -> None:
    client = signed_in(org.adam)
    client.post(reverse("deadlines:policy_new"), form_data(), headers=HX)
    policy = DeadlinePolicy.objects.get(code="vip")
    clock_id = PolicyClock.objects.get(policy=policy).pk

    form = client.get(reverse("deadlines:policy_edit", args=["vip"]), headers=HX).content.decode()
    assert 'id="policy-form-vip"' in form and 'value="VIP-клиенты"' in form and 'value="50, 90"' in form
    assert 'value="п. 2.4 стандарта"' in form

    data = form_data(
        name="VIP и корпоративные",
        segments=["corporate", "sme"],
        **{
            "clocks-INITIAL_FORMS": "1",
            "clocks-0-term_amount": "5",
            "clocks-1-clock": "first_response",
            "clocks-1-term_amount": "2",
            "clocks-1-term_unit": "working_hours",
        },
    )
    saved = client.post(reverse("deadlines:policy_edit", args=["vip"]), data, headers=HX)
    assert saved.status_code == 200, saved.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.name == "VIP и корпоративные" and policy.segments == ["corporate", "sme"]
    clocks = {c.clock: c for c in PolicyClock.objects.filter(policy=policy)}
    assert clocks["answer"].pk == clock_id and clocks["answer"].term_amount == 5
    assert clocks["first_response"].term_amount == 2

    # Ticking "delete" removes a clock.
    data = form_data(
        name="VIP и корпоративные",
        **{"clocks-INITIAL_FORMS": "1", "clocks-0-DELETE": "on", "clocks-1-clock": "first_response"},
        **{"clocks-1-term_amount": "2", "clocks-1-term_unit": "working_hours"},
    )
    client.post(reverse("deadlines:policy_edit", args=["vip"]), data, headers=HX)
    assert list(PolicyClock.objects.filter(policy=policy).values_list("clock", flat=True)) == ["first_response"]


def test_an_administrator_deletes_own_policies_but_not_presets(org) -> None:
    client = signed_in(org.adam)
    client.post(reverse("deadlines:policy_new"), form_data(is_active=None), headers=HX)
    page = client.get(PAGE).content.decode()
    assert reverse("deadlines:policy_delete", args=["vip"]) in page
    assert reverse("deadlines:policy_delete", args=["fz59"]) not in page  # presets show no delete button

    refused = client.post(reverse("deadlines:policy_delete", args=["fz59"]), headers=HX)
    assert refused.status_code == 409 and "switch it off instead" in refused.content.decode()
    deleted = client.post(reverse("deadlines:policy_delete", args=["vip"]), headers=HX)
    assert deleted.status_code == 200 and not DeadlinePolicy.objects.filter(code="vip").exists()
    assert 'data-policy="vip"' not in deleted.content.decode()


def test_a_presets_code_cannot_be_changed_in_the_form(org) -> None:
    client = signed_in(org.adam)
    form = client.get(reverse("deadlines:policy_edit", args=["fz59"]), headers=HX).content.decode()
    assert 'name="code" value="fz59"' in form and "disabled" in form.split('name="code"')[1].split(">")[0]
    data = form_data(
        code="citizens", name="59-ФЗ", **{"clocks-0-is_statutory": "on", "clocks-0-pauses_while_waiting": None}
    )
    saved = client.post(reverse("deadlines:policy_edit", args=["fz59"]), data, headers=HX)
    assert saved.status_code == 200, saved.content.decode()[:2000]
    policy = DeadlinePolicy.objects.get(code="fz59")  # the posted code was ignored
    assert policy.name == "59-ФЗ"


def test_the_edit_form_also_works_as_a_page_without_htmx(org) -> None:
    client = signed_in(org.adam)
    page = client.get(reverse("deadlines:policy_edit", args=["sla-example"]))
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert client.get(reverse("deadlines:policy_edit", args=["nope"])).status_code == 404
