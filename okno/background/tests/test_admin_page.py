"""The administrators' page and API for background work: lists, periodic jobs,
retry, and who may see them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus
from django.test import Client
from django.utils import timezone

from okno.accounts.models import ApiToken
from okno.background import services
from okno.background.models import TaskRecord
from okno.background.tests import sample_tasks
from okno.core.errors import Conflict, NotFound, PermissionDenied
from okno.testing import Org

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
FAILED, SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL
PAGE = "/system/tasks/"


@pytest.fixture
def records(db, tmp_path: Path, django_capture_on_commit_callbacks) -> dict[str, TaskRecord]:
    """One task in each state, made by running real tasks inline."""
    with django_capture_on_commit_callbacks(execute=True):
        ok = sample_tasks.add.enqueue(2, 3)
        failed = sample_tasks.fail_once.enqueue(str(tmp_path / "marker"))
        later = sample_tasks.add.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(1, 1)
    with django_capture_on_commit_callbacks(execute=False):
        running = sample_tasks.add.enqueue(7, 7)
    TaskRecord.objects.filter(pk=running.id).update(
        status=RUNNING, started_at=timezone.now(), worker_ids=["web-2:4242:Worker-1"]
    )
    return {
        key: TaskRecord.objects.get(pk=r.id)
        for key, r in (("ok", ok), ("failed", failed), ("queued", later), ("running", running))
    }


def login(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    """Signed in, reading English (pages are Russian unless the person chose)."""
    client.force_login(user)
    client.cookies["okno_language"] = "en"
    return client


def test_an_administrator_sees_every_list_and_the_periodic_jobs(client: Client, org: Org, records):
    response = login(client, org.adam).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-count="READY">1<' in html and 'data-count="RUNNING">1<' in html
    assert 'data-count="FAILED">1<' in html and 'data-count="SUCCESSFUL">1<' in html
    assert f'data-task="{records["failed"].pk}"' in html
    assert "builtins.RuntimeError" in html and "first attempt fails" in html  # the folded traceback
    assert "web-2:4242:Worker-1" in html  # who runs it
    assert records["queued"].run_after is not None
    assert 'data-job="okno.background.tasks.prune_task_records"' in html and "17 3 * * *" in html
    assert 'href="/system/tasks/"' in html  # in the navigation


def test_the_region_refreshes_alone_for_htmx(client: Client, org: Org, records):
    response = login(client, org.adam).get(PAGE, headers={"HX-Request": "true", "HX-Target": "bg-tasks"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="bg-tasks">') and "<html" not in html


@pytest.mark.parametrize("persona", ["anna", "sergey", "dina", "kira"])
def test_nobody_else_may_see_the_page(client: Client, org: Org, records, persona: str):
    response = login(client, getattr(org, persona)).get(PAGE)
    assert response.status_code == 403
    assert 'href="/system/tasks/"' not in login(client, getattr(org, persona)).get("/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_retry_from_the_page_runs_the_task_again(client: Client, org: Org, records, django_capture_on_commit_callbacks):
    failed = records["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, org.adam).post(f"/system/tasks/{failed.pk}/retry/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "The task is queued again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == SUCCESSFUL and failed.return_value == "second attempt"
    assert failed.attempts == 2 and len(failed.errors) == 1  # the first attempt's error is kept


def test_retrying_a_task_that_did_not_fail_is_refused(client: Client, org: Org, records):
    response = login(client, org.adam).post(f"/system/tasks/{records['ok'].pk}/retry/", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "Only a failed task can be retried." in response.content.decode()
    assert login(client, org.adam).post("/system/tasks/nope/retry/").status_code == 404
    assert login(client, org.anna).post(f"/system/tasks/{records['failed'].pk}/retry/").status_code == 403
    assert TaskRecord.objects.get(pk=records["failed"].pk).status == FAILED


def test_retry_without_javascript_redirects_back(client: Client, org: Org, records):
    response = login(client, org.adam).post(f"/system/tasks/{records['failed'].pk}/retry/")
    assert response.status_code == 302 and response["Location"] == PAGE


def test_retry_service_rules(org: Org, records, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        services.retry_task(org.sergey, records["failed"].pk)
    with pytest.raises(NotFound):
        services.retry_task(org.adam, "missing")
    with pytest.raises(Conflict):
        services.retry_task(org.adam, records["running"].pk)
    with django_capture_on_commit_callbacks(execute=False):
        record = services.retry_task(org.adam, records["failed"].pk)
    assert record.status == READY and record.finished_at is None and record.attempts == 1


# --- API ----------------------------------------------------------------------------


def api(client: Client, user, method: str = "get", path: str = "", **params):  # type: ignore[no-untyped-def]
    _token, raw = ApiToken.issue(user, "test")
    call = getattr(client, method)
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}
    return call(f"/api/v1/system/{path}", params or None, headers=headers)


def test_api_lists_tasks_by_status(client: Client, org: Org, records):
    response = api(client, org.adam, path="tasks")
    assert response.status_code == 200
    assert {t["id"] for t in response.json()} == {r.pk for r in records.values()}
    failed = api(client, org.adam, path="tasks", status="FAILED").json()
    assert [t["id"] for t in failed] == [records["failed"].pk]
    [task] = failed
    assert task["task"] == "okno.background.tests.sample_tasks.fail_once"
    assert task["status"] == "FAILED" and task["attempts"] == 1 and task["queue"] == "default"
    assert task["errors"][0]["exception_class_path"] == "builtins.RuntimeError"
    ok = api(client, org.adam, path="tasks", status="SUCCESSFUL").json()[0]
    assert ok["return_value"] == 5 and ok["args"] == [2, 3] and ok["periodic_job"] == ""
    assert len(api(client, org.adam, path="tasks", limit=1).json()) == 1
    assert len(api(client, org.adam, path="tasks", status="").json()) == 4  # an empty filter is no filter


@pytest.mark.parametrize("params", [{"status": "DONE"}, {"limit": 0}, {"limit": 201}, {"limit": "many"}])
def test_api_refuses_bad_filters_with_a_message(client: Client, org: Org, db, params):
    response = api(client, org.adam, path="tasks", **params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_api_periodic_jobs(client: Client, org: Org, db):
    response = api(client, org.adam, path="periodic-jobs")
    assert response.status_code == 200
    jobs = {job["name"]: job for job in response.json()}
    prune = jobs["okno.background.tasks.prune_task_records"]
    assert prune["schedule"] == "17 3 * * *" and prune["task"] == "okno.background.tasks.prune_task_records"
    assert prune["description"] and prune["last_run"] is None and prune["next_run"]


def test_api_retry(client: Client, org: Org, records, django_capture_on_commit_callbacks):
    failed = records["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(client, org.adam, "post", f"tasks/{failed.pk}/retry")
    assert response.status_code == 200
    assert response.json()["id"] == failed.pk and response.json()["status"] == "READY"
    assert TaskRecord.objects.get(pk=failed.pk).status == SUCCESSFUL
    again = api(client, org.adam, "post", f"tasks/{failed.pk}/retry")
    assert again.status_code == 409 and again.json()["detail"] == "Only a failed task can be retried."
    missing = api(client, org.adam, "post", "tasks/nope/retry")
    assert missing.status_code == 404 and missing.json()["detail"] == "Task not found."


def test_api_is_for_administrators_only(client: Client, org: Org, records):
    for method, path in (("get", "tasks"), ("get", "periodic-jobs"), ("post", f"tasks/{records['failed'].pk}/retry")):
        response = api(client, org.sergey, method, path)
        assert response.status_code == 403, path
        assert "administrators" in json.dumps(response.json())
    assert TaskRecord.objects.get(pk=records["failed"].pk).status == FAILED
    assert client.get("/api/v1/system/tasks").status_code == 401
