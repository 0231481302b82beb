"""Every workflow operation on an appeal, as an endpoint: thin over its service."""

from __future__ import annotations

import pytest

from okno.appeals.choices import Status
from okno.appeals.models import Appeal, AppealLink
from okno.testing_api import ApiClient


@pytest.fixture
def api(org) -> ApiClient:
    return ApiClient(org.anna)


@pytest.fixture
def appeal(org) -> Appeal:
    return org.appeal()


def test_assign_to_someone_and_take_it_off_them(org, api, appeal):
    response = api.post(f"/appeals/{appeal.pk}/assign", {"assignee": org.sergey.pk, "comment": "Нужен опыт"})
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == org.sergey.pk
    response = api.post(f"/appeals/{appeal.pk}/assign", {"assignee": None})
    assert response.json()["assignee"] is None


def test_assign_refuses_unknown_and_unfit_users(org, api, appeal):
    assert api.post(f"/appeals/{appeal.pk}/assign", {"assignee": 555555}).json()["field"] == "assignee"
    assert api.post(f"/appeals/{appeal.pk}/assign", {"assignee": org.boris.pk}).status_code == 400
    assert api.post(f"/appeals/{appeal.pk}/assign", {}).status_code == 422  # null must be said


def test_status_moves_along_the_lifecycle_and_refuses_shortcuts(org, api, appeal):
    response = api.post(f"/appeals/{appeal.pk}/status", {"status": "in_work"})
    assert response.status_code == 200 and response.json()["status"] == "in_work"
    refused = api.post(f"/appeals/{appeal.pk}/status", {"status": "closed"})
    assert refused.status_code == 409
    assert refused.json()["field"] is None and refused.json()["detail"]
    assert api.post(f"/appeals/{appeal.pk}/status", {"status": "lost"}).status_code == 422


def test_close_needs_an_outcome_and_reopen_brings_it_back(org, api, appeal):
    assert api.post(f"/appeals/{appeal.pk}/close", {}).status_code == 422
    closed = api.post(f"/appeals/{appeal.pk}/close", {"outcome": "explained", "comment": "Разъяснили"})
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "explained")
    assert closed.json()["closed_at"]
    assert api.post(f"/appeals/{appeal.pk}/close", {"outcome": "explained"}).status_code == 409
    reopened = api.post(f"/appeals/{appeal.pk}/reopen")
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["reopen_count"]) == ("in_work", 1)
    assert api.post(f"/appeals/{appeal.pk}/reopen", {}).status_code == 409


