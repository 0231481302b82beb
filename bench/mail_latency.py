"""Mail latency: a mail arrives → appeal registered → acknowledgement accepted by SMTP.

    .venv/bin/python bench/mail_latency.py [N] [--interval 0.5]

Okno runs as it does in production on one machine: a ``manage.py worker
--scheduler`` process, whose mailbox listener holds an IMAP IDLE connection to a
private Dovecot on 127.0.0.1:10143 (the django-helpdesk harness's, started if it is
not running and stopped afterwards) and sends acknowledgements to an SMTP server
this script runs on loopback (aiosmtpd). N mails (default 50) are APPENDed one at a
time, ``--interval`` seconds apart; for each, the time from the APPEND's completion
to the appeal's registration and to the SMTP server accepting its acknowledgement.

Prints ``mail_latency n=<n> p50_s=<x> p95_s=<y>`` last (APPEND → acknowledgement accepted).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import imaplib
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from benchlib import BENCH_DIR, ROOT, machine, setup_django
from mail_intake import PASSWORD, PEER, PORT, USER, listening, prepare_okno


class Sink:
    """Remembers when each acknowledgement arrived, by the appeal number in its subject."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        now = time.time()
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)  # type: ignore[attr-defined]
        in_reply_to = str(message.get("In-Reply-To", "")).strip("<> ")
        with self.lock:
            self.arrived[in_reply_to] = now
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build(n: int) -> tuple[str, bytes]:
    mail = EmailMessage()
    message_id = make_msgid(domain="latency.example")
    mail["From"] = f"Клиент {n} <latency{n}@example.com>"
    mail["To"] = "support@example.test"
    mail["Subject"] = f"Не проходит платёж {n}"
    mail["Date"] = format_datetime(datetime.now().astimezone())
    mail["Message-ID"] = message_id
    mail.set_content(f"Здравствуйте! Платёж номер {n} не проходит уже второй день.")
    return message_id.strip("<>"), mail.as_bytes()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=50)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    started_dovecot = False
    if not listening(PORT):
        subprocess.run(["bash", str(PEER / "mail" / "setup-dovecot.sh")], check=True, stdout=subprocess.DEVNULL)
        started_dovecot = True
    try:
        return run(args.n, args.interval)
    finally:
        if started_dovecot:
            subprocess.run(["bash", str(PEER / "mail" / "stop-dovecot.sh")], check=False, stdout=subprocess.DEVNULL)


def empty_inbox() -> None:
    client = imaplib.IMAP4("127.0.0.1", PORT)
    client.login(USER, PASSWORD)
    _typ, data = client.select("INBOX")
    if data[0] != b"0":
        client.store("1:*", "+FLAGS", "(\\Deleted)")
        client.expunge()
    client.logout()


def run(n: int, interval: float) -> int:
    from aiosmtpd.controller import Controller

    name = "mail_latency.sqlite3"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (BENCH_DIR / f"{name}{suffix}").unlink(missing_ok=True)
    tasks_file = BENCH_DIR / "latency-tasks.sqlite3"
    tasks_file.unlink(missing_ok=True)
    setup_django(name)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from okno.appeals.models import Appeal, Message
    from okno.channels.mail.choices import MailboxState
    from okno.channels.mail.models import Mailbox

    empty_inbox()
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    mailbox = prepare_okno(smtp_port=smtp_port)
    print(machine())
    env = {**os.environ, "OKNO_TASKS_INLINE": "0", "OKNO_TASKS_FILE": str(tasks_file), "PYTHONUNBUFFERED": "1"}
    log = (BENCH_DIR / "latency-worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--scheduler"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.time() + 60
        while Mailbox.objects.get(pk=mailbox.pk).state != MailboxState.IDLE:
            if time.time() > deadline or worker.poll() is not None:
                print("the worker's listener did not connect; see", log.name, file=sys.stderr)
                return 1
            time.sleep(0.1)
        imap = imaplib.IMAP4("127.0.0.1", PORT)
        imap.login(USER, PASSWORD)
        appended: dict[str, float] = {}
        for i in range(n):
            message_id, raw = build(i)
            imap.append("INBOX", None, None, raw)
            appended[message_id] = time.time()
            time.sleep(interval)
        imap.logout()
        deadline = time.time() + 60
        while len(sink.arrived) < n and time.time() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        controller.stop()
    registered = dict(
        Message.objects.filter(direction="inbound", external_id__in=list(appended)).values_list(
            "external_id", "appeal__registered_at"
        )
    )
    to_appeal = [registered[m].timestamp() - appended[m] for m in appended if m in registered]
    to_ack = [sink.arrived[m] - appended[m] for m in appended if m in sink.arrived]
    print(
        f"check: appeals={Appeal.objects.count()} (want {n}) acknowledgements={len(to_ack)} "
        f"registered p50_s={statistics.median(to_appeal):.3f} p95_s={percentile(to_appeal, 0.95):.3f}"
    )
    if len(to_ack) < n:
        print(f"only {len(to_ack)} of {n} acknowledgements arrived", file=sys.stderr)
        return 1
    print(f"mail_latency n={n} p50_s={statistics.median(to_ack):.3f} p95_s={percentile(to_ack, 0.95):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
