"""A mailbox on a real Dovecot: mail becomes an appeal within seconds of arriving, the
client's acknowledgement reaches a real SMTP server, the server's copy is marked
processed only after it is safely stored, and mail that arrives while Okno is away
is picked up when it is back."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from okno.appeals.models import Appeal
from okno.channels.mail import listener
from okno.channels.mail.choices import MailboxState, ProcessedAction
from okno.channels.mail.models import InboundMail, Mailbox
from okno.channels.mail.testing import ImapAccount, SmtpServer, wait_for
from okno.channels.mail.tests.conftest import build_mail, mailbox_on
from okno.testing import Org

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_mailbox(org: Org, imap_account: ImapAccount, smtp_server: SmtpServer) -> Mailbox:
    return mailbox_on(org, imap_account, smtp_server)


@pytest.fixture
def listening(live_mailbox: Mailbox) -> Iterator[threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=listener.listen_to, args=(live_mailbox.pk, stop), daemon=True)
    thread.start()
    yield stop
    stop.set()
    thread.join(timeout=15)


def test_mail_arriving_becomes_an_appeal_and_the_client_is_acknowledged_in_seconds(
    live_mailbox: Mailbox, imap_account: ImapAccount, smtp_server: SmtpServer, listening: threading.Event
) -> None:
    wait_for(lambda: Mailbox.objects.get(pk=live_mailbox.pk).state == MailboxState.IDLE, timeout=10)
    uid = imap_account.append(build_mail(subject="Не работает приложение"))

    appeal = wait_for(lambda: Appeal.objects.filter(subject="Не работает приложение").first(), timeout=10)
    wait_for(lambda: smtp_server.received, timeout=10)
    assert appeal.number in smtp_server.received[0].subject
    wait_for(lambda: "\\Seen" in imap_account.flags(uid), timeout=10)
    row = InboundMail.objects.get(appeal=appeal)
    assert (row.mailbox_id, row.uid) == (live_mailbox.pk, uid)


def test_mail_that_arrived_while_okno_was_away_is_taken_when_it_is_back_and_moved(
    live_mailbox: Mailbox, imap_account: ImapAccount
) -> None:
    imap_account.create_folder("Processed")
    Mailbox.objects.filter(pk=live_mailbox.pk).update(
        processed_action=ProcessedAction.MOVE, processed_folder="Processed"
    )
    for n in range(3):
        imap_account.append(build_mail(subject=f"Письмо {n}", body=f"Текст письма {n}"))

    stop = threading.Event()
    thread = threading.Thread(target=listener.listen_to, args=(live_mailbox.pk, stop), daemon=True)
    thread.start()
    try:
        wait_for(lambda: Appeal.objects.count() == 3, timeout=15)
        wait_for(lambda: len(imap_account.folder_uids("Processed")) == 3 and not imap_account.uids(), timeout=10)
    finally:
        stop.set()
        thread.join(timeout=15)
    assert Mailbox.objects.get(pk=live_mailbox.pk).state == MailboxState.STOPPED


def test_a_wrong_password_shows_as_an_error_on_the_mailbox(
    org: Org, live_mailbox: Mailbox, imap_account: ImapAccount
) -> None:
    from okno.channels.mail.services.mailboxes import update_mailbox

    update_mailbox(org.adam, live_mailbox, {"imap_password": "wrong"})
    stop = threading.Event()
    thread = threading.Thread(target=listener.listen_to, args=(live_mailbox.pk, stop), daemon=True)
    thread.start()
    try:
        mailbox = wait_for(
            lambda: Mailbox.objects.filter(pk=live_mailbox.pk, state=MailboxState.ERROR).first(), timeout=10
        )
        assert mailbox.state_detail
    finally:
        stop.set()
        thread.join(timeout=15)
