"""Deadline policies in the Django admin: clocks inline, the same rules as the
services, and running deadlines follow a save; appeal deadlines read-only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from okno.appeals.choices import EventKind
from okno.appeals.models import Event
from okno.deadlines.calendar import get_calendar
from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.choices import TermUnit
from okno.deadlines.models import AppealClock, DeadlinePolicy
from okno.deadlines.presets import load_presets
from okno.deadlines.services import policy_admin

MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _shipped(db) -> None:
    install_default_calendar()
    load_presets()


def admin_post(policy: DeadlinePolicy, **clock: Any) -> dict[str, Any]:
    """The change form as the admin posts it, with the policy's one clock changed."""
    pc = policy.clocks.get()
    data: dict[str, Any] = {
        "code": policy.code,
        "name": policy.name,
        "name_en": policy.name_en,
        "basis": policy.basis,
        "basis_en": policy.basis_en,
        "description": policy.description,
        "position": policy.position,
        "kinds": [k.pk for k in policy.kinds.all()],
        "categories": [c.pk for c in policy.categories.all()],
        "reminder_percents": "[50, 80]",
        "remind_on_last_day": "on",
        "clocks-TOTAL_FORMS": "1",
        "clocks-INITIAL_FORMS": "1",
        "clocks-MIN_NUM_FORMS": "0",
        "clocks-MAX_NUM_FORMS": "1000",
        "clocks-0-id": pc.pk,
        "clocks-0-policy": policy.pk,
        "clocks-0-clock": pc.clock,
        "clocks-0-stage": "",
        "clocks-0-term_amount": pc.term_amount,
        "clocks-0-term_unit": pc.term_unit,
        "clocks-0-day_off_rule": pc.day_off_rule,
        "clocks-0-counts_from": pc.counts_from,
        "clocks-0-extension_amount": pc.extension_amount or "",
        "clocks-0-extension_notice_required": "on",
        "clocks-0-extension_basis": pc.extension_basis,
        "clocks-0-citation": pc.citation,
        "clocks-0-citation_en": pc.citation_en,
    }
    if policy.is_active:
        data["is_active"] = "on"
    if pc.is_statutory:
        data["clocks-0-is_statutory"] = "on"
    data.update({f"clocks-0-{k}": v for k, v in clock.items()})
    return {k: v for k, v in data.items() if v is not None}


def test_pages_open_for_an_administrator_and_nobody_else(client: Client, org) -> None:
    policy_admin.activate(org.adam, "fz442-financial")
    appeal = org.appeal()
    client.force_login(org.adam)
    policy = DeadlinePolicy.objects.get(code="fz442-financial")
    for url in (
        reverse("admin:deadlines_deadlinepolicy_changelist"),
        reverse("admin:deadlines_deadlinepolicy_add"),
        reverse("admin:deadlines_deadlinepolicy_change", args=[policy.pk]),
        reverse("admin:deadlines_appealclock_changelist"),
        reverse("admin:deadlines_appealclock_change", args=[AppealClock.objects.get(appeal=appeal).pk]),
    ):
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("admin:deadlines_deadlinepolicy_changelist")).content.decode()
    assert listing.index("Спорная трансграничная") < listing.index("Обращения в финансовую")  # position order
    client.force_login(org.sergey)
    assert client.get(reverse("admin:deadlines_deadlinepolicy_changelist")).status_code == 302


def test_deadlines_are_read_only_and_presets_or_policies_in_use_cannot_be_deleted(rf, org) -> None:
    policy_admin.activate(org.adam, "fz442-financial")
    org.appeal()
    own = policy_admin.create_policy(org.adam, {"code": "own", "name": "Своя"}, [])
    request = rf.get("/admin/")
    request.user = org.adam
    clocks = admin.site._registry[AppealClock]
    assert clocks.has_view_permission(request)
    assert not clocks.has_add_permission(request) and not clocks.has_change_permission(request)
    assert not clocks.has_delete_permission(request)
    policies = admin.site._registry[DeadlinePolicy]
    assert not policies.has_delete_permission(request, DeadlinePolicy.objects.get(code="fz59"))
    assert not policies.has_delete_permission(request, DeadlinePolicy.objects.get(code="fz442-financial"))
    assert policies.has_delete_permission(request, own)


def test_a_statutory_clock_that_pauses_is_refused(client: Client, org) -> None:
    client.force_login(org.adam)
    policy = DeadlinePolicy.objects.get(code="fz442-financial")
    url = reverse("admin:deadlines_deadlinepolicy_change", args=[policy.pk])
    response = client.post(url, admin_post(policy, pauses_while_waiting="on"))
    assert response.status_code == 200  # the form again, with the error
    assert "Срок, установленный законом, идёт независимо от клиента: его нельзя останавливать." in (
        response.content.decode()
    )
    assert not policy.clocks.get().pauses_while_waiting


def test_saving_in_the_admin_moves_running_deadlines(client: Client, org, django_capture_on_commit_callbacks) -> None:
    policy_admin.activate(org.adam, "fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    policy = DeadlinePolicy.objects.get(code="fz442-financial")
    client.force_login(org.adam)
    url = reverse("admin:deadlines_deadlinepolicy_change", args=[policy.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, admin_post(policy, term_amount=20))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert policy.clocks.get().term_amount == 20
    answer = AppealClock.objects.get(appeal=appeal, clock="answer")
    assert answer.due_at == get_calendar().add(MONDAY, 20, TermUnit.WORKING_DAYS)
    event = Event.objects.get(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED)
    assert event.comment == (
        f"Политику сроков «Обращения в финансовую организацию (442-ФЗ)» изменил(а) {org.adam.display_name}"
    )
