"""POST /api/v1/appeals: the registration contract integrators code against."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from okno.appeals.choices import EventKind
from okno.appeals.models import Appeal, Event
from okno.clients.models import Client
from okno.deadlines.calendar import get_calendar
from okno.deadlines.choices import TermUnit
from okno.testing_api import ApiClient


@pytest.fixture
def api(org) -> ApiClient:
    return ApiClient(org.anna)


def test_the_smallest_appeal_is_a_subject_and_gets_the_defaults(org, api):
    response = api.post("/appeals", {"subject": "Не пришёл перевод"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == Appeal.objects.get().number
    assert body["subject"] == "Не пришёл перевод"
    assert (body["status"], body["channel"], body["priority"]) == ("new", "api", "normal")
    assert body["kind"]["code"] == "request"
    assert body["queue"] is None and body["assignee"] is None and body["client"] is None
    assert body["due_at"] and body["created_at"] and body["updated_at"]


def test_every_field_of_the_contract_is_taken(org, api):
    received = timezone.now() - timedelta(days=2)
    response = api.post(
        "/appeals",
        {
            "subject": "  Двойное   списание ",
            "description": "Списали дважды 500 ₽",
            "channel": "mail",
            "kind": "complaint",
            "priority": "high",
            "queue": org.claims.pk,
            "category": org.card_fees.pk,
            "product": org.debit_card.pk,
            "assignee": org.anna.pk,
            "client": org.ivan.pk,
            "tags": ["карты", "карты", " двойное  списание "],
            "created_at": received.isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "Двойное списание"
    assert body["description"] == "Списали дважды 500 ₽"
    assert (body["channel"], body["priority"], body["kind"]["code"]) == ("mail", "high", "complaint")
    assert body["queue"]["id"] == org.claims.pk
    assert body["category"]["id"] == org.card_fees.pk and body["product"]["id"] == org.debit_card.pk
    assert body["assignee"]["id"] == org.anna.pk and body["client"]["id"] == org.ivan.pk
    assert body["tags"] == ["двойное списание", "карты"]
    appeal = Appeal.objects.get()
    assert abs(appeal.created_at - received) < timedelta(seconds=1)
    due = get_calendar().add(appeal.created_at, org.claims.answer_term_days, TermUnit.CALENDAR_DAYS)
    assert appeal.due_at == due
    assert appeal.created_by == org.anna
    assert Event.objects.filter(appeal=appeal, kind=EventKind.REGISTERED).exists()


def test_a_time_without_offset_is_read_in_local_time(org, api):
    naive = (timezone.localtime() - timedelta(hours=3)).replace(tzinfo=None, microsecond=0)
    response = api.post("/appeals", {"subject": "Звонок", "created_at": naive.isoformat()})
    assert response.status_code == 201
    assert timezone.localtime(Appeal.objects.get().created_at).replace(tzinfo=None) == naive


def test_a_future_receipt_is_refused(org, api):
    response = api.post("/appeals", {"subject": "Из будущего", "created_at": "2999-01-01T00:00:00+00:00"})
    assert response.status_code == 400
    assert response.json()["field"] == "created_at"


def test_the_client_is_found_by_email_first(org, api):
    response = api.post(
        "/appeals",
        {"subject": "Письмо", "client_contact": {"email": "IVAN.ivanov@example.ru", "phone": "+7 900 000-00-00"}},
    )
    assert response.status_code == 201
    assert response.json()["client"]["id"] == org.ivan.pk
    assert Client.objects.count() == 1


def test_the_client_is_found_by_phone_when_there_is_no_email(org, api):
    response = api.post("/appeals", {"subject": "Звонок", "client_contact": {"phone": "+7 912 345 67 89"}})
    assert response.json()["client"]["id"] == org.ivan.pk


def test_an_unknown_contact_makes_a_new_client(org, api):
    response = api.post(
        "/appeals", {"subject": "Новый клиент", "client_contact": {"email": "new@example.com", "name": "Сидоров С."}}
    )
    assert response.status_code == 201
    client = Client.objects.get(pk=response.json()["client"]["id"])
    assert client.name == "Сидоров С."
    assert client.contacts.get().normalized == "new@example.com"


@pytest.mark.parametrize(
    ("client_fields", "field"),
    [
        ({"client_contact": {"name": "Без контактов"}}, "client_contact"),
        ({"client_contact": {"email": "not an email"}}, "contacts"),
        ({"client": 1, "client_contact": {"email": "a@example.com"}}, "client_contact"),
        ({"client": 424242}, "client"),
    ],
)
def test_a_client_that_cannot_be_determined_is_a_400(org, api, client_fields, field):
    response = api.post("/appeals", {"subject": "Кто это?", **client_fields})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("field", ["queue", "category", "product", "assignee"])
def test_an_unknown_reference_is_a_400_naming_it(org, api, field):
    response = api.post("/appeals", {"subject": "Ссылки", field: 987654})
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_an_unknown_or_retired_kind_is_refused(org, api):
    assert api.post("/appeals", {"subject": "x", "kind": "nonsense"}).json()["field"] == "kind"
    org.request.is_active = False
    org.request.save()
    response = api.post("/appeals", {"subject": "x", "kind": "request"})
    assert response.status_code == 400 and response.json()["field"] == "kind"


def test_an_agent_cannot_hand_a_new_appeal_to_someone_outside_its_queue(org, api):
    response = api.post("/appeals", {"subject": "x", "queue": org.claims.pk, "assignee": org.boris.pk})
    assert response.status_code == 400
    assert response.json()["field"] == "assignee"


def test_an_empty_subject_is_refused(org, api):
    response = api.post("/appeals", {"subject": "   "})
    assert response.status_code == 400
    assert response.json()["field"] == "subject"


@pytest.mark.parametrize("field", ["channel", "priority"])
def test_unknown_enum_values_are_422(org, api, field):
    assert api.post("/appeals", {"subject": "x", field: "telepathy"}).status_code == 422


def test_a_compliance_officer_cannot_register_and_no_client_is_left_behind(org):
    response = ApiClient(org.kira).post(
        "/appeals", {"subject": "x", "client_contact": {"email": "left-behind@example.com"}}
    )
    assert response.status_code == 403
    assert not Appeal.objects.exists()
    assert not Client.objects.filter(contacts__normalized="left-behind@example.com").exists()


def test_the_answer_is_the_same_as_reading_the_appeal_back(org):
    api = ApiClient(org.dina)
    created = api.post("/appeals", {"subject": "Сверка", "queue": org.support.pk, "tags": ["a"]}).json()
    assert api.get(f"/appeals/{created['id']}").json() == created
    assert datetime.fromisoformat(created["created_at"].replace("Z", "+00:00"))
