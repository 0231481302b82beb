"""Who may see and do what, through the API: the same rules as the UI (``access``).

An appeal someone may not see is "not found" everywhere (appeal, its messages,
events, files), never a 403 that confirms it exists.
"""

from __future__ import annotations

import pytest

from okno.appeals.models import Appeal
from okno.appeals.services import add_message, reply, upload
from okno.appeals.services.attachments import IncomingFile
from okno.testing_api import ApiClient


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def hidden(org) -> dict[str, int | str]:
    """An appeal of the support queue, with a message, a held reply and a file;
    Anna (claims) must not learn it exists."""
    org.support.requires_reply_approval = True
    org.support.save()
    appeal = org.appeal(org.boris, queue=org.support, subject="Чужое")
    message = add_message(org.boris, appeal, body_text="Секрет")
    held = reply(org.boris, appeal, body_text="Ответ на проверке")
    file = upload(org.boris, appeal, IncomingFile(name="note.txt", content=b"plain text here"))
    return {"appeal": appeal.pk, "number": appeal.number, "message": message.pk, "held": held.pk, "file": file.pk}


READS = [
    "/appeals/{appeal}",
    "/appeals/by-number/{number}",
    "/appeals/{appeal}/messages",
    "/appeals/{appeal}/events",
    "/appeals/{appeal}/attachments",
    "/messages/{message}",
    "/attachments/{file}",
    "/attachments/{file}/content",
]

CHANGES = [
    ("post", "/appeals/{appeal}/assign", {"assignee": None}),
    ("post", "/appeals/{appeal}/status", {"status": "in_work"}),
    ("post", "/appeals/{appeal}/reply", {"body_text": "x"}),
    ("post", "/appeals/{appeal}/notes", {"body_text": "x"}),
    ("post", "/appeals/{appeal}/messages", {"body_text": "x"}),
    ("post", "/appeals/{appeal}/close", {"outcome": "refused"}),
    ("post", "/appeals/{appeal}/cancel", {"reason": "x"}),
    ("post", "/appeals/{appeal}/subcases", {"subject": "x"}),
    ("patch", "/appeals/{appeal}", {"subject": "x"}),
    ("post", "/messages/{held}/approve", {}),
    ("post", "/messages/{held}/return", {"comment": "x"}),
]


@pytest.mark.parametrize("path", READS)
def test_an_agent_outside_the_queue_gets_404_for_everything_of_the_appeal(org, hidden, path):
    assert ApiClient(org.anna).get(path.format(**hidden)).status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_an_agent_outside_the_queue_gets_404_for_changes_too(org, hidden, method, path, body):
    response = getattr(ApiClient(org.anna), method)(path.format(**hidden), body)
    assert response.status_code == 404, response.content


def test_an_agent_outside_the_queue_cannot_upload_merge_into_or_link_to_it(org, hidden):
    api = ApiClient(org.anna)
    own = org.appeal()
    assert api.upload(f"/appeals/{hidden['appeal']}/attachments", "a.txt", b"text").status_code == 404
    assert api.post(f"/appeals/{own.pk}/merge", {"target": hidden["appeal"]}).status_code == 404
    assert api.post(f"/appeals/{own.pk}/links", {"other": hidden["appeal"]}).status_code == 404


def test_the_hidden_appeal_is_absent_from_lists_and_client_history(org, hidden):
    api = ApiClient(org.anna)
    assert hidden["number"] not in [a["number"] for a in api.get("/appeals").json()["items"]]
    history = api.get(f"/clients/{org.ivan.pk}/history").json()
    assert hidden["appeal"] not in [a["id"] for a in history["appeals"]]
    assert hidden["message"] not in [m["id"] for m in history["messages"]]


def test_an_appeal_assigned_to_someone_is_theirs_to_see_whatever_the_queue(org, hidden):
    appeal = org.appeal(org.dina, queue=org.support, assignee=org.anna)
    assert ApiClient(org.anna).get(f"/appeals/{appeal.pk}").status_code == 200


@pytest.mark.parametrize("path", READS)
def test_a_compliance_officer_reads_everything(org, hidden, path):
    assert ApiClient(org.kira).get(path.format(**hidden)).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_a_compliance_officer_gets_403_on_every_change(org, hidden, method, path, body):
    response = getattr(ApiClient(org.kira), method)(path.format(**hidden), body)
    assert response.status_code == 403, response.content
    assert response.json()["detail"]


def test_a_compliance_officer_cannot_create_or_edit_clients(org):
    kira = ApiClient(org.kira)
    assert kira.post("/clients", {"name": "Новый"}).status_code == 403
    assert kira.patch(f"/clients/{org.ivan.pk}", {"name": "Другой"}).status_code == 403
    assert kira.post(f"/clients/{org.ivan.pk}/contacts", {"kind": "email", "value": "a@b.ru"}).status_code == 403


def test_only_a_supervisor_of_the_queue_or_an_admin_approves(org, hidden):
    assert ApiClient(org.boris).post(f"/messages/{hidden['held']}/approve").status_code == 403
    assert ApiClient(org.dina).post(f"/messages/{hidden['held']}/approve").status_code == 403
    # Sergey supervises claims: the support appeal is not his to see at all.
    assert ApiClient(org.sergey).post(f"/messages/{hidden['held']}/approve").status_code == 404
    assert ApiClient(org.adam).post(f"/messages/{hidden['held']}/approve").status_code == 200


def test_a_specialist_of_the_queue_works_the_appeal(org, hidden):
    api = ApiClient(org.spec)
    assert api.post(f"/appeals/{hidden['appeal']}/notes", {"body_text": "Проверил"}).status_code == 201
    assert Appeal.objects.get(pk=hidden["appeal"]).messages.filter(direction="note").exists()
