"""Received mail becomes an appeal, a message on one, a bounce record, or nothing —
once, whatever happens, and never lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from okno.appeals.choices import Channel, DeliveryStatus, Direction, EventKind, Status
from okno.appeals.models import Appeal, AppealLink, Message
from okno.appeals.services import close, reply
from okno.channels.mail.choices import InboundOutcome, InboundState, OutboundKind, OutboundState
from okno.channels.mail.models import InboundMail, Mailbox, OutboundMail
from okno.channels.mail.services import intake
from okno.channels.mail.tests.conftest import build_mail
from okno.clients.models import Client
from okno.testing import Org

pytestmark = pytest.mark.django_db

Receive = Callable[..., InboundMail]


def test_a_new_mail_registers_an_appeal_for_its_sender_and_queues_one_acknowledgement(
    org: Org, mailbox: Mailbox, receive: Receive
) -> None:
    row = receive(build_mail(attachments=[("выписка.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")]))

    assert (row.state, row.outcome) == (InboundState.DONE, InboundOutcome.APPEAL)
    appeal = row.appeal
    assert appeal is not None
    assert (appeal.subject, appeal.channel, appeal.queue) == ("Карта заблокирована", Channel.MAIL, org.claims)
    assert appeal.client is not None and appeal.client.name == "Иван Петров"
    first = appeal.messages.get(direction=Direction.INBOUND)
    assert "карта заблокирована" in first.body_text
    assert [a.filename for a in first.attachments.all()] == ["выписка.pdf"]

    [ack] = OutboundMail.objects.filter(message__appeal=appeal)
    assert ack.kind == OutboundKind.ACKNOWLEDGEMENT
    assert ack.recipients == ["ivan@example.com"]
    assert f"[#{appeal.number}]" in ack.subject and appeal.number in ack.message.body_text
    assert ack.in_reply_to == first.external_id
    assert appeal.events.filter(kind=EventKind.ACKNOWLEDGED).count() == 1


def test_processing_the_same_rows_again_changes_nothing(mailbox: Mailbox, receive: Receive) -> None:
    row = receive(build_mail())
    assert intake.process_batch([row.pk]) == []
    assert Appeal.objects.count() == 1
    assert OutboundMail.objects.count() == 1


def test_a_reply_to_our_acknowledgement_lands_on_the_appeal_and_reopens_it_if_answered(
    org: Org, mailbox: Mailbox, receive: Receive
) -> None:
    appeal = receive(build_mail()).appeal
    assert appeal is not None
    reply(org.sergey, appeal, body_text="Карта разблокирована.")
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    ack = OutboundMail.objects.get(kind=OutboundKind.ACKNOWLEDGEMENT)

    answer = build_mail(
        subject=f"Re: {ack.subject}",
        body="Спасибо, но снова не работает.\n\n> Карта разблокирована.",
        headers={"In-Reply-To": f"<{ack.mail_id}>", "References": f"<{ack.mail_id}>"},
    )
    row = receive(answer)

    assert (row.outcome, row.appeal_id) == (InboundOutcome.THREADED, appeal.pk)
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_WORK
    message = Message.objects.get(pk=row.message_id)
    assert message.body_text.startswith("Спасибо, но снова не работает.")
    assert "Карта разблокирована" not in message.body_text
    assert "Карта разблокирована" in message.quoted_text
    assert Appeal.objects.count() == 1
    assert OutboundMail.objects.filter(kind=OutboundKind.ACKNOWLEDGEMENT).count() == 1  # no second acknowledgement


def test_the_number_in_the_subject_threads_only_mail_from_the_appeals_client(
    mailbox: Mailbox, receive: Receive
) -> None:
    appeal = receive(build_mail()).appeal
    assert appeal is not None
    same_client = receive(build_mail(subject=f"Дополнение [#{appeal.number}]", body="Номер карты 1234."))
    stranger = receive(
        build_mail(sender="someone@else.example", subject=f"[#{appeal.number}] посмотрите", body="Чужое.")
    )

    assert (same_client.outcome, same_client.appeal_id) == (InboundOutcome.THREADED, appeal.pk)
    assert stranger.outcome == InboundOutcome.APPEAL and stranger.appeal_id != appeal.pk


def test_a_reply_long_after_closing_opens_a_new_appeal_linked_to_the_old(
    org: Org, mailbox: Mailbox, receive: Receive
) -> None:
    appeal = receive(build_mail()).appeal
    assert appeal is not None
    close(org.sergey, appeal, "satisfied")
    Appeal.objects.filter(pk=appeal.pk).update(closed_at=timezone.now() - timedelta(days=mailbox.reopen_days + 1))
    first = appeal.messages.get(direction=Direction.INBOUND)

    row = receive(build_mail(body="Опять то же самое.", headers={"In-Reply-To": f"<{first.external_id}>"}))

    assert row.outcome == InboundOutcome.APPEAL and row.appeal_id != appeal.pk
    assert AppealLink.objects.filter(source_id=row.appeal_id, target=appeal).exists()
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED


def test_auto_replies_neither_open_appeals_nor_get_answered(mailbox: Mailbox, receive: Receive) -> None:
    row = receive(build_mail(subject="Автоответ: нет на месте", headers={"Auto-Submitted": "auto-replied"}))
    assert (row.outcome, row.appeal_id) == (InboundOutcome.AUTO_REPLY, None)
    assert Appeal.objects.count() == 0 and OutboundMail.objects.count() == 0


def test_mail_from_our_own_mailbox_is_not_registered(mailbox: Mailbox, receive: Receive) -> None:
    row = receive(build_mail(sender="Support <SUPPORT@bank.test>"))
    assert row.outcome == InboundOutcome.OWN
    assert Appeal.objects.count() == 0


def test_a_sender_over_the_hourly_limit_is_held_in_quarantine(mailbox: Mailbox, receive: Receive) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(sender_limit_per_hour=2)
    rows = [receive(build_mail(subject=f"Письмо {n}", body=f"Текст {n}")) for n in range(3)]
    assert [r.outcome for r in rows] == [InboundOutcome.APPEAL, InboundOutcome.APPEAL, InboundOutcome.QUARANTINED]
    assert "ivan@example.com" in rows[2].reason
    assert bytes(rows[2].raw).startswith(b"From:") or b"Message-ID" in bytes(rows[2].raw)


def test_a_bounce_marks_our_mail_undelivered_on_its_appeal(mailbox: Mailbox, receive: Receive) -> None:
    appeal = receive(build_mail()).appeal
    ack = OutboundMail.objects.get()
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: support@bank.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; ivan@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{ack.mail_id}>\r\nSubject: {ack.subject}\r\n"
        "--B--\r\n"
    ).encode()
    row = receive(bounce)

    assert (row.outcome, row.appeal_id) == (InboundOutcome.BOUNCE, appeal.pk if appeal else None)
    ack.refresh_from_db()
    assert ack.state == OutboundState.UNDELIVERED and ack.bounce_id == row.pk
    assert ack.message.delivery_status == DeliveryStatus.BOUNCED
    failed = Appeal.objects.get(pk=ack.message.appeal_id).events.get(kind=EventKind.DELIVERY_FAILED)
    assert "User unknown" in failed.comment
    assert Appeal.objects.count() == 1


def test_unparseable_mail_is_quarantined_with_its_bytes_and_can_be_made_an_appeal(
    org: Org, mailbox: Mailbox, receive: Receive
) -> None:
    garbage = bytes(range(256)) * 4
    row = receive(garbage)
    assert row.state == InboundState.QUARANTINED and "cannot be parsed" in row.reason
    assert bytes(row.raw) == garbage
    appeal = intake.register_by_hand(org.adam, row)
    row.refresh_from_db()
    assert (row.state, row.appeal_id) == (InboundState.DONE, appeal.pk)


def test_quarantined_mail_can_be_sent_through_intake_again_by_an_administrator(
    org: Org, mailbox: Mailbox, receive: Receive, django_capture_on_commit_callbacks: Any
) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(sender_limit_per_hour=1)
    receive(build_mail(subject="Первое", body="1"))
    held = receive(build_mail(subject="Второе", body="2"))
    assert held.state == InboundState.QUARANTINED
    Mailbox.objects.filter(pk=mailbox.pk).update(sender_limit_per_hour=100)

    with pytest.raises(Exception, match="administrators"):
        intake.reprocess(org.anna, held)
    with django_capture_on_commit_callbacks(execute=True):
        again = intake.reprocess(org.adam, held)
    assert (again.state, again.outcome) == (InboundState.DONE, InboundOutcome.APPEAL)
    assert Client.objects.filter(contacts__normalized="ivan@example.com").count() == 1


def test_the_timeline_shows_the_new_words_and_keeps_the_quoted_ones_behind_a_toggle(
    org: Org, mailbox: Mailbox, receive: Receive, client: Any
) -> None:
    appeal = receive(build_mail()).appeal
    assert appeal is not None
    first = appeal.messages.get(direction=Direction.INBOUND)
    receive(
        build_mail(
            body="Добавлю: карта Мир.\n\nВ письме от 23 ноября Иван Петров пишет:\n> Моя карта заблокирована.",
            headers={"In-Reply-To": f"<{first.external_id}>"},
        )
    )
    client.force_login(org.sergey)
    page = client.get(reverse("appeals:detail", args=[appeal.number]), headers={"Accept-Language": "en"})
    html = page.content.decode()
    assert "Добавлю: карта Мир." in html
    assert 'data-bs-target="#quoted-' in html
    quoted = html[html.index('class="collapse okno-quoted') :]
    assert "Моя карта заблокирована." in quoted


def test_an_answer_written_below_the_quote_loses_nothing_on_the_timeline(mailbox: Mailbox, receive: Receive) -> None:
    appeal = receive(build_mail()).appeal
    assert appeal is not None
    first = appeal.messages.get(direction=Direction.INBOUND)
    row = receive(
        build_mail(
            body="Иван Петров пишет:\n> Моя карта заблокирована.\n> Прошу разобраться.\n\nСпасибо, карта снова работает.",
            headers={"In-Reply-To": f"<{first.external_id}>"},
        )
    )
    message = Message.objects.get(pk=row.message_id)
    assert "Спасибо, карта снова работает." in message.body_text
    shown = f"{message.body_text}\n{message.quoted_text}"
    assert "Моя карта заблокирована." in shown and "Прошу разобраться." in shown
