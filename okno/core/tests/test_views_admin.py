"""The Django admin: reference data for administrators; the audit trail read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from okno.appeals import services
from okno.appeals.models import Event
from okno.clients.models import Client as Customer
from okno.testing import Org

REFERENCE = [
    "appeals_kind",
    "appeals_category",
    "appeals_tag",
    "catalog_product",
    "queues_queue",
    "accounts_user",
    "clients_client",
]
READ_ONLY = ["appeals_appeal", "appeals_event"]


def test_every_changelist_and_form_opens_for_an_administrator(client: Client, org: Org) -> None:
    appeal = org.appeal()
    services.add_note(org.anna, appeal, body_text="x")
    client.force_login(org.adam)
    assert client.get(reverse("admin:index")).status_code == 200
    for name in REFERENCE + READ_ONLY:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    for name in REFERENCE:
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200, name
    assert client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).status_code == 200
    event = Event.objects.filter(appeal=appeal).first()
    assert client.get(reverse("admin:appeals_event_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:queues_queue_change", args=[org.claims.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_change", args=[org.anna.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["anna", "sergey", "kira"])
def test_others_stay_out(client: Client, org: Org, persona: str) -> None:
    client.force_login(getattr(org, persona))
    response = client.get(reverse("admin:appeals_kind_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_events_cannot_be_added_changed_or_deleted_by_anyone(rf, org: Org) -> None:
    org.adam.is_superuser = True
    org.adam.save()
    request = rf.get("/admin/")
    request.user = org.adam
    for model in (Event,):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    appeal_admin = admin.site._registry[type(org.appeal())]
    assert not appeal_admin.has_change_permission(request)
    assert not appeal_admin.has_add_permission(request)


def test_admin_edits_reference_data_and_clients(client: Client, org: Org) -> None:
    client.force_login(org.adam)
    response = client.post(
        reverse("admin:appeals_kind_add"),
        {"code": "warranty", "name": "Рекламация", "name_en": "Warranty claim", "position": 5, "is_active": "on"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("admin:clients_client_add"),
        {
            "kind": "person",
            "name": "Кузьмина Ольга",
            "segment": "retail",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-kind": "phone",
            "contacts-0-value": "8 (900) 555-44-33",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Customer.objects.get(name="Кузьмина Ольга")
    assert created.contacts.get().normalized == "+79005554433"
    assert "+79005554433" in created.search_key
