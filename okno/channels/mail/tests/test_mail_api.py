"""The mail channel's API, for administrators: mailboxes (passwords write-only),
test connection against real servers, state and counts, the quarantine and its
actions, acknowledgement templates. Bad input is a 400 with a message, anyone but
an administrator a 403, something missing a 404."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from okno.appeals.models import Appeal
from okno.channels.mail.choices import InboundOutcome, InboundState
from okno.channels.mail.models import AcknowledgementTemplate, InboundMail, Mailbox
from okno.channels.mail.services import mailboxes as services
from okno.channels.mail.testing import ImapAccount, SmtpServer
from okno.core import secrets
from okno.testing_api import ApiClient

SECRET = "imap-пароль"


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Claims",
        "address": "claims@bank.test",
        "imap_host": "imap.bank.test",
        "imap_username": "claims",
        "imap_password": SECRET,
        "smtp_host": "smtp.bank.test",
        "smtp_security": "starttls",
        "smtp_username": "claims",
        "smtp_password": "smtp-secret",
    }
    values.update(overrides)
    return values


def mail(subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Иван <ivan@example.com>"
    message["To"] = "claims@bank.test"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject))}@example.com>"
    message.set_content("Текст")
    return bytes(message)


def quarantined(mailbox: Mailbox | None, raw: bytes) -> InboundMail:
    return InboundMail.objects.create(
        mailbox=mailbox,
        message_key=f"k-{InboundMail.objects.count()}",
        sender="ivan@example.com",
        raw=raw,
        size=len(raw),
        state=InboundState.QUARANTINED,
        outcome=InboundOutcome.QUARANTINED,
        reason="Too many mails from this sender",
    )


@pytest.fixture
def admin(org) -> ApiClient:
    """The administrator's API client, asking for English (the API speaks Russian
    unless asked): the tests read the messages by their English words."""
    client = ApiClient(org.adam)
    client.headers["Accept-Language"] = "en"
    return client


# --- mailboxes ------------------------------------------------------------------------------------


def test_an_administrator_creates_reads_changes_and_deletes_a_mailbox(org, admin):
    created = admin.post("/mail/mailboxes", body(queue=org.claims.pk, kind=org.complaint.pk, priority="high"))
    assert created.status_code == 201, created.json()
    out = created.json()
    assert "imap_password" not in out and "smtp_password" not in out
    assert out["imap_password_set"] is True and out["smtp_password_set"] is True
    assert SECRET not in created.content.decode()
    assert (out["imap_port"], out["smtp_port"], out["queue"]["id"], out["kind"]["id"]) == (
        993,
        587,
        org.claims.pk,
        org.complaint.pk,
    )
    assert out["state"] == "stopped" and out["acknowledgement_template"] is None
    pk = out["id"]
    assert secrets.decrypt(Mailbox.objects.get().imap_password) == SECRET

    listed = admin.get("/mail/mailboxes")
    assert [m["id"] for m in listed.json()] == [pk]
    assert SECRET not in listed.content.decode() and Mailbox.objects.get().imap_password not in listed.content.decode()

    changed = admin.patch(f"/mail/mailboxes/{pk}", {"name": "Жалобы", "queue": None, "imap_password": ""})
    assert changed.status_code == 200 and changed.json()["name"] == "Жалобы" and changed.json()["queue"] is None
    assert secrets.decrypt(Mailbox.objects.get().imap_password) == SECRET  # "" kept it
    admin.patch(f"/mail/mailboxes/{pk}", {"imap_password": "new-one"})
    assert secrets.decrypt(Mailbox.objects.get().imap_password) == "new-one"

    assert admin.post(f"/mail/mailboxes/{pk}/deactivate").json()["is_active"] is False
    assert admin.post(f"/mail/mailboxes/{pk}/activate").json()["is_active"] is True
    assert admin.delete(f"/mail/mailboxes/{pk}").status_code == 204
    assert not Mailbox.objects.exists()


def test_bad_values_are_400s_with_the_reason_and_the_field(org, admin):
    cases = [
        ({"imap_security": "plain"}, "imap_security", "only to this machine"),
        ({"imap_port": 70000}, "imap_port", "1 to 65535"),
        ({"processed_action": "move"}, "processed_folder", "moved to"),
        ({"address": "nobody"}, "address", "not an e-mail address"),
        ({"queue": 424242}, "queue", "424242"),
        ({"imap_password": ""}, "imap_password", "password"),
    ]
    for changes, field, words in cases:
        response = admin.post("/mail/mailboxes", body(**changes))
        assert response.status_code == 400, (changes, response.json())
        assert response.json()["field"] == field and words in response.json()["detail"]
    assert admin.post("/mail/mailboxes", body(imap_security="tls9")).status_code == 422
    assert admin.post("/mail/mailboxes", body(extra="x")).status_code == 422
    assert not Mailbox.objects.exists()

    pk = admin.post("/mail/mailboxes", body()).json()["id"]
    duplicate = admin.post("/mail/mailboxes", body(address="other@bank.test"))
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "name"
    InboundMail.objects.create(mailbox_id=pk, message_key="k", raw=b"x")
    kept = admin.delete(f"/mail/mailboxes/{pk}")
    assert kept.status_code == 409 and "switch it off" in kept.json()["detail"]


def test_non_administrators_get_403_and_missing_things_404(org, admin):
    pk = admin.post("/mail/mailboxes", body()).json()["id"]
    row = quarantined(Mailbox.objects.get(), mail("x"))
    template = services.create_template(org.adam, services.DEFAULT_TEMPLATE)
    agent = ApiClient(org.anna)
    for method, path in [
        ("get", "/mail/mailboxes"),
        ("post", "/mail/mailboxes"),
        ("get", f"/mail/mailboxes/{pk}"),
        ("patch", f"/mail/mailboxes/{pk}"),
        ("delete", f"/mail/mailboxes/{pk}"),
        ("post", f"/mail/mailboxes/{pk}/test"),
        ("get", f"/mail/mailboxes/{pk}/status"),
        ("get", "/mail/quarantine"),
        ("get", f"/mail/quarantine/{row.pk}/raw"),
        ("post", f"/mail/quarantine/{row.pk}/reprocess"),
        ("post", f"/mail/quarantine/{row.pk}/appeal"),
        ("get", "/mail/acknowledgement-templates"),
        ("delete", f"/mail/acknowledgement-templates/{template.pk}"),
        # Not even whether something exists.
        ("get", "/mail/mailboxes/999999"),
    ]:
        kwargs = {"data": body()} if method == "post" and path == "/mail/mailboxes" else {}
        if method == "patch":
            kwargs = {"data": {"name": "x"}}
        response = getattr(agent, method)(path, **kwargs)
        assert response.status_code == 403, (method, path, response.status_code)
    assert Mailbox.objects.count() == 1 and not Appeal.objects.exists()

    for method, path in [
        ("get", "/mail/mailboxes/999999"),
        ("patch", "/mail/mailboxes/999999"),
        ("get", "/mail/mailboxes/999999/status"),
        ("post", "/mail/mailboxes/999999/test"),
        ("get", "/mail/quarantine/999999"),
        ("get", "/mail/quarantine/999999/raw"),
        ("post", "/mail/quarantine/999999/reprocess"),
        ("get", "/mail/acknowledgement-templates/999999"),
    ]:
        response = getattr(admin, method)(path, **({"data": {"name": "x"}} if method == "patch" else {}))
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json()["detail"]


# --- test connection and status ---------------------------------------------------------------------


def test_testing_a_connection_says_which_step_failed(org, admin, imap_account: ImapAccount, smtp_server: SmtpServer):
    settings = {
        "imap_host": imap_account.host,
        "imap_port": imap_account.server.imap_port,
        "imap_security": "plain",
        "imap_username": imap_account.username,
        "imap_password": imap_account.password,
        "smtp_host": smtp_server.host,
        "smtp_port": smtp_server.port,
        "smtp_security": "plain",
    }
    unsaved = admin.post("/mail/mailboxes/test", settings)
    assert unsaved.status_code == 200, unsaved.json()
    result = unsaved.json()
    assert result["ok"] and result["imap"]["ok"] and result["smtp"]["ok"]
    assert result["imap"]["idle"] is True and result["imap"]["messages"] == 0
    assert result["imap"]["steps"][0]["step"] == "connect" and result["imap"]["error"] is None

    pk = admin.post("/mail/mailboxes", body(**settings, smtp_username="", smtp_password="")).json()["id"]
    assert admin.post(f"/mail/mailboxes/{pk}/test").json()["ok"] is True
    wrong = admin.post(f"/mail/mailboxes/{pk}/test", {"imap_password": "wrong"}).json()
    assert wrong["ok"] is False and wrong["imap"]["error"]["step"] == "auth"
    assert wrong["imap"]["error"]["message"] and wrong["smtp"]["ok"] is True
    folder = admin.post(f"/mail/mailboxes/{pk}/test", {"imap_folder": "Nowhere"}).json()
    assert folder["imap"]["error"]["step"] == "folder" and "Nowhere" in folder["imap"]["error"]["message"]
    assert Mailbox.objects.get().imap_folder == "INBOX"  # nothing saved
    refused = admin.post("/mail/mailboxes/test", {**settings, "imap_host": "imap.example.com"})
    assert refused.status_code == 400 and refused.json()["field"] == "imap_security"


def test_the_status_gives_the_state_and_the_counts(org, admin):
    pk = admin.post("/mail/mailboxes", body()).json()["id"]
    mailbox = Mailbox.objects.get()
    Mailbox.objects.filter(pk=pk).update(state="error", state_detail="Login refused")
    InboundMail.objects.create(mailbox=mailbox, message_key="a", raw=b"x", outcome=InboundOutcome.APPEAL)
    InboundMail.objects.create(mailbox=mailbox, message_key="b", raw=b"x", outcome=InboundOutcome.AUTO_REPLY)
    quarantined(mailbox, mail("y"))
    status = admin.get(f"/mail/mailboxes/{pk}/status").json()
    assert (status["state"], status["state_detail"], status["is_active"]) == ("error", "Login refused", True)
    assert status["counts"] == {
        "received": 3,
        "registered": 1,
        "threaded": 0,
        "quarantined": 1,
        "bounced": 0,
        "auto_replies": 1,
        "own": 0,
        "pending": 0,
    }
    assert status["last_24h"]["received"] == 3
    received = admin.get(f"/mail/mailboxes/{pk}/received", {"limit": 2}).json()
    assert [r["outcome"] for r in received] == ["quarantined", "auto_reply"]
    assert received[0]["subject"] == "y"


# --- quarantine -------------------------------------------------------------------------------------------


def test_the_quarantine_lists_downloads_reprocesses_and_makes_appeals(org, admin, django_capture_on_commit_callbacks):
    mailbox = services.create_mailbox(
        org.adam, **{k: v for k, v in body(smtp_host="", smtp_username="", smtp_password="").items()}, queue=org.claims
    )
    good = quarantined(mailbox, mail("=?utf-8?b?0JLQtdGA0L3QuNGC0LUg0LTQtdC90YzQs9C4?="))
    broken = quarantined(None, bytes(range(256)) * 4)
    InboundMail.objects.create(mailbox=mailbox, message_key="done", raw=b"x", state=InboundState.DONE)

    page = admin.get("/mail/quarantine", {"page_size": 1}).json()
    assert (page["count"], page["pages"], [i["id"] for i in page["items"]]) == (2, 2, [broken.pk])
    second = admin.get("/mail/quarantine", {"page_size": 1, "page": 2}).json()["items"][0]
    assert second["subject"] == "Верните деньги" and second["mailbox"]["name"] == "Claims"
    assert second["reason"] == "Too many mails from this sender" and second["size"] == len(bytes(good.raw))
    assert [i["id"] for i in admin.get("/mail/quarantine", {"mailbox": mailbox.pk}).json()["items"]] == [good.pk]

    raw = admin.get(f"/mail/quarantine/{good.pk}/raw")
    assert raw.status_code == 200 and raw["Content-Type"] == "message/rfc822"
    assert raw.content == bytes(good.raw)

    with django_capture_on_commit_callbacks(execute=True):
        reprocessed = admin.post(f"/mail/quarantine/{good.pk}/reprocess")
    assert reprocessed.status_code == 200, reprocessed.json()
    assert (reprocessed.json()["state"], reprocessed.json()["outcome"]) == ("done", "appeal")
    assert reprocessed.json()["appeal"]["number"] == Appeal.objects.get().number
    assert admin.post(f"/mail/quarantine/{good.pk}/reprocess").status_code == 409

    with django_capture_on_commit_callbacks(execute=True):
        made = admin.post(f"/mail/quarantine/{broken.pk}/appeal")
    assert made.status_code == 201
    appeal = Appeal.objects.get(pk=made.json()["id"])
    assert made.json()["number"] == appeal.number
    broken.refresh_from_db()
    assert (broken.state, broken.appeal_id) == (InboundState.DONE, appeal.pk)
    assert admin.get("/mail/quarantine").json()["count"] == 0


# --- acknowledgement templates -----------------------------------------------------------------------------


def test_acknowledgement_templates_crud_with_syntax_errors_as_400s(org, admin):
    broken = admin.post("/mail/acknowledgement-templates", {**services.DEFAULT_TEMPLATE, "body_ru": "{% for x in %}"})
    assert broken.status_code == 400 and broken.json()["field"] == "body_ru"
    assert "Template error" in broken.json()["detail"]
    unknown = admin.post("/mail/acknowledgement-templates", {**services.DEFAULT_TEMPLATE, "subject_en": "{{ id }}"})
    assert unknown.status_code == 400 and "Unknown variable “id”" in unknown.json()["detail"]

    created = admin.post("/mail/acknowledgement-templates", services.DEFAULT_TEMPLATE)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert admin.get("/mail/acknowledgement-templates").json()[0]["name"] == services.DEFAULT_TEMPLATE["name"]
    changed = admin.patch(f"/mail/acknowledgement-templates/{pk}", {"name": "Standard"})
    assert changed.status_code == 200 and changed.json()["name"] == "Standard"
    assert changed.json()["body_en"] == services.DEFAULT_TEMPLATE["body_en"]
    assert admin.patch(f"/mail/acknowledgement-templates/{pk}", {"body_en": "{% endif %}"}).status_code == 400

    preview = admin.post(
        "/mail/acknowledgement-templates/preview",
        {k: services.DEFAULT_TEMPLATE[k] for k in ("subject_ru", "body_ru", "subject_en", "body_en")},
    ).json()
    assert preview["ru"]["subject"] == "Ваше обращение зарегистрировано [#2026-000123]"
    assert "We will answer by March 16, 2026." in preview["en"]["body"]

    mailbox = admin.post("/mail/mailboxes", body(acknowledgement_template=pk)).json()
    assert mailbox["acknowledgement_template"] == {"id": pk, "name": "Standard"}
    in_use = admin.delete(f"/mail/acknowledgement-templates/{pk}")
    assert in_use.status_code == 409 and "Claims" in in_use.json()["detail"]
    admin.patch(f"/mail/mailboxes/{mailbox['id']}", {"acknowledgement_template": None})
    assert admin.delete(f"/mail/acknowledgement-templates/{pk}").status_code == 204
    assert not AcknowledgementTemplate.objects.exists()
