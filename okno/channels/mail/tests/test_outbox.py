"""Acknowledgements and replies leave by SMTP (a real server on loopback), threaded,
and are never lost while the server is down."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from okno.appeals.choices import DeliveryStatus, EventKind
from okno.appeals.services import reply
from okno.channels.mail.choices import OutboundKind, OutboundState
from okno.channels.mail.models import InboundMail, Mailbox, OutboundMail
from okno.channels.mail.services import outbox
from okno.channels.mail.testing import SmtpServer
from okno.channels.mail.tests.conftest import build_mail
from okno.testing import Org

pytestmark = pytest.mark.django_db

Receive = Callable[..., InboundMail]


@pytest.fixture
def sending(mailbox: Mailbox, smtp_server: SmtpServer) -> SmtpServer:
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_port=smtp_server.port)
    mailbox.refresh_from_db()
    return smtp_server


def test_the_acknowledgement_reaches_the_client_threaded_and_marked_automatic(
    sending: SmtpServer, receive: Receive
) -> None:
    mail = build_mail(message_id="<client-1@example.com>")
    appeal = receive(mail).appeal
    assert appeal is not None

    [got] = sending.received
    assert got.rcpt_tos == ["ivan@example.com"]
    assert got.message["In-Reply-To"] == "<client-1@example.com>"
    assert "<client-1@example.com>" in got.message["References"]
    assert f"[#{appeal.number}]" in got.subject
    assert got.message["Auto-Submitted"] == "auto-replied"
    assert appeal.number in got.body and "Карта заблокирована" in got.body
    ack = OutboundMail.objects.get()
    assert got.message["Message-ID"] == f"<{ack.mail_id}>"
    assert ack.state == OutboundState.SENT and ack.message.delivery_status == DeliveryStatus.SENT


def test_a_reply_leaves_with_the_threading_headers_and_the_attachment(
    org: Org, sending: SmtpServer, receive: Receive, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = receive(build_mail(message_id="<client-2@example.com>")).appeal
    assert appeal is not None
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(org.sergey, appeal, body_text="Карту разблокировали, проверьте, пожалуйста.")

    assert len(sending.received) == 2
    got = sending.received[-1]
    assert got.rcpt_tos == ["ivan@example.com"]
    assert got.message["In-Reply-To"] == "<client-2@example.com>"
    assert f"[#{appeal.number}]" in got.subject and got.subject.startswith("Re: ")
    assert "Карту разблокировали" in got.body
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert got.message["Message-ID"] == f"<{message.external_id}>"


def test_mail_waits_while_the_server_is_down_and_leaves_when_it_is_back(sending: SmtpServer, receive: Receive) -> None:
    sending.stop()
    receive(build_mail())
    ack = OutboundMail.objects.get()
    assert ack.state == OutboundState.QUEUED and ack.attempts == 1 and ack.last_error
    assert ack.next_attempt_at > timezone.now()

    sending.start()
    assert outbox.send_due() == 0  # not due yet: the retry waits its delay
    OutboundMail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert outbox.send_due() == 1
    ack.refresh_from_db()
    assert ack.state == OutboundState.SENT
    assert len(sending.received) == 1


def test_a_permanent_refusal_fails_the_mail_with_an_event_on_the_appeal(sending: SmtpServer, receive: Receive) -> None:
    sending.fail("550 5.1.1 Mailbox unavailable", at="RCPT")
    appeal = receive(build_mail()).appeal
    assert appeal is not None
    ack = OutboundMail.objects.get()
    assert ack.state == OutboundState.FAILED and "550" in ack.last_error
    assert ack.message.delivery_status == DeliveryStatus.FAILED
    assert appeal.events.filter(kind=EventKind.DELIVERY_FAILED).exists()


def test_a_mail_abandoned_mid_send_is_sent_again_with_the_same_message_id(
    sending: SmtpServer, receive: Receive
) -> None:
    sending.stop()
    receive(build_mail())
    # A worker took it and died before it could record the result.
    OutboundMail.objects.update(
        state=OutboundState.SENDING, next_attempt_at=timezone.now() - outbox.STALE_SENDING - timedelta(seconds=1)
    )
    sending.start()
    assert outbox.send_due() == 1
    ack = OutboundMail.objects.get()
    assert sending.received[0].message["Message-ID"] == f"<{ack.mail_id}>"
    assert ack.kind == OutboundKind.ACKNOWLEDGEMENT


def test_a_row_another_sender_took_back_meanwhile_is_not_taken_from_it(
    sending: SmtpServer, receive: Receive, monkeypatch: pytest.MonkeyPatch
) -> None:
    sending.stop()
    receive(build_mail())
    ack = OutboundMail.objects.get()
    OutboundMail.objects.update(state=OutboundState.SENDING, claimed_by="vm:1:dead", next_attempt_at=timezone.now())

    def dead_but_taken_meanwhile(owner: str) -> bool:
        # Between this sender reading the stuck rows and putting them back, another
        # sender recovered the row and claimed it for itself.
        OutboundMail.objects.filter(pk=ack.pk).update(claimed_by="vm:2:alive")
        return False

    monkeypatch.setattr(outbox, "_alive", dead_but_taken_meanwhile)
    assert outbox.recover_abandoned() == 0
    ack.refresh_from_db()
    assert (ack.state, ack.claimed_by) == (OutboundState.SENDING, "vm:2:alive")
