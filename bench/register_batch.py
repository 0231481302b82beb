"""Batch registration benchmark: new client + appeal with an inbound message, in-process.

    .venv/bin/python bench/register_batch.py 5000
    DATABASE_URL=postgres://okno:okno@127.0.0.1:5447/okno_batch .venv/bin/python bench/register_batch.py 5000

What mail intake does for each mail from a new sender, without the mail: find or
create the client by e-mail address, then register an appeal carrying the mail's
text as its first inbound message (with its deadlines, events, search entry and
live update). Batch mode does it for 100 mails at a time, ``find_or_create_by_contacts``
then ``register_appeals`` in one transaction; single mode calls
``find_or_create_by_contact`` and ``register_appeal`` for each mail, 100 per
transaction (as the intake did before). Both modes get the same kind of mail:
every sender is new, every mail has its own time of sending (so its own deadlines).

The database is created afresh each run (SQLite /tmp/okno-bench/register-batch.sqlite3
unless DATABASE_URL is set; a PostgreSQL database is created if missing, and its
appeals, clients and their rows are deleted first): migrations, the policy presets
with the SLA example switched on for mail (two clocks per appeal: first response in
4 working hours, answer in 3 working days), one queue. One untimed batch warms the
per-process caches. Afterwards the numbers must run without gaps, and every appeal
must have its message, clocks, search entry and a client of its own.

The last line is the figure: ``register_batch N=<n> per_sec=<x> single_per_sec=<y>``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from benchlib import BENCH_DIR, machine, setup_django

BATCH = 100
SUBJECTS = [
    "Не могу войти в личный кабинет",
    "Списали комиссию за обслуживание карты",
    "Wrong amount on the invoice",
    "Кондиционер не охлаждает, прошу ремонт",
    "Cannot log in to the client portal",
]
BODY = (
    "Здравствуйте!\n\nСегодня утром попробовал ещё раз — ошибка осталась. Номер договора {n}, "
    "последний платёж прошёл 12 числа, но в приложении его не видно. Прошу разобраться и "
    "ответить на эту почту.\n\nС уважением,\nИван Петров {n}\n"
)


def prepare() -> Any:
    """Fresh tables, presets, the SLA example on for mail; returns the queue."""
    from django.core.management import call_command
    from django.db import transaction

    from okno.deadlines.models import DeadlinePolicy
    from okno.deadlines.presets import load_presets
    from okno.deadlines.services import policies
    from okno.queues.models import Queue

    call_command("migrate", interactive=False, verbosity=0)
    wipe()
    with transaction.atomic():
        load_presets()
        DeadlinePolicy.objects.update(is_active=False)
        DeadlinePolicy.objects.filter(code="sla-example").update(is_active=True, channels=["mail"])
        queue, _ = Queue.objects.get_or_create(
            code="mail-bench", defaults={"name": "Почта", "name_en": "Mail", "answer_term_days": 10}
        )
        policies.forget()
    return queue


def wipe() -> None:
    """PostgreSQL keeps its database between runs: empty what the bench writes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE deadlines_clockalarm, deadlines_appealclock, appeals_appealsearch, appeals_event, "
            "appeals_attachment, appeals_message, appeals_appeal_tags, appeals_appeallink, appeals_appeal, "
            "appeals_appealcounter, clients_contact, clients_client, live_livemessage CASCADE"
        )


Mail = tuple[str, str, str, str, str, datetime]


def mails(start: int, n: int, run: str) -> list[Mail]:
    """``(address, name, subject, body, Message-ID, sent)`` of n mails from new
    senders, each sent a little earlier (its own deadline computation)."""
    from django.utils import timezone

    now = timezone.now()
    return [
        (
            f"sender{i}.{run}@example.ru",
            f"Иван Петров {i}",
            f"{SUBJECTS[i % len(SUBJECTS)]} ({i})",
            BODY.format(n=i),
            f"<{run}.{i}@mail.example.ru>",
            now - timedelta(seconds=30 + i * 37 % 7200),
        )
        for i in range(start, start + n)
    ]


