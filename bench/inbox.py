"""Inbox benchmark: how fast the inbox list and the appeal page answer with N appeals.

    .venv/bin/python bench/inbox.py 200000
    DATABASE_URL=postgres://okno:okno@127.0.0.1:5433/okno .venv/bin/python bench/inbox.py 1000000

Uses a database of its own: the SQLite file /tmp/okno-bench/inbox-<N>.sqlite3, or
the (empty, or earlier filled with the same N) PostgreSQL database in DATABASE_URL.
Fills N appeals in bulk (two years, ~10 queues, every status, clients, events,
messages and the search index), reusing an existing filled database, then measures
server side through Django's test client against the real views:

- the inbox page (``appeals:inbox``, 50 rows, one queue and status, most urgent and
  newest first), queue and status varying from request to request;
- the appeal page (``appeals:detail``) of appeals picked across the table;
- queries per inbox request with 10, 50 and 100 rows: the count must not grow.

The last line is the figure: ``inbox N=<n> p50_ms=<x> p95_ms=<y> queries=<q>``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

from benchlib import insert, machine, reuse_or_fill, setup_django

BATCH = 5000
DAYS = 730
QUEUES = [
    ("bq-first-line", "Первая линия", 15, 14),
    ("bq-cards", "Претензии по картам", 30, 12),
    ("bq-loans", "Кредиты", 30, 10),
    ("bq-regulator", "Обращения ЦБ", 10, 3),
    ("bq-deposits", "Вклады и счета", 30, 8),
    ("bq-business", "Малый бизнес", 15, 8),
    ("bq-claims", "Рекламации", 10, 12),
    ("bq-support", "Сервисная поддержка", 7, 16),
    ("bq-parts", "Запчасти", 14, 7),
    ("bq-partners", "Дилеры и АСЦ", 15, 10),
]
SUBJECTS = [
    "Списали комиссию за обслуживание карты",
    "Несанкционированное списание с карты",
    "Двойное списание при оплате покупки",
    "Банкомат не выдал деньги, но списал со счёта",
    "Не начислили кэшбэк за прошлый месяц",
    "Не пересчитали график после досрочного погашения",
    "Возврат страховой премии в период охлаждения",
    "Ошибка в кредитной истории",
    "Справка о закрытии кредита",
    "Перевод по СБП не дошёл до получателя",
    "Не приходит СМС-код для входа в приложение",
    "Кондиционер не охлаждает",
    "Из внутреннего блока капает вода",
    "Ошибка E5 на дисплее кондиционера",
    "Повреждение оборудования при транспортировке",
    "Недокомплект: нет пульта ДУ",
    "Претензия: возврат денег за неисправный товар",
    "Водонагреватель не греет воду",
    "Заказ запчастей для гарантийного ремонта",
    "Акт выполненных работ за месяц",
    "Complaint about a card fee",
    "Refund request for a faulty air conditioner",
]
BODIES = [
    "Здравствуйте! С моей карты списали комиссию за обслуживание, хотя условия бесплатного обслуживания "
    "выполнены. Прошу вернуть деньги и объяснить, за что списание.",
    "Добрый день. Кондиционер перестал охлаждать через месяц после установки, наружный блок отключается "
    "через минуту. Гарантийный талон и чек есть, прошу прислать мастера.",
    "Прошу подготовить справку об уплаченных процентах по договору для налогового вычета.",
    "Hello, the unit arrived damaged, photos attached. Please arrange a replacement.",
    "Перевод по номеру телефона ушёл, а получатель его не видит. Прошу проверить и вернуть деньги.",
]
REPLIES = [
    "Здравствуйте! Мы проверили операции: комиссия списана ошибочно и будет возвращена в течение 5 рабочих дней.",
    "Здравствуйте! Сервисный центр подтвердил заводской дефект, ремонт выполнен по гарантии.",
    "Здравствуйте! Справка готова и приложена к письму.",
]
NAMES = ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Новиков", "Морозова", "Волков", "Орлова"]
FIRST = ["Анна", "Сергей", "Мария", "Дмитрий", "Елена", "Алексей", "Ольга", "Игорь", "Наталья", "Павел"]
PATRONYMIC = ["Ивановна", "Петрович", "Сергеевна", "Андреевич", "Викторовна", "Олегович"]


# --- filling -------------------------------------------------------------------------


def prepare(n: int, url: str) -> str:
    """Migrate and fill; returns what was done, for the report."""
    return reuse_or_fill(n, url, fill)


APPEAL_COLUMNS = [
    "id", "number", "year", "seq", "kind_id", "channel", "category_id", "product_id", "subject", "description",
    "status", "priority", "priority_rank", "outcome", "queue_id", "assignee_id", "client_id", "parent_id",
    "merged_into_id", "created_at", "registered_at", "first_response_at", "closed_at", "updated_at", "due_at",
    "due_risk_at", "claim_amount", "created_by_id", "reopen_count", "deadline_policy_id",
    "regulator_forwarded", "regulator_reference", "regulator_letter_date",
]  # fmt: skip
MESSAGE_COLUMNS = [
    "id", "appeal_id", "direction", "channel", "author_id", "author_client_id", "subject", "body_text", "quoted_text",
    "body_html",
    "created_at", "sent_at", "approval_status", "approval_comment", "approved_by_id", "approved_at", "status_after",
    "delivery_status", "external_id",
]  # fmt: skip
EVENT_COLUMNS = [
    "id", "appeal_id", "kind", "actor_id", "actor_label", "created_at", "field", "before", "after", "message_id",
    "related_appeal_id", "comment",
]  # fmt: skip


def fill(n: int) -> None:
    """N appeals over two years with their events, messages and search documents, in bulk."""
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from okno.accounts.choices import Role
    from okno.accounts.models import User
    from okno.appeals.choices import PRIORITY_RANK
    from okno.appeals.models import Appeal, AppealCounter, AppealSearch, Category, Event, Kind, Message
    from okno.catalog.models import Product
    from okno.clients.models import Client
    from okno.lib.text import fold, search_document
    from okno.queues.models import Membership, Queue

    for model, columns in ((Appeal, APPEAL_COLUMNS), (Message, MESSAGE_COLUMNS), (Event, EVENT_COLUMNS)):
        actual = [f.column for f in model._meta.concrete_fields]
        if actual != columns:
            sys.exit(f"bench/inbox.py is out of date: {model.__name__} columns are now {actual}")
    rng = random.Random(n)
    now = timezone.now()
    start = now - timedelta(days=DAYS)
    password = make_password("bench")
    with transaction.atomic():
        queues = [
            Queue.objects.create(code=code, name=name, name_en=code, answer_term_days=term, position=i)
            for i, (code, name, term, _w) in enumerate(QUEUES)
        ]
        weights = [w for *_rest, w in QUEUES]
        supervisor = User.objects.create(username="bench-supervisor", password=password, role=Role.SUPERVISOR)
        User.objects.create(username="bench-admin", password=password, role=Role.ADMIN, is_superuser=True)
        members: dict[int, list[User]] = {}
        for queue in queues:
            Membership.objects.create(queue=queue, user=supervisor)
            for k in range(5):
                agent = User.objects.create(
                    username=f"agent-{queue.code}-{k}",
                    password=password,
                    role=Role.AGENT if k < 3 else Role.SPECIALIST,
                    last_name=rng.choice(NAMES),
                    first_name=rng.choice(FIRST),
                )
                Membership.objects.create(queue=queue, user=agent)
                members.setdefault(queue.pk, []).append(agent)
        kinds = list(Kind.objects.all())
        parents = [
            Category.objects.create(code=f"bc-{i}", name=f"Категория {i}", name_en=f"Category {i}") for i in range(8)
        ]
        categories = [
            Category.objects.create(code=f"bc-{i}-{j}", name=f"Подкатегория {i}.{j}", name_en=f"Sub {i}.{j}", parent=p)
            for i, p in enumerate(parents)
            for j in range(4)
        ]
        products = [
            Product.objects.create(code=f"bp-{i}", name=f"Продукт {i}", name_en=f"Product {i}") for i in range(20)
        ]
        clients: list[Client] = []
        for start_at in range(0, max(n // 10, 100), BATCH):
            batch = []
            for _ in range(start_at, min(start_at + BATCH, max(n // 10, 100))):
                name = f"{rng.choice(NAMES)} {rng.choice(FIRST)} {rng.choice(PATRONYMIC)}"
                batch.append(Client(name=name, search_key=fold(name)))
            clients += Client.objects.bulk_create(batch)

    statuses_recent = ["new"] * 4 + ["in_work"] * 4 + ["waiting_client"] + ["answered"]
    channels = ["mail"] * 40 + ["portal"] * 25 + ["phone"] * 20 + ["messenger"] * 8 + ["api"] * 4 + ["paper"] * 3
    priorities = ["low"] * 15 + ["normal"] * 55 + ["high"] * 25 + ["critical"] * 5
    outcomes = ["satisfied", "satisfied", "explained", "refused", "partly_satisfied"]
    kind_ids = [k.pk for k in kinds]
    category_ids = [c.pk for c in categories]
    product_ids = [p.pk for p in products]
    client_rows = [(c.pk, c.name) for c in clients]
    member_ids = {q: [(u.pk, str(u)) for u in users] for q, users in members.items()}
    dt = connection.ops.adapt_datetimefield_value
    as_json = Event._meta.get_field("after").get_db_prep_save
    sup_label = str(supervisor)
    counters: dict[int, int] = {}
    message_id = event_id = 0
    bar = tqdm(total=n, desc="fill appeals", unit=" appeals", file=sys.stderr)
    # Plain INSERTs with ids given here: model instances and bulk_create cost ten times more.
    with connection.cursor() as cursor:
        for first in range(0, n, BATCH):
            appeal_rows, message_rows, event_rows, search_rows = [], [], [], []
            for i in range(first, min(first + BATCH, n)):
                appeal_id = i + 1
                created = min(
                    start + timedelta(days=DAYS * i / n, seconds=rng.randint(0, 600)), now - timedelta(minutes=1)
                )
                age = (now - created).days
                queue = rng.choices(queues, weights)[0]
                if age < 3:
                    status = rng.choice(statuses_recent)
                elif age < 30:
                    status = rng.choices(
                        ["in_work", "waiting_client", "answered", "closed", "cancelled", "merged"],
                        [20, 10, 15, 50, 3, 2],
                    )[0]
                else:
                    status = rng.choices(
                        ["closed", "cancelled", "merged", "in_work", "waiting_client", "answered"],
                        [90, 4, 2, 1.5, 0.5, 2],
                    )[0]
                priority = rng.choice(priorities)
                year = timezone.localtime(created).year
                counters[year] = counters.get(year, 0) + 1
                number = f"{year}-{counters[year]:06d}"
                final = status in ("closed", "cancelled", "merged")
                answered = status in ("answered", "closed")
                done_at = min(created + timedelta(hours=rng.randint(2, 24 * 20)), now)
                worker = None if status == "new" else rng.choice(member_ids[queue.pk])
                client_id, client_name = rng.choice(client_rows)
                channel = rng.choice(channels)
                subject = rng.choice(SUBJECTS)
                updated = done_at if (final or answered) else created
                appeal_rows.append(
                    (
                        appeal_id, number, year, counters[year], rng.choice(kind_ids), channel,
                        rng.choice(category_ids), rng.choice(product_ids) if rng.random() < 0.7 else None,
                        subject, "", status, priority, PRIORITY_RANK[priority],
                        rng.choice(outcomes) if status == "closed" else "", queue.pk,
                        worker[0] if worker else None, client_id, None, None,
                        dt(created), dt(created), dt(done_at) if answered else None, dt(done_at) if final else None,
                        dt(updated), dt(created + timedelta(days=queue.answer_term_days)),
                        dt(created + timedelta(days=queue.answer_term_days * 0.8)), None, None, 0, None,
                        False, "", None,
                    )
                )  # fmt: skip
                body = rng.choice(BODIES)
                message_id += 1
                inbound_id = message_id
                message_rows.append(
                    (inbound_id, appeal_id, "inbound", channel, None, client_id, subject, body, "", "", dt(created), None,
                     "not_required", "", None, None, "", "n/a", "")
                )  # fmt: skip
                event_id += 1
                event_rows.append(
                    (event_id, appeal_id, "registered", None, "mail", dt(created), "", None, None, None, None, "")
                )
                event_id += 1
                event_rows.append(
                    (event_id, appeal_id, "message_received", None, "mail", dt(created), "", None, None, inbound_id, None, "")
                )  # fmt: skip
                texts = [body]
                if worker is not None:
                    event_id += 1
                    after = as_json({"value": worker[0], "label": worker[1]}, connection)
                    event_rows.append(
                        (event_id, appeal_id, "assigned", supervisor.pk, sup_label, dt(created + timedelta(minutes=30)),
                         "assignee", None, after, None, None, "")
                    )  # fmt: skip
                if answered and worker is not None:
                    reply = rng.choice(REPLIES)
                    texts.append(reply)
                    message_id += 1
                    message_rows.append(
                        (message_id, appeal_id, "outbound", channel, worker[0], None, "", reply, "", "", dt(done_at),
                         dt(done_at), "not_required", "", None, None, "", "sent", "")
                    )  # fmt: skip
                    event_id += 1
                    event_rows.append(
                        (event_id, appeal_id, "reply_sent", worker[0], worker[1], dt(done_at), "", None, None,
                         message_id, None, "")
                    )  # fmt: skip
                if worker is not None:
                    event_id += 1
                    before = as_json({"value": "new", "label": "new"}, connection)
                    after = as_json({"value": status, "label": status}, connection)
                    event_rows.append(
                        (event_id, appeal_id, "status_changed", worker[0], worker[1], dt(updated), "status", before,
                         after, None, None, "")
                    )  # fmt: skip
                search_rows.append((appeal_id, search_document(number, subject, client_name, *texts)))
            with transaction.atomic():
                insert(cursor, Appeal, APPEAL_COLUMNS, appeal_rows)
                insert(cursor, Message, MESSAGE_COLUMNS, message_rows)
                insert(cursor, Event, EVENT_COLUMNS, event_rows)
                insert(cursor, AppealSearch, ["appeal_id", "document"], search_rows)
            bar.update(len(appeal_rows))
        for sql in connection.ops.sequence_reset_sql(no_style(), [Appeal, Message, Event]):
            cursor.execute(sql)
    bar.close()
    for year, last in counters.items():
        AppealCounter.objects.update_or_create(year=year, defaults={"last_number": last})
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if connection.vendor == "postgresql":  # what autovacuum soon does on a live database
        with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
            cursor.execute("VACUUM ANALYZE")


def plain_sqlite() -> None:
    """An installation never runs ANALYZE on SQLite, so the planner works without
    statistics; drop any an earlier run left, so every run plans the same way."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in ("sqlite_stat1", "sqlite_stat4"):
            cursor.execute(f"SELECT name FROM sqlite_master WHERE name = '{table}'")
            if cursor.fetchone():
                cursor.execute(f"DROP TABLE {table}")


