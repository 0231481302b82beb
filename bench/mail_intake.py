"""Mail intake: N realistic mails in a Dovecot mailbox → appeals, clients, acknowledgements queued.

    .venv/bin/python bench/mail_intake.py N [--seed 42]

The same mailbox and the same seeded mix of mails the django-helpdesk harness
(/work/shared/bench-peer) measures: ``mail/load-mailbox.py N`` fills the INBOX of a
private Dovecot on 127.0.0.1:10143 (started with the harness's script if it is not
running, and stopped again afterwards). Okno gets a fresh SQLite database with one
mailbox on that INBOX. The timed part is Okno, already running, reading the mailbox
once (what its listener does when mail arrives): IMAP fetch, raw mail stored,
marked read on the server, parsed, client found or created, appeal registered with
its deadlines, the acknowledgement queued. ``--cold`` times instead a fresh
``manage.py mail fetch`` process, like the peer's ``manage.py get_email``
(interpreter and Django start-up, about 1.5 s here, included). Then every mail is checked: N appeals, nothing left in the
INBOX, N acknowledgements queued, and no text garbled (U+FFFD in a subject, a body
or a client's name).

Prints ``mail_intake N=<n> seconds=<s> per_sec=<x> garbled=<g>`` last.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchlib import BENCH_DIR, ROOT, machine, setup_django

PEER = Path(os.environ.get("OKNO_BENCH_PEER", ROOT.parent / "shared" / "bench-peer"))
PORT = int(os.environ.get("BENCH_IMAP_PORT", "10143"))
USER = os.environ.get("BENCH_IMAP_USER", "helpdesk")
PASSWORD = os.environ.get("BENCH_IMAP_PASS", "helpdesk")


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--cold", action="store_true", help="time a fresh `manage.py mail fetch` process, start-up included"
    )
    args = parser.parse_args()

    started_dovecot = False
    if not listening(PORT):
        subprocess.run(["bash", str(PEER / "mail" / "setup-dovecot.sh")], check=True, stdout=subprocess.DEVNULL)
        started_dovecot = True
    try:
        return run(args.n, args.seed, cold=args.cold)
    finally:
        if started_dovecot:
            subprocess.run(["bash", str(PEER / "mail" / "stop-dovecot.sh")], check=False, stdout=subprocess.DEVNULL)


def prepare_okno(*, smtp_port: int) -> object:
    """Okno's side of the benchmarks (Django set up): presets, the acknowledgement
    template, a queue, and the one mailbox on the Dovecot INBOX. Returns the mailbox."""
    from okno.channels.mail.choices import Security
    from okno.channels.mail.models import Mailbox
    from okno.channels.mail.services.mailboxes import load_default_template
    from okno.core import secrets
    from okno.deadlines.presets import load_presets
    from okno.queues.models import Queue

    load_presets()
    load_default_template()
    queue, _created = Queue.objects.get_or_create(code="support", defaults={"name": "Поддержка", "name_en": "Support"})
    Mailbox.objects.all().delete()
    return Mailbox.objects.create(
        name="Support",
        address="support@example.test",
        imap_host="127.0.0.1",
        imap_port=PORT,
        imap_security=Security.PLAIN,
        imap_username=USER,
        imap_password=secrets.encrypt(PASSWORD),
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security=Security.PLAIN,
        queue=queue,
    )


def run(n: int, seed: int, *, cold: bool = False) -> int:
    name = "mail_intake.sqlite3"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            (BENCH_DIR / f"{name}{suffix}").unlink(missing_ok=True)
    (BENCH_DIR / "tasks.sqlite3").unlink(missing_ok=True)
    setup_django(name)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from okno.appeals.models import Appeal, Message
    from okno.channels.mail.choices import InboundState
    from okno.channels.mail.models import InboundMail, Mailbox, OutboundMail

    prepare_okno(smtp_port=9)  # acknowledgements are queued, not sent, within the timing
    loaded = subprocess.run(
        [sys.executable, str(PEER / "mail" / "load-mailbox.py"), str(n), "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_IMAP_PORT": str(PORT), "BENCH_IMAP_USER": USER, "BENCH_IMAP_PASS": PASSWORD},
    )
    print(loaded.stdout.strip())
    print(machine())
    subprocess.run(["sync"], check=False)

    if cold:
        env = {**os.environ, "OKNO_TASKS_INLINE": "0", "PYTHONUNBUFFERED": "1"}
        t0 = time.perf_counter()
        fetched = subprocess.run(
            [sys.executable, "manage.py", "mail", "fetch", "Support"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - t0
        if fetched.returncode != 0:
            print(fetched.stdout, fetched.stderr, file=sys.stderr)
            return 1
        print(fetched.stdout.strip())
    else:
        from okno.channels.mail import listener
        from okno.deadlines.calendar import get_calendar

        get_calendar()  # compiled once per process: a running Okno did it at its first mail
        t0 = time.perf_counter()
        listener.fetch_once(Mailbox.objects.get(name="Support"))
        seconds = time.perf_counter() - t0

    appeals = Appeal.objects.count()
    pending = InboundMail.objects.exclude(state=InboundState.DONE).count()
    acks = OutboundMail.objects.count()
    garbled = (
        Appeal.objects.filter(subject__contains="\ufffd").count()
        + Message.objects.filter(direction="inbound", body_text__contains="\ufffd").count()
        + Appeal.objects.filter(client__name__contains="\ufffd").count()
    )
    cyrillic = Appeal.objects.filter(subject__regex="[А-Яа-яЁё]").count()
    print(
        f"check: appeals={appeals} (want {n}) not_done={pending} acknowledgements_queued={acks} cyrillic_subjects={cyrillic}"
    )
    print(f"mail_intake N={n} seconds={seconds:.2f} per_sec={n / seconds:.1f} garbled={garbled}")
    return 0 if appeals == n and pending == 0 and acks == n else 1


if __name__ == "__main__":
    sys.exit(main())
