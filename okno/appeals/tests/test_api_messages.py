"""Replies (with approval), notes, client messages and files through the API."""

from __future__ import annotations

import pytest

from okno.appeals.models import Appeal, Attachment
from okno.testing_api import ApiClient

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def api(org) -> ApiClient:
    return ApiClient(org.anna)


@pytest.fixture
def appeal(org) -> Appeal:
    return org.appeal()


@pytest.fixture
def strict(org) -> Appeal:
    """An appeal in a queue whose replies need a supervisor's approval."""
    org.claims.requires_reply_approval = True
    org.claims.save()
    return org.appeal()


def test_a_reply_leaves_at_once_where_no_approval_is_needed(org, api, appeal):
    response = api.post(f"/appeals/{appeal.pk}/reply", {"body_text": "Деньги вернули", "status_after": "answered"})
    assert response.status_code == 201, response.content
    message = response.json()
    assert (message["direction"], message["approval_status"], message["delivery_status"]) == (
        "outbound",
        "not_required",
        "sent",
    )
    assert message["author"]["username"] == "anna" and message["appeal_id"] == appeal.pk
    assert api.get(f"/appeals/{appeal.pk}").json()["status"] == "answered"


def test_a_reply_needs_text_and_a_status_after_that_makes_sense(org, api, appeal):
    assert api.post(f"/appeals/{appeal.pk}/reply", {"body_text": "  "}).status_code == 400
    assert api.post(f"/appeals/{appeal.pk}/reply", {"body_text": "x", "status_after": "closed"}).status_code == 422


def test_a_held_reply_goes_out_when_a_supervisor_approves(org, api, strict):
    held = api.post(f"/appeals/{strict.pk}/reply", {"body_text": "Черновик"}).json()
    assert (held["approval_status"], held["delivery_status"]) == ("pending", "held")
    assert api.post(f"/messages/{held['id']}/approve").status_code == 403  # agents do not approve
    approved = ApiClient(org.sergey).post(f"/messages/{held['id']}/approve", {"comment": "Ок"})
    assert approved.status_code == 200
    assert (approved.json()["approval_status"], approved.json()["delivery_status"]) == ("approved", "sent")
    assert approved.json()["approved_by"]["username"] == "sergey"
    assert ApiClient(org.sergey).post(f"/messages/{held['id']}/approve").status_code == 409


def test_a_returned_reply_is_revised_and_submitted_again(org, api, strict):
    held = api.post(f"/appeals/{strict.pk}/reply", {"body_text": "Черновик"}).json()
    supervisor = ApiClient(org.sergey)
    assert supervisor.post(f"/messages/{held['id']}/return", {"comment": ""}).status_code == 400
    returned = supervisor.post(f"/messages/{held['id']}/return", {"comment": "Добавьте сумму"}).json()
    assert (returned["approval_status"], returned["approval_comment"]) == ("returned", "Добавьте сумму")
    revised = api.post(f"/messages/{held['id']}/revise", {"body_text": "Вернули 500 ₽"})
    assert revised.status_code == 200
    assert (revised.json()["approval_status"], revised.json()["body_text"]) == ("pending", "Вернули 500 ₽")


def test_approving_something_that_is_not_a_reply_is_a_conflict_and_nothing_is_404(org, strict):
    note = ApiClient(org.anna).post(f"/appeals/{strict.pk}/notes", {"body_text": "Внутреннее"}).json()
    supervisor = ApiClient(org.sergey)
    assert supervisor.post(f"/messages/{note['id']}/approve").status_code == 409
    assert supervisor.post("/messages/999999/approve").status_code == 404


def test_notes_and_client_messages_join_the_thread_in_order(org, api, appeal):
    api.post(f"/appeals/{appeal.pk}/reply", {"body_text": "Ответ"})
    note = api.post(f"/appeals/{appeal.pk}/notes", {"body_text": "Клиент звонил"})
    assert note.status_code == 201 and note.json()["direction"] == "note"
    inbound = api.post(
        f"/appeals/{appeal.pk}/messages", {"body_text": "Спасибо, но нет", "channel": "mail", "external_id": "<m@x>"}
    )
    assert inbound.status_code == 201
    assert (inbound.json()["direction"], inbound.json()["channel"]) == ("inbound", "mail")
    assert inbound.json()["author"] is None and inbound.json()["author_client"]["id"] == org.ivan.pk
    thread = api.get(f"/appeals/{appeal.pk}/messages").json()
    assert [m["direction"] for m in thread] == ["outbound", "note", "inbound"]
    assert api.get(f"/appeals/{appeal.pk}").json()["status"] == "in_work"  # the client wrote again
    assert api.get(f"/messages/{note.json()['id']}").json()["body_text"] == "Клиент звонил"