# --- measuring -----------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(n: int, inbox_requests: int, detail_requests: int) -> None:
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from okno.accounts.models import User
    from okno.appeals.models import Appeal
    from okno.queues.models import Queue

    try:
        inbox_url = reverse("appeals:inbox")
        reverse("appeals:detail", kwargs={"number": "2026-000001"})
    except NoReverseMatch:
        sys.exit("The views appeals:inbox and appeals:detail do not exist yet; the data is ready, run again later.")
    try:
        from okno.appeals.listing import PAGE_SIZES

        small = min(PAGE_SIZES)
    except ImportError:
        small = 10

    user = User.objects.get(username="bench-supervisor")
    http = HttpClient()
    http.force_login(user)
    queue_ids = list(Queue.objects.filter(code__startswith="bq-").order_by("position").values_list("pk", flat=True))
    statuses = ["open", "new", "in_work", "waiting_client", "answered", "closed"]
    rng = random.Random(7)

    def inbox_params(i: int, page_size: int = 50) -> dict[str, Any]:
        return {
            "queue": queue_ids[i % len(queue_ids)],
            "status": statuses[(i // len(queue_ids)) % len(statuses)],
            "sort": "-priority",
            "page_size": page_size,
        }

    def get(url: str, params: dict[str, Any] | None = None) -> float:
        started = time.perf_counter()
        response = http.get(url, params or {})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"GET {url} {params} answered {response.status_code}")
        return elapsed

    top = Appeal.objects.order_by("-id").values_list("id", flat=True).first() or 0
    picks = [rng.randint(1, top) for _ in range(detail_requests * 3)]
    numbers = list(Appeal.objects.filter(id__in=picks).values_list("number", flat=True)[:detail_requests])

    # Warm up: caches, templates, the database's pages.
    for i in range(30):
        get(inbox_url, inbox_params(i))
    for number in numbers[:10]:
        get(reverse("appeals:detail", kwargs={"number": number}))

    # Queries per request must not depend on how many rows are shown.
    counts: dict[int, int] = {}
    for size in (small, 50, 100):
        per_request = []
        for i in range(len(queue_ids)):
            with CaptureQueriesContext(connection) as ctx:
                get(inbox_url, inbox_params(i, size))
            per_request.append(len(ctx.captured_queries))
        counts[size] = max(per_request)
    print("queries per inbox request by page size: " + ", ".join(f"{s} rows → {q}" for s, q in counts.items()))
    if len(set(counts.values())) > 1:
        print(f"WARNING: queries per inbox request grow with the page size: {counts}")

    detail_times, detail_queries = [], []
    for number in numbers:
        url = reverse("appeals:detail", kwargs={"number": number})
        detail_times.append(get(url))
        with CaptureQueriesContext(connection) as ctx:
            get(url)
        detail_queries.append(len(ctx.captured_queries))
    print(
        f"detail N={n} requests={len(detail_times)} p50_ms={statistics.median(detail_times):.1f} "
        f"p95_ms={pct(detail_times, 0.95):.1f} queries_max={max(detail_queries)}"
    )

    inbox_times = [get(inbox_url, inbox_params(i)) for i in range(inbox_requests)]
    by_status: dict[str, list[float]] = {}
    for i, ms in enumerate(inbox_times):
        by_status.setdefault(statuses[(i // len(queue_ids)) % len(statuses)], []).append(ms)
    print("inbox p95 by status: " + ", ".join(f"{s} {pct(v, 0.95):.1f} ms" for s, v in by_status.items()))
    print(f"machine: {machine()}")
    print(
        f"inbox N={n} p50_ms={statistics.median(inbox_times):.1f} p95_ms={pct(inbox_times, 0.95):.1f} "
        f"queries={counts[50]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of appeals in the database")
    parser.add_argument("--inbox-requests", type=int, default=200)
    parser.add_argument("--detail-requests", type=int, default=100)
    parser.add_argument("--fill-only", action="store_true", help="prepare the database and stop")
    args = parser.parse_args()
    url = setup_django(f"inbox-{args.n}.sqlite3")
    from django.core.management import call_command

    print(prepare(args.n, url))
    plain_sqlite()
    call_command("collectstatic", interactive=False, verbosity=0)
    if not args.fill_only:
        measure(args.n, args.inbox_requests, args.detail_requests)


if __name__ == "__main__":
    main()