def test_cancel_needs_a_reason_and_a_dispatcher_or_supervisor(org, api, appeal):
    assert api.post(f"/appeals/{appeal.pk}/cancel", {"reason": "Спам"}).status_code == 403  # an agent
    supervisor = ApiClient(org.sergey)
    blank = supervisor.post(f"/appeals/{appeal.pk}/cancel", {"reason": "  "})
    assert blank.status_code == 400 and blank.json()["field"] == "reason"
    cancelled = supervisor.post(f"/appeals/{appeal.pk}/cancel", {"reason": "Спам"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_merge_returns_the_target_and_ends_the_source(org, api, appeal):
    target = org.appeal()
    response = api.post(f"/appeals/{appeal.pk}/merge", {"target": target.pk, "comment": "Дубль"})
    assert response.status_code == 200
    assert response.json()["id"] == target.pk
    source = api.get(f"/appeals/{appeal.pk}").json()
    assert source["status"] == Status.MERGED
    assert source["merged_into"] == {"id": target.pk, "number": target.number}
    assert api.post(f"/appeals/{target.pk}/merge", {"target": target.pk}).status_code == 400


def test_merge_into_an_appeal_one_cannot_see_is_404(org, api, appeal):
    hidden = org.appeal(org.boris, queue=org.support)
    assert api.post(f"/appeals/{appeal.pk}/merge", {"target": hidden.pk}).status_code == 404


def test_link_shows_on_both_ends_and_unlink_removes_it(org, api, appeal):
    other = org.appeal()
    response = api.post(f"/appeals/{appeal.pk}/links", {"other": other.pk, "kind": "duplicate"})
    assert response.status_code == 201
    assert response.json()["appeal"] == {"id": other.pk, "number": other.number}
    assert response.json()["kind"] == "duplicate"
    [back] = api.get(f"/appeals/{other.pk}").json()["links"]
    assert back["appeal"]["id"] == appeal.pk
    assert api.post(f"/appeals/{appeal.pk}/links", {"other": other.pk, "kind": "twin"}).status_code == 422
    assert api.delete(f"/appeals/{appeal.pk}/links/{other.pk}").status_code == 204
    assert not AppealLink.objects.exists()
    assert api.delete(f"/appeals/{appeal.pk}/links/{other.pk}").status_code == 409


def test_a_subcase_inherits_from_its_parent(org, api, appeal):
    response = api.post(f"/appeals/{appeal.pk}/subcases", {"subject": "Запрос в процессинг", "queue": org.claims.pk})
    assert response.status_code == 201
    sub = response.json()
    assert sub["parent_id"] == appeal.pk
    assert sub["client"]["id"] == org.ivan.pk and sub["kind"]["code"] == "complaint"
    assert api.get(f"/appeals/{appeal.pk}").json()["subcases"] == [{"id": sub["id"], "number": sub["number"]}]


def test_patch_changes_only_what_is_sent(org, api, appeal):
    response = api.patch(
        f"/appeals/{appeal.pk}",
        {
            "subject": "Новая тема",
            "priority": "critical",
            "category": org.cards.pk,
            "tags": ["a", "b"],
            "kind": "request",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["subject"], body["priority"], body["kind"]["code"]) == ("Новая тема", "critical", "request")
    assert body["category"]["id"] == org.cards.pk and body["tags"] == ["a", "b"]
    assert body["queue"]["id"] == org.claims.pk and body["client"]["id"] == org.ivan.pk  # untouched


def test_patch_null_clears_optional_references(org, api, appeal):
    api.patch(f"/appeals/{appeal.pk}", {"product": org.debit_card.pk})
    body = api.patch(f"/appeals/{appeal.pk}", {"product": None, "client": None}).json()
    assert body["product"] is None and body["client"] is None


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"kind": None}, 400),
        ({"subject": None}, 400),
        ({"subject": ""}, 400),
        ({"kind": "nope"}, 400),
        ({"queue": 999999}, 400),
        ({"status": "closed"}, 422),
        ({"number": "2026-1"}, 422),
        ({"priority": "meh"}, 422),
        ({"tags": "not-a-list"}, 422),
    ],
)
def test_patch_refuses_what_cannot_be_changed_that_way(org, api, appeal, changes, status):
    assert api.patch(f"/appeals/{appeal.pk}", changes).status_code == status


def test_patch_of_a_closed_appeal_is_a_conflict(org, api, appeal):
    api.post(f"/appeals/{appeal.pk}/close", {"outcome": "refused"})
    assert api.patch(f"/appeals/{appeal.pk}", {"subject": "Поздно"}).status_code == 409


def test_events_tell_the_story_in_order(org, api, appeal):
    api.post(f"/appeals/{appeal.pk}/assign", {"assignee": org.anna.pk})
    api.post(f"/appeals/{appeal.pk}/status", {"status": "in_work", "comment": "Беру"})
    events = api.get(f"/appeals/{appeal.pk}/events").json()
    assert [e["kind"] for e in events] == ["registered", "assigned", "status_changed"]
    status = events[-1]
    assert status["actor"]["username"] == "anna" and status["actor_label"]
    assert status["before"]["value"] == "new" and status["after"]["value"] == "in_work"
    assert status["comment"] == "Беру" and status["field"] == "status"


def test_events_of_a_merge_point_at_the_other_appeal(org, api, appeal):
    target = org.appeal()
    api.post(f"/appeals/{appeal.pk}/merge", {"target": target.pk})
    merged_from = api.get(f"/appeals/{target.pk}/events").json()[-1]
    assert merged_from["kind"] == "merged_from"
    assert merged_from["related_appeal"] == {"id": appeal.pk, "number": appeal.number}
