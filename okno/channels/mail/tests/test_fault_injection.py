"""Crash safety: 500 mails arrive while the worker that reads and registers them is
killed with SIGKILL at random moments and started again. At the end there are
exactly 500 appeals and each client got exactly one acknowledgement.

The worker is a real ``manage.py worker --scheduler`` process (listener, intake,
outbox) on the test database, reading a real Dovecot and sending to a real SMTP
server in this process."""

from __future__ import annotations

import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from okno.appeals.models import Appeal
from okno.background.tests.conftest import Worker, huey_file, start_worker  # noqa: F401 - fixtures
from okno.channels.mail.choices import InboundState, OutboundKind, OutboundState
from okno.channels.mail.models import InboundMail, OutboundMail
from okno.channels.mail.testing import ImapAccount, SmtpServer, wait_for
from okno.channels.mail.tests.conftest import build_mail, mailbox_on
from okno.testing import Org

MAILS = 500
KILLS = 6


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_at_random_moments_loses_and_doubles_nothing(
    org: Org,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    huey_file: Path,  # noqa: F811
    start_worker: Callable[..., Worker],  # noqa: F811
) -> None:
    mailbox_on(org, imap_account, smtp_server)
    mails = [
        build_mail(
            sender=f"Клиент {n} <client{n}@example.com>",
            subject=f"Обращение клиента {n}",
            body=f"Текст обращения номер {n}.",
            message_id=f"<fault-{n}@example.com>",
        )
        for n in range(MAILS)
    ]

    def deliver() -> None:
        for start in range(0, MAILS, 25):
            for raw in mails[start : start + 25]:
                imap_account.append(raw)
            time.sleep(0.05)

    delivering = threading.Thread(target=deliver, daemon=True)
    delivering.start()
    env = {"SECRET_KEY": settings.SECRET_KEY, "LOG_LEVEL": "ERROR"}
    rng = random.Random(20261124)
    for _ in range(KILLS):
        worker = start_worker("--scheduler", sqlite_path=str(huey_file), env=env)
        time.sleep(rng.uniform(0.3, 1.5))
        worker.stop(signal.SIGKILL)
    delivering.join(timeout=120)

    worker = start_worker("--scheduler", sqlite_path=str(huey_file), env=env)

    def state() -> str:
        states = Counter(InboundMail.objects.values_list("state", flat=True))
        return (
            f"appeals={Appeal.objects.count()} inbound={dict(states)} unseen={len(imap_account.unseen())} "
            f"outbound={dict(Counter(OutboundMail.objects.values_list('state', flat=True)))}\n{worker.output[-3000:]}"
        )

    try:
        try:
            wait_for(lambda: Appeal.objects.count() >= MAILS and not imap_account.unseen(), timeout=180)
        except AssertionError:
            raise AssertionError(state()) from None
        wait_for(
            lambda: (
                not OutboundMail.objects.exclude(state=OutboundState.SENT).exists()
                and OutboundMail.objects.count() >= MAILS
            ),
            timeout=120,
        )
    finally:
        worker.stop(signal.SIGTERM)

    assert Appeal.objects.count() == MAILS
    assert InboundMail.objects.count() == MAILS
    assert not InboundMail.objects.exclude(state=InboundState.DONE).exists()
    assert sorted(Appeal.objects.values_list("subject", flat=True)) == sorted(
        f"Обращение клиента {n}" for n in range(MAILS)
    )
    acks = OutboundMail.objects.filter(kind=OutboundKind.ACKNOWLEDGEMENT)
    assert acks.count() == MAILS
    assert set(Counter(acks.values_list("message__appeal_id", flat=True)).values()) == {1}
    # Each client received one acknowledgement. A kill between the server's "250 OK"
    # and our record of it makes the outbox send that mail again — with the same
    # Message-ID, so the client's program shows it once; count distinct mails.
    received = Counter((r.rcpt_tos[0], r.message["Message-ID"]) for r in smtp_server.received)
    per_client = Counter(client for client, _id in received)
    assert len(per_client) == MAILS and set(per_client.values()) == {1}
    assert len(smtp_server.received) - len(received) <= KILLS