def run_batches(items: list[Mail], queue: Any) -> tuple[float, float]:
    from django.db import transaction

    from okno.appeals.services import SystemActor
    from okno.appeals.services.registration import InboundContent, Registration, register_appeals
    from okno.clients.services import find_or_create_by_contacts

    actor = SystemActor("mail")
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        with transaction.atomic():
            clients = find_or_create_by_contacts("email", [(address, name) for address, name, *_rest in chunk])
            register_appeals(
                actor,
                [
                    Registration(
                        subject=subject,
                        channel="mail",
                        queue=queue,
                        client=client,
                        created_at=sent,
                        content=InboundContent(body_text=body, external_id=message_id),
                    )
                    for client, (_address, _name, subject, body, message_id, sent) in zip(clients, chunk, strict=True)
                ],
            )
    return time.perf_counter() - started, time.process_time() - cpu


def run_single(items: list[Mail], queue: Any) -> tuple[float, float]:
    from django.db import transaction

    from okno.appeals.services import SystemActor
    from okno.appeals.services.registration import InboundContent, register_appeal
    from okno.clients.services import find_or_create_by_contact

    actor = SystemActor("mail")
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(items), BATCH):
        with transaction.atomic():
            for address, name, subject, body, message_id, sent in items[start : start + BATCH]:
                client = find_or_create_by_contact("email", address, name=name)
                register_appeal(
                    actor,
                    subject=subject,
                    channel="mail",
                    queue=queue,
                    client=client,
                    created_at=sent,
                    content=InboundContent(body_text=body, external_id=message_id),
                )
    return time.perf_counter() - started, time.process_time() - cpu


def verify(expected: int) -> None:
    from django.db.models import Count

    from okno.appeals.models import Appeal, AppealSearch, Message
    from okno.clients.models import Client
    from okno.deadlines.models import AppealClock

    seqs = sorted(Appeal.objects.values_list("seq", flat=True))
    problems = []
    if seqs != list(range(1, expected + 1)):
        problems.append(f"numbers: {len(seqs)} appeals, not 1…{expected} without gaps")
    if Message.objects.count() != expected or AppealSearch.objects.count() != expected:
        problems.append("not one message and one search entry per appeal")
    if AppealClock.objects.values("appeal").distinct().count() != expected:
        problems.append("an appeal without clocks")
    if Appeal.objects.filter(due_at__isnull=True).exists():
        problems.append("an appeal without its deadline")
    if Client.objects.count() != expected or Appeal.objects.values("client").annotate(n=Count("id")).filter(n__gt=1):
        problems.append("not one new client per appeal")
    if problems:
        sys.exit("check failed: " + "; ".join(problems))
    print(f"check: {expected} appeals numbered 1…{expected}, each with its client, message, clocks, search entry")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="appeals registered in batches")
    parser.add_argument("--single", type=int, default=None, help="appeals registered one by one (default: N/4)")
    args = parser.parse_args()
    n = max(BATCH, args.n // BATCH * BATCH)
    single = max(BATCH, (args.single if args.single is not None else n // 4) // BATCH * BATCH)

    if "DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            (BENCH_DIR / f"register-batch.sqlite3{suffix}").unlink(missing_ok=True)
    setup_django("register-batch.sqlite3")
    queue = prepare()
    print(machine())
    run = str(int(time.time()))

    run_batches(mails(0, BATCH, run), queue)  # warm-up
    run_single(mails(BATCH, BATCH, run), queue)
    batch_seconds, batch_cpu = run_batches(mails(2 * BATCH, n, run), queue)
    single_seconds, single_cpu = run_single(mails(2 * BATCH + n, single, run), queue)
    verify(2 * BATCH + n + single)
    # CPU time too: on a shared machine the wall clock also counts other processes.
    print(
        f"batch: {n} in {batch_seconds:.2f} s ({batch_cpu / n * 1000:.2f} ms CPU each); "
        f"one by one: {single} in {single_seconds:.2f} s ({single_cpu / single * 1000:.2f} ms CPU each)"
    )
    print(f"register_batch N={n} per_sec={n / batch_seconds:.0f} single_per_sec={single / single_seconds:.0f}")


if __name__ == "__main__":
    main()