def test_an_empty_client_message_is_refused(org, api, appeal):
    response = api.post(f"/appeals/{appeal.pk}/messages", {"body_text": ""})
    assert response.status_code == 400 and response.json()["field"] == "body_text"


def test_upload_then_reply_with_the_file(org, api, appeal):
    uploaded = api.upload(f"/appeals/{appeal.pk}/attachments", "акт сверки.pdf", PDF)
    assert uploaded.status_code == 201, uploaded.content
    file = uploaded.json()
    assert (file["filename"], file["content_type"], file["size"]) == ("акт сверки.pdf", "application/pdf", len(PDF))
    assert file["message_id"] is None and file["url"].endswith(f"/attachments/{file['id']}/content")
    reply = api.post(f"/appeals/{appeal.pk}/reply", {"body_text": "Акт во вложении", "attachments": [file["id"]]})
    assert reply.status_code == 201
    assert [a["id"] for a in reply.json()["attachments"]] == [file["id"]]
    assert api.get(f"/appeals/{appeal.pk}/attachments").json()[0]["message_id"] == reply.json()["id"]
    again = api.post(f"/appeals/{appeal.pk}/notes", {"body_text": "Ещё раз", "attachments": [file["id"]]})
    assert again.status_code == 400 and again.json()["field"] == "attachments"


def test_a_file_of_another_appeal_cannot_be_attached(org, api, appeal):
    other = org.appeal()
    file = api.upload(f"/appeals/{other.pk}/attachments", "scan.pdf", PDF).json()
    response = api.post(f"/appeals/{appeal.pk}/reply", {"body_text": "x", "attachments": [file["id"]]})
    assert response.status_code == 400 and response.json()["field"] == "attachments"
    assert Attachment.objects.get(pk=file["id"]).message_id is None


@pytest.mark.parametrize(
    ("name", "content"),
    [("page.html", b"<html><script>alert(1)</script></html>"), ("empty.pdf", b""), ("run.exe", b"MZ\x90\x00" * 20)],
)
def test_dangerous_or_empty_files_are_refused(org, api, appeal, name, content):
    response = api.upload(f"/appeals/{appeal.pk}/attachments", name, content)
    assert response.status_code == 400
    assert response.json()["field"] == "files"


def test_an_upload_without_a_file_is_422(org, api, appeal):
    response = api.client.post(f"/api/v1/appeals/{appeal.pk}/attachments", {"other": "x"}, headers=api.headers)
    assert response.status_code == 422


def test_a_download_is_an_attachment_the_browser_will_not_sniff(org, api, appeal):
    file = api.upload(f"/appeals/{appeal.pk}/attachments", "договор.pdf", PDF).json()
    response = api.client.get(file["url"], headers=api.headers)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%D0%B4%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert api.get(f"/attachments/{file['id']}").json()["sha256"] == file["sha256"]


def test_a_file_missing_from_storage_is_404_not_a_crash(org, api, appeal):
    file = api.upload(f"/appeals/{appeal.pk}/attachments", "scan.pdf", PDF).json()
    Attachment.objects.get(pk=file["id"]).file.delete(save=False)
    assert api.get(f"/attachments/{file['id']}/content").status_code == 404


def test_a_compliance_officer_reads_files_but_cannot_upload(org, api, appeal):
    file = api.upload(f"/appeals/{appeal.pk}/attachments", "scan.pdf", PDF).json()
    kira = ApiClient(org.kira)
    assert kira.get(f"/attachments/{file['id']}/content").status_code == 200
    assert kira.upload(f"/appeals/{appeal.pk}/attachments", "scan.pdf", PDF).status_code == 403
