"""/settings/mail/: administrators see the mailboxes with their state and counts,
add and edit them (a password is never sent back to the browser and an empty one
keeps the stored one), follow a mailbox on its supervision page, handle the
quarantine and edit acknowledgement templates. Everyone else gets a 403."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from okno.appeals.models import Appeal
from okno.channels.mail.choices import InboundOutcome, InboundState, MailboxState
from okno.channels.mail.models import AcknowledgementTemplate, InboundMail, Mailbox
from okno.channels.mail.services import mailboxes as services
from okno.core import secrets

HX = {"HX-Request": "true"}
SECRET = "s3cret-Пароль"


def signed_in(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Claims",
        "address": "claims@bank.test",
        "is_active": "on",
        "imap_host": "imap.bank.test",
        "imap_port": "",
        "imap_security": "ssl",
        "imap_username": "claims",
        "imap_password": SECRET,
        "imap_folder": "INBOX",
        "processed_action": "seen",
        "processed_folder": "",
        "verify_tls": "on",
        "smtp_host": "",
        "smtp_port": "",
        "smtp_security": "ssl",
        "smtp_username": "",
        "smtp_password": "",
        "from_name": "",
        "queue": "",
        "kind": "",
        "category": "",
        "priority": "normal",
        "acknowledge": "on",
        "acknowledgement_template": "",
        "reopen_days": "30",
        "sender_limit_per_hour": "30",
    }
    data.update(overrides)
    return data


def mail(subject: str, sender: str = "Иван <ivan@example.com>", body: str = "Текст письма") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "claims@bank.test"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject))}@example.com>"
    message.set_content(body)
    return bytes(message)


@pytest.fixture
def box(org) -> Mailbox:
    return services.create_mailbox(
        org.adam,
        name="Claims",
        address="claims@bank.test",
        imap_host="imap.bank.test",
        imap_username="claims",
        imap_password=SECRET,
        queue=org.claims,
    )


def quarantined(box: Mailbox | None, raw: bytes, reason: str = "Too many mails from this sender") -> InboundMail:
    return InboundMail.objects.create(
        mailbox=box,
        message_key=f"key-{InboundMail.objects.count()}-{len(raw)}",
        sender="ivan@example.com",
        raw=raw,
        size=len(raw),
        state=InboundState.QUARANTINED,
        outcome=InboundOutcome.QUARANTINED,
        reason=reason,
    )


# --- access -----------------------------------------------------------------------------------------


def test_only_administrators_reach_the_mail_settings(org, box):
    template = services.create_template(org.adam, services.DEFAULT_TEMPLATE)
    row = quarantined(box, mail("x"))
    pages = [
        "/settings/mail/",
        "/settings/mail/new/",
        f"/settings/mail/{box.pk}/",
        f"/settings/mail/{box.pk}/edit/",
        "/settings/mail/quarantine/",
        f"/settings/mail/quarantine/{row.pk}/raw/",
        "/settings/mail/templates/",
        f"/settings/mail/templates/{template.pk}/edit/",
    ]
    for user in (org.anna, org.sergey, org.kira):
        client = signed_in(user)
        for page in pages:
            assert client.get(page).status_code == 403, page
        assert client.post(f"/settings/mail/{box.pk}/toggle/").status_code == 403
        assert client.post(f"/settings/mail/quarantine/{row.pk}/appeal/").status_code == 403
    assert Mailbox.objects.get().is_active and not Appeal.objects.exists()
    assert Client().get("/settings/mail/").status_code == 302  # to the login page


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["Mailboxes", "Add a mailbox", "Quarantine"]), ("ru", ["Почтовые ящики", "Добавить ящик", "Карантин"])],
)
def test_the_pages_render_for_an_administrator_in_both_languages(org, box, language, words):
    services.load_default_template()
    quarantined(box, mail("Письмо"))
    client = signed_in(org.adam, language)
    listing = client.get("/settings/mail/")
    assert listing.status_code == 200
    html = listing.content.decode()
    if language == "en":  # the English page shows the msgids themselves
        for word in words:
            assert word in html
    assert 'href="/settings/mail/"' in html  # the navbar links the page
    for page in (
        "/settings/mail/new/",
        f"/settings/mail/{box.pk}/",
        f"/settings/mail/{box.pk}/edit/",
        "/settings/mail/quarantine/",
        "/settings/mail/templates/",
        "/settings/mail/templates/new/",
        f"/settings/mail/templates/{AcknowledgementTemplate.objects.get().pk}/edit/",
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'<html lang="{language}">' in response.content.decode()


# --- the list and the form -----------------------------------------------------------------------------


def test_the_list_shows_each_mailboxs_state_and_counts(org, box):
    Mailbox.objects.filter(pk=box.pk).update(
        state=MailboxState.ERROR, state_detail="imap.bank.test refused the connection on port 993"
    )
    services.create_mailbox(
        org.adam,
        name="Support",
        address="support@bank.test",
        imap_host="imap.bank.test",
        imap_username="support",
        imap_password="x",
        is_active=False,
    )
    quarantined(box, mail("a"))
    InboundMail.objects.create(mailbox=box, message_key="k-a", raw=b"x", outcome=InboundOutcome.APPEAL)
    InboundMail.objects.create(mailbox=box, message_key="k-b", raw=b"x", outcome=InboundOutcome.APPEAL)

    region = signed_in(org.adam).get("/settings/mail/", headers={**HX, "HX-Target": "mailbox-table"})
    html = region.content.decode()
    assert html.startswith('<div id="mailbox-table"') and 'hx-trigger="every 5s"' in html
    assert 'data-state="error"' in html and "refused the connection on port 993" in html
    assert 'data-state="off"' in html  # the switched-off one
    assert 'data-count="received">3<' in html and 'data-count="registered">2<' in html
    assert f'href="/settings/mail/quarantine/?mailbox={box.pk}">1<' in html


def test_an_administrator_adds_a_mailbox_through_the_form(org):
    client = signed_in(org.adam)
    response = client.post("/settings/mail/new/", form(queue=str(org.claims.pk), kind=str(org.complaint.pk)))
    assert response.status_code == 302 and response["Location"] == "/settings/mail/"
    mailbox = Mailbox.objects.get()
    assert (mailbox.name, mailbox.imap_port, mailbox.queue, mailbox.kind) == ("Claims", 993, org.claims, org.complaint)
    assert secrets.decrypt(mailbox.imap_password) == SECRET
    assert "is added" in client.get("/settings/mail/").content.decode()


def test_the_form_shows_the_services_errors_on_their_fields(org):
    client = signed_in(org.adam)
    response = client.post("/settings/mail/new/", form(imap_security="plain"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "only to this machine" in html and "invalid-feedback" in html
    assert SECRET not in html  # a password typed is not sent back either
    response = client.post("/settings/mail/new/", form(processed_action="move"))
    assert "Name the folder processed mail is moved to." in response.content.decode()
    assert not Mailbox.objects.exists()


def test_editing_never_shows_the_password_and_an_empty_one_keeps_it(org, box):
    client = signed_in(org.adam)
    page = client.get(f"/settings/mail/{box.pk}/edit/").content.decode()
    assert SECRET not in page and box.imap_password not in page
    assert "A password is stored. Leave empty to keep it." in page
    assert 'name="imap_password"' in page and 'value="' + SECRET not in page

    response = client.post(f"/settings/mail/{box.pk}/edit/", form(name="Claims & complaints", imap_password=""))
    assert response.status_code == 302
    saved = Mailbox.objects.get()
    assert saved.name == "Claims & complaints" and secrets.decrypt(saved.imap_password) == SECRET


def test_switching_off_and_deleting_from_the_list(org, box):
    client = signed_in(org.adam)
    response = client.post(f"/settings/mail/{box.pk}/toggle/", headers=HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#mailbox-table"
    assert "is switched off" in response.content.decode() and not Mailbox.objects.get().is_active

    InboundMail.objects.create(mailbox=box, message_key="k", raw=b"x")
    refused = client.post(f"/settings/mail/{box.pk}/delete/", headers=HX)
    assert refused.status_code == 409 and "switch it off instead" in refused.content.decode()
    InboundMail.objects.all().delete()
    deleted = client.post(f"/settings/mail/{box.pk}/delete/", headers=HX)
    assert deleted.status_code == 200 and not Mailbox.objects.exists()


# --- supervision ----------------------------------------------------------------------------------------


def test_the_supervision_page_shows_state_counts_and_the_latest_mail_with_their_appeals(org, box):
    since = timezone.now()
    Mailbox.objects.filter(pk=box.pk).update(state=MailboxState.IDLE, state_changed_at=since, last_received_at=since)
    appeal = org.appeal(subject="Комиссия")
    InboundMail.objects.create(
        mailbox=box,
        message_key="k-1",
        raw=mail("=?utf-8?b?0JrQvtC80LjRgdGB0LjRjw==?="),
        sender="ivan@example.com",
        state=InboundState.DONE,
        outcome=InboundOutcome.APPEAL,
        appeal=appeal,
    )
    quarantined(box, mail("Сломанное"), reason="Too many mails from ivan")
    page = signed_in(org.adam).get(f"/settings/mail/{box.pk}/")
    html = page.content.decode()
    assert 'data-state="idle"' in html and "Connected, waiting for mail" in html
    assert '<tr data-count="received"><td>Received</td><td class="text-end">2</td><td class="text-end">2</td>' in html
    assert f'href="/appeals/{appeal.number}/"' in html
    assert "Комиссия" in html  # the encoded subject decoded
    assert "Too many mails from ivan" in html

    region = signed_in(org.adam).get(f"/settings/mail/{box.pk}/", headers={**HX, "HX-Target": "mailbox-status"})
    assert region.content.decode().startswith('<div id="mailbox-status"')


# --- quarantine -------------------------------------------------------------------------------------------


def test_the_quarantine_lists_mail_newest_first_with_decoded_subjects(org, box):
    first = quarantined(box, mail("Старое"))
    cp1251 = b"From: a@b.test\r\nSubject: \xcf\xf0\xe8\xe2\xe5\xf2\r\n\r\n\xf2\xe5\xea\xf1\xf2\r\n"
    second = quarantined(None, cp1251, reason="cannot be parsed")
    page = signed_in(org.adam).get("/settings/mail/quarantine/")
    html = page.content.decode()
    assert html.index(f'data-inbound="{second.pk}"') < html.index(f'data-inbound="{first.pk}"')
    assert "Привет" in html and "Старое" in html and "cannot be parsed" in html
    only = signed_in(org.adam).get(f"/settings/mail/quarantine/?mailbox={box.pk}").content.decode()
    assert f'data-inbound="{first.pk}"' in only and f'data-inbound="{second.pk}"' not in only


def test_the_raw_mail_downloads_exactly_as_received(org, box):
    raw = mail("Оригинал")
    row = quarantined(box, raw)
    response = signed_in(org.adam).get(f"/settings/mail/quarantine/{row.pk}/raw/")
    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="mail-{row.pk}.eml"'
    assert response.content == raw
    assert signed_in(org.adam).get("/settings/mail/quarantine/999999/raw/").status_code == 404


def test_reprocessing_sends_the_mail_through_intake_again(org, box, django_capture_on_commit_callbacks):
    row = quarantined(box, mail("Прошу вернуть комиссию"))
    client = signed_in(org.adam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/mail/quarantine/{row.pk}/reprocess/", headers=HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#quarantine-list"
    row.refresh_from_db()
    assert (row.state, row.outcome) == (InboundState.DONE, InboundOutcome.APPEAL)
    appeal = Appeal.objects.get()
    assert appeal.subject == "Прошу вернуть комиссию" and appeal.queue == org.claims
    html = response.content.decode()
    assert f"became the appeal {appeal.number}" in html and "Nothing is quarantined." in html

    again = client.post(f"/settings/mail/quarantine/{row.pk}/reprocess/", headers=HX)
    assert again.status_code == 409  # no longer quarantined


def test_mail_that_still_fails_stays_quarantined_with_the_new_reason(org, box, django_capture_on_commit_callbacks):
    row = quarantined(box, bytes(range(256)) * 4, reason="old reason")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(org.adam).post(f"/settings/mail/quarantine/{row.pk}/reprocess/", headers=HX)
    row.refresh_from_db()
    assert row.state == InboundState.QUARANTINED and row.reason != "old reason"
    assert "still quarantined" in response.content.decode()


def test_an_administrator_makes_an_appeal_of_a_quarantined_mail(org, box, django_capture_on_commit_callbacks):
    row = quarantined(box, bytes(range(256)) * 4, reason="cannot be parsed")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(org.adam).post(f"/settings/mail/quarantine/{row.pk}/appeal/", headers=HX)
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    row.refresh_from_db()
    assert (row.state, row.appeal_id) == (InboundState.DONE, appeal.pk)
    assert appeal.queue == org.claims
    assert f"The appeal {appeal.number} is registered" in response.content.decode()


# --- templates ------------------------------------------------------------------------------------------------


def test_templates_are_edited_with_their_syntax_checked_and_previewed(org):
    client = signed_in(org.adam)
    data = {**services.DEFAULT_TEMPLATE, "name": "Claims"}
    broken = client.post("/settings/mail/templates/new/", {**data, "body_en": "{% if number %}"})
    assert broken.status_code == 400 and "Template error" in broken.content.decode()
    assert not AcknowledgementTemplate.objects.exists()

    created = client.post("/settings/mail/templates/new/", data)
    assert created.status_code == 302
    template = AcknowledgementTemplate.objects.get()
    assert template.body_ru == services.DEFAULT_TEMPLATE["body_ru"]

    preview = client.post("/settings/mail/templates/preview/", data, headers=HX).content.decode()
    assert "Ваше обращение зарегистрировано [#2026-000123]" in preview and "March 16, 2026" in preview
    problem = client.post("/settings/mail/templates/preview/", {**data, "subject_ru": "{{ nomer }}"}, headers=HX)
    assert "nomer" in problem.content.decode()

    edited = client.post(
        f"/settings/mail/templates/{template.pk}/edit/", {**data, "subject_en": "Got it [#{{ number }}]"}
    )
    assert edited.status_code == 302
    assert AcknowledgementTemplate.objects.get().subject_en == "Got it [#{{ number }}]"

    deleted = client.post(f"/settings/mail/templates/{template.pk}/delete/", headers=HX)
    assert deleted.status_code == 204 and deleted["HX-Redirect"] == "/settings/mail/templates/"
    assert not AcknowledgementTemplate.objects.exists()


# --- the Django admin -------------------------------------------------------------------------------------------


def test_the_django_admin_never_shows_a_password_or_a_raw_mail(org, box):
    row = quarantined(box, mail("Секретное содержимое"))
    client = signed_in(org.adam)
    change = client.get(f"/admin/mail/mailbox/{box.pk}/change/").content.decode()
    assert 'name="imap_password"' in change and box.imap_password not in change and SECRET not in change
    inbound = client.get(f"/admin/mail/inboundmail/{row.pk}/change/").content.decode()
    assert "Текст письма" not in inbound and f"/settings/mail/quarantine/{row.pk}/raw/" in inbound
    for page in (
        "/admin/mail/mailbox/",
        "/admin/mail/inboundmail/",
        "/admin/mail/outboundmail/",
        "/admin/mail/acknowledgementtemplate/",
    ):
        assert client.get(page).status_code == 200, page

    values = {**form(), "imap_password": "", "acknowledge": "on", "_save": "Save"}
    values = {k: v for k, v in values.items() if v != ""}
    values.update({"imap_port": "993", "smtp_port": "465", "processed_folder": "", "smtp_host": ""})
    saved = client.post(f"/admin/mail/mailbox/{box.pk}/change/", {**values, "name": "Renamed"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert Mailbox.objects.get().name == "Renamed"
    assert secrets.decrypt(Mailbox.objects.get().imap_password) == SECRET
    plain = client.post(f"/admin/mail/mailbox/{box.pk}/change/", {**values, "imap_security": "plain"})
    assert plain.status_code == 200 and "only to this machine" in plain.content.decode()


def test_a_usual_port_follows_the_security_and_a_custom_one_stays(org, box):
    client = signed_in(org.adam)
    page = client.get(f"/settings/mail/{box.pk}/edit/").content.decode()
    assert 'name="imap_port" min="1" max="65535"' in page and 'value="993"' not in page  # shown empty: the usual one
    client.post(f"/settings/mail/{box.pk}/edit/", form(imap_security="starttls", imap_password=""))
    assert Mailbox.objects.get().imap_port == 143
    client.post(f"/settings/mail/{box.pk}/edit/", form(imap_security="ssl", imap_port="10993", imap_password=""))
    assert Mailbox.objects.get().imap_port == 10993
    assert 'value="10993"' in client.get(f"/settings/mail/{box.pk}/edit/").content.decode()
