"""Mail built the way clients' programs build it, and a mailbox to receive it."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest
from django.utils import timezone

from okno.channels.mail.models import AcknowledgementTemplate, InboundMail, Mailbox
from okno.channels.mail.services import intake, store
from okno.channels.mail.services.store import RawMail
from okno.testing import Org


def build_mail(
    *,
    sender: str = "Иван Петров <ivan@example.com>",
    to: str = "support@bank.test",
    subject: str = "Карта заблокирована",
    body: str = "Здравствуйте! Моя карта заблокирована, прошу разобраться.",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.localtime())
    mail["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


@pytest.fixture
def mailbox(org: Org) -> Mailbox:
    template = AcknowledgementTemplate.objects.create(
        name="Standard",
        subject_ru="Ваше обращение {{ number }} зарегистрировано",
        body_ru="Обращение {{ number }} «{{ subject }}» зарегистрировано. Ответим до {{ due_date }}.",
        subject_en="Your appeal {{ number }} is registered",
        body_en="Appeal {{ number }} ({{ subject }}) is registered. We will answer by {{ due_date }}.",
    )
    return Mailbox.objects.create(
        name="Support",
        address="support@bank.test",
        imap_host="127.0.0.1",
        imap_username="support",
        smtp_host="127.0.0.1",
        smtp_port=9,  # nothing listens: sending stays queued unless a test starts a server
        smtp_security="plain",
        queue=org.claims,
        acknowledgement_template=template,
    )


@pytest.fixture
def receive(mailbox: Mailbox, django_capture_on_commit_callbacks: Any) -> Callable[..., InboundMail]:
    """Receive one mail into the mailbox and run intake, as the listener does."""
    counter = {"uid": 0}

    def deliver(raw: bytes, *, into: Mailbox | None = None) -> InboundMail:
        counter["uid"] += 1
        with django_capture_on_commit_callbacks(execute=True):
            store.store(into or mailbox, [RawMail(raw, uid=counter["uid"])], uidvalidity=1)
            intake.process_pending()
        return InboundMail.objects.get(message_key=store.identify(raw).key)

    return deliver


def mailbox_on(org: Org, imap_account: Any, smtp_server: Any) -> Mailbox:
    """A mailbox reading the test Dovecot account and sending to the test SMTP
    server, made the way an administrator makes one (password encrypted)."""
    from okno.channels.mail.choices import Security
    from okno.channels.mail.services.mailboxes import create_mailbox

    template = AcknowledgementTemplate.objects.create(
        name="Standard",
        subject_ru="Обращение {{ number }} зарегистрировано",
        body_ru="Ваше обращение {{ number }} зарегистрировано.",
        subject_en="Appeal {{ number }} registered",
        body_en="Your appeal {{ number }} is registered.",
    )
    return create_mailbox(
        org.adam,
        name="Support",
        address="support@bank.test",
        imap_host=imap_account.host,
        imap_port=imap_account.server.imap_port,
        imap_security=Security.PLAIN,
        imap_username=imap_account.username,
        imap_password=imap_account.password,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security=Security.PLAIN,
        queue=org.claims,
        acknowledgement_template=template,
    )
