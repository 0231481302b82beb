"""Raw first: what makes two received mails the same mail, and storing them once."""

from __future__ import annotations

import pytest

from okno.channels.mail.models import InboundMail, Mailbox
from okno.channels.mail.services import store
from okno.channels.mail.services.store import RawMail

MAIL = (
    b"Received: from mx1.example.net by mail.bank.test; Mon, 23 Nov 2026 10:00:00 +0300\r\n"
    b"From: =?utf-8?b?0JjQstCw0L0=?= <Ivan.Petrov@Example.com>\r\n"
    b"To: support@bank.test\r\n"
    b"Subject: card blocked\r\n"
    b"Date: Mon, 23 Nov 2026 09:59:00 +0300\r\n"
    b"Message-ID: <abc-1@example.com>\r\n"
    b"\r\n"
    b"My card is blocked.\r\n"
)


def test_the_same_mail_through_another_server_or_file_is_the_same_mail() -> None:
    other_route = MAIL.replace(b"mx1.example.net by mail.bank.test", b"relay.example.org by mx2.bank.test")
    as_unix_file = MAIL.replace(b"\r\n", b"\n")
    key = store.identify(MAIL).key
    assert store.identify(other_route).key == key
    assert store.identify(as_unix_file).key == key


def test_a_different_mail_that_reuses_a_message_id_is_kept_apart() -> None:
    reused = MAIL.replace(b"My card is blocked.", b"Please close my account.")
    assert store.identify(reused).key != store.identify(MAIL).key


def test_identity_names_the_message_id_and_the_senders_address_in_lower_case() -> None:
    identity = store.identify(MAIL)
    assert identity.message_id == "abc-1@example.com"
    assert identity.sender == "ivan.petrov@example.com"


def test_a_mail_without_message_id_or_header_block_still_gets_a_key() -> None:
    assert len(store.identify(b"just some bytes without headers").key) == 64
    no_id = MAIL.replace(b"Message-ID: <abc-1@example.com>\r\n", b"")
    assert store.identify(no_id).message_id == ""
    assert store.identify(no_id).key != store.identify(MAIL).key


def _mailbox() -> Mailbox:
    return Mailbox.objects.create(
        name="Support", address="support@bank.test", imap_host="127.0.0.1", imap_username="support"
    )


@pytest.mark.django_db
def test_storing_keeps_raw_bytes_once_and_moves_the_mailbox_position() -> None:
    mailbox = _mailbox()
    second = MAIL.replace(b"abc-1", b"abc-2")
    assert store.store(mailbox, [RawMail(MAIL, uid=7), RawMail(second, uid=9)], uidvalidity=100).added == 2
    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_uid) == (100, 9)
    row = InboundMail.objects.get(uid=7)
    assert bytes(row.raw) == MAIL
    assert (row.state, row.sender, row.mail_id) == ("pending", "ivan.petrov@example.com", "abc-1@example.com")

    # Fetched again (a crash before the server was told), or imported from a file: nothing new.
    assert store.store(mailbox, [RawMail(MAIL, uid=7)], uidvalidity=100).added == 0
    assert store.store(None, [RawMail(MAIL, source="old.eml")]).added == 0
    assert InboundMail.objects.count() == 2


@pytest.mark.django_db
def test_a_new_uidvalidity_starts_the_position_over() -> None:
    mailbox = _mailbox()
    store.store(mailbox, [RawMail(MAIL, uid=500)], uidvalidity=100)
    store.store(mailbox, [RawMail(MAIL.replace(b"abc-1", b"abc-3"), uid=3)], uidvalidity=200)
    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_uid) == (200, 3)
