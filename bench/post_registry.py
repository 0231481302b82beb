"""Post registry benchmark: N paper letters waiting, forming the registry of them all
(lists of form 103, at most 35 letters each, tracking numbers assigned) with its
PDF and workbook.

    .venv/bin/python bench/post_registry.py 1000                               # SQLite
    scripts/pg-local.sh start /tmp/okno-bench-pg 5447
    DATABASE_URL=postgres://okno:okno@127.0.0.1:5447/okno_post .venv/bin/python bench/post_registry.py 1000

Uses a database of its own: /tmp/okno-bench/post-registry-<N>.sqlite3, or the
PostgreSQL database in DATABASE_URL (created if missing; empty, or holding this
bench's N letters from an earlier run, which are reused).

**The data**, made through the real services: N/2 clients with Russian postal
addresses, N appeals registered in batches of 100 (``register_appeals``) in one
queue, and a paper reply on each (``reply_by_post``, as an agent on the appeal page),
so every letter waits "to print" with its address, weight and postage.

**The figure**: ``form_registry`` over all waiting letters (as a dispatcher) plus
``registry_pdf`` and ``registry_xlsx`` of the result, in-process, inside a
transaction that is then rolled back, so each of the three runs starts from the
same N waiting letters; the median counts. The parts of the last run are printed.

The last line is ``post_registry N=<n> seconds=<s>``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from benchlib import machine, setup_django

RUNS = 3
STREETS = ["ул. Ленина", "ул. Мира", "пр. Победы", "ул. Гагарина", "ул. Садовая", "ул. Советская", "пер. Школьный"]
CITIES = [
    ("620014", "Свердловская обл., г. Екатеринбург"),
    ("630099", "Новосибирская обл., г. Новосибирск"),
    ("420111", "Республика Татарстан, г. Казань"),
    ("344002", "Ростовская обл., г. Ростов-на-Дону"),
    ("190000", "г. Санкт-Петербург"),
    ("603005", "Нижегородская обл., г. Нижний Новгород"),
]
NAMES = ["Иванов", "Петрова", "Смирнов", "Кузнецова", "Попов", "Васильева", "Соколов", "Михайлова"]


def fill(n: int) -> None:
    from django.db import transaction

    from okno.accounts.choices import Role
    from okno.accounts.models import User
    from okno.appeals.choices import Channel
    from okno.appeals.models import Kind
    from okno.appeals.services import register_appeals
    from okno.appeals.services.registration import Registration
    from okno.channels.post.models import PaperLetter
    from okno.channels.post.services.letters import Address, reply_by_post
    from okno.channels.post.services.settings import update_settings
    from okno.clients.services import create_client
    from okno.queues.models import Membership, Queue

    have = PaperLetter.objects.count()
    if have == n:
        return
    if have:
        sys.exit(f"the database holds {have} letters, not {n}: use an empty one")
    rng = random.Random(1)
    started = time.monotonic()
    queue = Queue.objects.create(code="bench-post", name="Ответы почтой", name_en="Replies by post")
    admin = User.objects.create_user(username="bench-admin", password="x", role=Role.ADMIN)
    agent = User.objects.create_user(username="bench-agent", password="x", role=Role.AGENT)
    User.objects.create_user(username="bench-dispatcher", password="x", role=Role.DISPATCHER)
    Membership.objects.create(queue=queue, user=agent)
    update_settings(
        admin,
        {
            "org_name": "АО «Банк Окно»",
            "org_address": "125009, г. Москва, ул. Тверская, д. 1",
            "org_requisites": "ИНН 7700000000, ОГРН 1027700000000",
            "office_postcode": "125009",
            "office_name": "ОПС Москва 125009",
            "default_postage": "67.20",
        },
    )
    kind = Kind.objects.get_or_create(code="complaint", defaults={"name": "Жалоба", "name_en": "Complaint"})[0]
    clients = []
    addresses = {}
    for i in range(max(1, n // 2)):
        postcode, city = rng.choice(CITIES)
        street = f"{rng.choice(STREETS)}, д. {rng.randint(1, 120)}, кв. {rng.randint(1, 300)}"
        name = f"{rng.choice(NAMES)} {chr(0x410 + i % 32)}. {chr(0x410 + (i // 32) % 32)}."
        client = create_client(None, name=name, postal_address=f"{postcode}, {city}, {street}")
        clients.append(client)
        addresses[client.pk] = Address(addressee=name, address=street, postcode=postcode, locality=city)
    appeals = []
    for start in range(0, n, 100):
        with transaction.atomic():
            appeals += register_appeals(
                agent,
                [
                    Registration(
                        subject="Несогласие с начислением комиссии",
                        channel=Channel.PAPER,
                        description="Прошу вернуть комиссию за обслуживание карты.",
                        kind=kind,
                        client=clients[(start + k) % len(clients)],
                        queue=queue,
                    )
                    for k in range(min(100, n - start))
                ],
            )
    for appeal in appeals:
        reply_by_post(
            agent,
            appeal,
            addresses[appeal.client_id],
            body_text="Уважаемый клиент! По вашему обращению сообщаем: комиссия возвращена на счёт карты.",
        )
    print(f"filled: {n} letters in {time.monotonic() - started:.1f} s", file=sys.stderr)


def run_once() -> dict[str, float]:
    from django.db import transaction

    from okno.accounts.models import User
    from okno.channels.post.services import documents, registries

    dispatcher = User.objects.get(username="bench-dispatcher")
    parts: dict[str, float] = {}
    with transaction.atomic():
        t0 = time.perf_counter()
        batch = registries.form_registry(dispatcher, None)
        t1 = time.perf_counter()
        pdf = documents.registry_pdf(batch)
        t2 = time.perf_counter()
        xlsx = documents.registry_xlsx(batch)
        t3 = time.perf_counter()
        parts = {
            "form": t1 - t0,
            "pdf": t2 - t1,
            "xlsx": t3 - t2,
            "total": t3 - t0,
            "lists": float(batch.lists.count()),
            "pdf_kb": len(pdf) / 1024,
            "xlsx_kb": len(xlsx) / 1024,
        }
        transaction.set_rollback(True)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    setup_django(f"post-registry-{args.n}.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fill(args.n)
    print(machine(), file=sys.stderr)
    # Warm-up: ReportLab's and openpyxl's imports, the fonts (registered once per process).
    run_once()
    runs = [run_once() for _ in range(RUNS)]
    last = runs[-1]
    print(
        "parts of the last run: "
        + ", ".join(f"{k}={v:.3f}" if k not in ("lists",) else f"{k}={int(v)}" for k, v in last.items()),
        file=sys.stderr,
    )
    seconds = statistics.median(r["total"] for r in runs)
    print(f"post_registry N={args.n} seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
