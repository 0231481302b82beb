"""Registering an appeal by hand: existing or new client, files, received earlier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from okno.appeals.choices import Channel
from okno.appeals.models import Appeal, Attachment
from okno.clients.models import Client as Customer
from okno.testing import Org


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def form(org: Org, **extra) -> dict:
    data = {
        "kind": org.complaint.pk,
        "channel": Channel.PHONE,
        "subject": "Не работает терминал",
        "description": "Клиент звонил: терминал не принимает карту.",
        "priority": "high",
        "queue": org.claims.pk,
        "category": org.cards.pk,
        "subcategory": org.card_fees.pk,
        "tags": "терминал, звонок",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("persona", ["anna", "sergey", "dina", "adam"])
def test_form_renders_for_those_who_register(client: Client, org: Org, persona: str) -> None:
    response = logged_in(client, getattr(org, persona)).get(reverse("appeals:new"))
    assert response.status_code == 200
    assert b'name="subject"' in response.content
    assert b'<option value="phone" selected>' in response.content


def test_compliance_may_not_register(client: Client, org: Org) -> None:
    assert logged_in(client, org.kira).get(reverse("appeals:new")).status_code == 403
    assert client.post(reverse("appeals:new"), form(org)).status_code == 403
    assert not Appeal.objects.exists()


def test_register_with_an_existing_client(client: Client, org: Org) -> None:
    response = logged_in(client, org.anna).post(
        reverse("appeals:new"), form(org, client=org.ivan.pk, assignee=org.anna.pk)
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:detail", args=[appeal.number])
    assert (appeal.client, appeal.category, appeal.assignee, appeal.priority) == (
        org.ivan,
        org.card_fees,
        org.anna,
        "high",
    )
    assert sorted(appeal.tags.values_list("name", flat=True)) == ["звонок", "терминал"]


def test_register_with_a_new_client_and_a_scan(client: Client, org: Org) -> None:
    scan = SimpleUploadedFile("письмо.txt", "Прошу вернуть деньги".encode(), content_type="text/plain")
    received = (timezone.localtime() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = form(
        org,
        channel=Channel.PAPER,
        new_client_name="Петрова Анна Сергеевна",
        new_client_phone="8 912 000-11-22",
        new_client_email="anna.petrova@example.ru",
        received_at=received,
        files=[scan],
    )
    response = logged_in(client, org.anna).post(reverse("appeals:new"), data)
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.client.name == "Петрова Анна Сергеевна"
    assert sorted(appeal.client.contacts.values_list("normalized", flat=True)) == [
        "+79120001122",
        "anna.petrova@example.ru",
    ]
    assert appeal.channel == Channel.PAPER
    assert timezone.localtime(appeal.created_at).strftime("%Y-%m-%dT%H:%M") == received
    assert Attachment.objects.filter(appeal=appeal, message__isnull=True).count() == 1


def test_errors_keep_what_was_typed(client: Client, org: Org) -> None:
    logged_in(client, org.anna)
    response = client.post(reverse("appeals:new"), form(org, subject="", description="Очень важно"))
    assert response.status_code == 400
    assert "Очень важно" in response.content.decode()
    assert not Appeal.objects.exists()
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("appeals:new"), form(org, received_at=future))
    assert response.status_code == 400
    assert b"is-invalid" in response.content
    # A bad contact of a new client: nothing is created, neither client nor appeal.
    response = client.post(reverse("appeals:new"), form(org, new_client_name="Кто-то", new_client_email="not-an-email"))
    assert response.status_code == 400
    assert not Appeal.objects.exists()
    assert not Customer.objects.filter(name="Кто-то").exists()


def test_registering_into_a_foreign_queue_lands_in_the_inbox(client: Client, org: Org) -> None:
    response = logged_in(client, org.anna).post(reverse("appeals:new"), form(org, queue=org.support.pk, subcategory=""))
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:inbox")
    assert Appeal.objects.get().queue == org.support


def test_prefilled_client_from_the_client_card(client: Client, org: Org) -> None:
    html = logged_in(client, org.anna).get(reverse("appeals:new"), {"client": org.ivan.pk}).content.decode()
    assert f'name="client" class="okno-picker-value" value="{org.ivan.pk}"' in html
    assert org.ivan.name in html
