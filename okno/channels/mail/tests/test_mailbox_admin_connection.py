""" "Test connection" against real servers (the test Dovecot and an aiosmtpd on
loopback): it works with the right settings, and otherwise says which step failed
and why; settings not saved yet can be tried, with the stored password kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from okno.channels.mail.models import Mailbox
from okno.channels.mail.services import mailboxes as services
from okno.channels.mail.testing import Dovecot, ImapAccount, SmtpServer, free_port
from okno.core.errors import InvalidInput


def connection(account: ImapAccount, smtp: SmtpServer | None, **overrides: Any) -> dict[str, Any]:
    """Plain IMAP and SMTP to the test servers on 127.0.0.1 (allowed: loopback)."""
    values: dict[str, Any] = {
        "imap_host": account.host,
        "imap_port": account.server.imap_port,
        "imap_security": "plain",
        "imap_username": account.username,
        "imap_password": account.password,
        "smtp_host": smtp.host if smtp else "",
        "smtp_port": smtp.port if smtp else None,
        "smtp_security": "plain",
        "smtp_username": smtp.username if smtp else "",
        "smtp_password": smtp.password if smtp else "",
    }
    values.update(overrides)
    return values


@pytest.fixture
def saved(org, imap_account: ImapAccount, smtp_server: SmtpServer) -> Mailbox:
    return services.create_mailbox(
        org.adam, name="Support", address="support@bank.test", **connection(imap_account, smtp_server)
    )


def test_a_saved_mailbox_connects_to_both_servers(org, saved: Mailbox, imap_account: ImapAccount):
    imap_account.append(b"Subject: one\r\n\r\nbody\r\n")
    result = services.test_connection(org.adam, saved)
    assert result.ok, (result.imap.error, result.smtp and result.smtp.error)
    assert result.imap.messages == 1 and result.imap.idle is True
    assert [s.step for s in result.imap.steps][-1] == "folder"
    assert result.smtp is not None and result.smtp.ok
    assert imap_account.flags(imap_account.uids()[0]) == set()  # nothing was touched


def test_a_wrong_password_is_reported_as_a_refused_login(org, saved: Mailbox):
    services.update_mailbox(org.adam, saved, {"imap_password": "wrong"})
    result = services.test_connection(org.adam, Mailbox.objects.get())
    assert not result.ok
    assert result.imap.error is not None and result.imap.error.step == "auth"
    assert result.smtp is not None and result.smtp.ok  # SMTP still checked, and fine


def test_unsaved_changes_are_tried_with_the_stored_password_and_nothing_is_saved(
    org, saved: Mailbox, imap_account: ImapAccount
):
    # The form posts the password fields empty: the stored password is used.
    result = services.test_connection(
        org.adam, {"imap_password": "", "imap_folder": "Nowhere", "smtp_password": ""}, base=saved
    )
    assert result.imap.error is not None and result.imap.error.step == "folder"
    assert "Nowhere" in result.imap.error.message
    imap_account.create_folder("Archive")
    moved = services.test_connection(org.adam, {"processed_action": "move", "processed_folder": "Archive"}, base=saved)
    assert moved.ok
    assert Mailbox.objects.get().imap_folder == "INBOX"


def test_a_new_mailbox_can_be_tried_before_it_has_a_name(org, imap_account: ImapAccount):
    result = services.test_connection(org.adam, connection(imap_account, None))
    assert result.ok and result.smtp is None
    assert not Mailbox.objects.exists()
    with pytest.raises(InvalidInput) as caught:
        services.test_connection(org.adam, connection(imap_account, None, imap_host="imap.example.com"))
    assert caught.value.field == "imap_security"


def test_an_untrusted_certificate_and_a_server_that_is_down_are_named(org, imap_account: ImapAccount):
    # STARTTLS, verified against the system's authorities: the test CA is not one of them.
    untrusted = services.test_connection(
        org.adam,
        connection(imap_account, None, imap_security="starttls", smtp_host="127.0.0.1", smtp_port=free_port()),
    )
    assert untrusted.imap.error is not None and untrusted.imap.error.step == "tls"
    assert "not trusted" in untrusted.imap.error.message
    assert untrusted.smtp is not None and untrusted.smtp.error is not None
    assert untrusted.smtp.error.step == "connect" and "refused" in untrusted.smtp.error.message

    # With verification switched off the same server works (and says it was not checked).
    unchecked = services.test_connection(
        org.adam, connection(imap_account, None, imap_security="starttls", verify_tls=False)
    )
    assert unchecked.ok
    assert any("NOT checked" in s.detail for s in unchecked.imap.steps)


def test_the_form_button_shows_each_step(org, saved: Mailbox, dovecot: Dovecot):
    client = Client()
    client.force_login(org.adam)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ok = client.post(f"/settings/mail/{saved.pk}/test/", headers={"HX-Request": "true"})
    assert ok.status_code == 200
    html = ok.content.decode()
    assert 'data-protocol="imap" data-ok="true"' in html and 'data-protocol="smtp" data-ok="true"' in html
    assert "Receiving (IMAP)" in html

    form = {
        "name": "Support",
        "address": "support@bank.test",
        "imap_host": "127.0.0.1",
        "imap_port": str(dovecot.imap_port),
        "imap_security": "plain",
        "imap_username": saved.imap_username,
        "imap_password": "wrong",
        "imap_folder": "INBOX",
        "processed_action": "seen",
        "smtp_security": "plain",
        "priority": "normal",
        "reopen_days": "30",
        "sender_limit_per_hour": "30",
    }
    failed = client.post(f"/settings/mail/{saved.pk}/test/", form, headers={"HX-Request": "true"})
    html = failed.content.decode()
    assert 'data-protocol="imap" data-ok="false"' in html and 'class="mail-check-error' in html
    assert "no SMTP server" in html  # the form left SMTP empty
    problem = client.post("/settings/mail/test/", {**form, "imap_port": "99999"}, headers={"HX-Request": "true"})
    assert "IMAP, Port" in problem.content.decode()
    assert Mailbox.objects.get().smtp_host == "127.0.0.1"  # nothing saved
