"""Queues with their members through the API."""

from __future__ import annotations

from okno.appeals import access
from okno.queues.models import Membership, Queue
from okno.testing_api import ApiClient


def test_staff_see_queues_with_their_members(org):
    queues = {q["code"]: q for q in ApiClient(org.anna).get("/queues").json()}
    assert {m["username"] for m in queues["claims"]["members"]} == {"anna", "sergey"}
    assert queues["support"]["answer_term_days"] == 30
    assert ApiClient(org.anna).get(f"/queues/{org.support.pk}").json()["code"] == "support"
    assert ApiClient(org.anna).get("/queues/999999").status_code == 404


def test_an_admin_creates_a_queue_with_members_and_changes_them(org):
    admin = ApiClient(org.adam)
    created = admin.post(
        "/queues", {"code": "vip", "name": "VIP", "answer_term_days": 10, "members": [org.anna.pk, org.boris.pk]}
    )
    assert created.status_code == 201, created.content
    queue = Queue.objects.get(code="vip")
    assert set(queue.members.values_list("username", flat=True)) == {"anna", "boris"}
    changed = admin.patch(
        f"/queues/{queue.pk}", {"members": [org.boris.pk, org.spec.pk], "requires_reply_approval": True}
    )
    assert {m["username"] for m in changed.json()["members"]} == {"boris", "spec"}
    assert changed.json()["requires_reply_approval"] is True
    assert queue.pk in access.queue_ids_of(type(org.spec).objects.get(pk=org.spec.pk))


def test_a_patch_without_members_leaves_them_alone(org):
    ApiClient(org.adam).patch(f"/queues/{org.claims.pk}", {"name_en": "Claims dept."})
    assert Membership.objects.filter(queue=org.claims).count() == 2


def test_queues_refuse_bad_data(org):
    admin = ApiClient(org.adam)
    assert admin.post("/queues", {"code": "claims", "name": "Дубль"}).json()["field"] == "code"
    assert admin.post("/queues", {"code": "q", "name": "Q", "members": [999999]}).json()["field"] == "members"
    assert admin.post("/queues", {"code": "q", "name": "Q", "answer_term_days": 0}).status_code == 422
    assert not Queue.objects.filter(code="q").exists()
