"""Reports benchmark: the regulator report for a year (XLSX + PDF) and the volumes
report (query + XLSX) with N appeals spread over two years.

    .venv/bin/python bench/reports.py 1000000            # its own PostgreSQL (default)
    .venv/bin/python bench/reports.py 100000 --sqlite    # SQLite file in the bench directory
    DATABASE_URL=postgres://… .venv/bin/python bench/reports.py 1000000   # a server of yours

By default it starts a throw-away PostgreSQL cluster of its own with
``scripts/pg-local.sh`` (``/tmp/okno-bench/reports-pg``, port 5469) and stops it at
the end; the data stays, so a second run with the same N reuses it. With
``DATABASE_URL`` it uses that database (empty, or filled earlier with the same N).

Filling: N appeals over the two years up to today in bulk (``COPY`` on PostgreSQL,
``executemany`` on SQLite, not the ORM): ten queues, 8 categories with 4
subcategories each, 20 products, N/10 clients in four segments, six channels; older
appeals closed with an outcome, recent ones open; each with its answer clock (three
deadline regimes plus the default term; met on time or late, or still running, some
breached) and about 2 % forwarded by the regulator with a reference number.

Measuring, as an administrator (sees every appeal), one warm-up run and then the
median of ``--repeat`` runs of:

- ``build_regulator_files(user, 1 Jan, 31 Dec)`` of the last complete year (XLSX + PDF);
- the volumes report for the same year by channel, with its monthly trend, and its XLSX.

Prints ``report_regulator N=<n> seconds=<s>`` then, last, ``report_volumes N=<n> seconds=<s>``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

from benchlib import BENCH_DIR, ROOT, insert, machine, reuse_or_fill, setup_django

BATCH = 10_000
DAYS = 730
PG_DIR = BENCH_DIR / "reports-pg"
PG_PORT = 5469
QUEUES = [("rq-first-line", 15, 14), ("rq-cards", 30, 12), ("rq-loans", 30, 10), ("rq-regulator", 10, 3),
          ("rq-deposits", 30, 8), ("rq-business", 15, 8), ("rq-claims", 10, 12), ("rq-support", 7, 16),
          ("rq-parts", 14, 7), ("rq-partners", 15, 10)]  # fmt: skip
CHANNELS = ["mail"] * 40 + ["portal"] * 25 + ["phone"] * 20 + ["messenger"] * 8 + ["api"] * 4 + ["paper"] * 3
OUTCOMES = ["satisfied", "satisfied", "explained", "refused", "partly_satisfied"]
SEGMENTS = ["retail"] * 80 + ["sme"] * 12 + ["corporate"] * 5 + ["partner"] * 3
SUBJECTS = ["Списали комиссию за обслуживание карты", "Не пересчитали график платежей", "Перевод по СБП не дошёл",
            "Ошибка в кредитной истории", "Кондиционер не охлаждает", "Возврат денег за товар"]  # fmt: skip


def start_postgres() -> str:
    script = ROOT / "scripts" / "pg-local.sh"
    url = subprocess.run(
        [str(script), "start", str(PG_DIR), str(PG_PORT)], check=True, capture_output=True, text=True
    ).stdout.strip()
    return url.splitlines()[-1]


def stop_postgres() -> None:
    subprocess.run([str(ROOT / "scripts" / "pg-local.sh"), "stop", str(PG_DIR)], check=False)


def prepare(n: int, url: str) -> str:
    """Migrate and fill; returns what was done, for the report."""
    return reuse_or_fill(n, url, fill)


class Rows:
    """Rows of one table in its column order: every column starts at its default
    (prepared once), a row sets what it has."""

    def __init__(self, model: Any) -> None:
        from django.db import connection
        from django.db.models import NOT_PROVIDED

        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        defaults = []
        for f in self.fields:
            value = f.get_default() if f.has_default() or f.default is not NOT_PROVIDED else None
            if value is None and not f.null and f.get_internal_type() in ("CharField", "TextField", "SlugField"):
                value = ""
            defaults.append(f.get_db_prep_save(value, connection) if value is not None else None)
        self.defaults = defaults
        self.rows: list[list[Any]] = []

    def add(self, **values: Any) -> None:
        row = list(self.defaults)
        for name, value in values.items():
            row[self.index[name]] = value
        self.rows.append(row)

    def flush(self, cursor: Any) -> None:
        insert(cursor, self.model, self.columns, [tuple(r) for r in self.rows])
        self.rows = []


def fill(n: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from okno.accounts.choices import Role
    from okno.accounts.models import User
    from okno.appeals.choices import PRIORITY_RANK
    from okno.appeals.models import Appeal, AppealCounter, Category, Kind
    from okno.catalog.models import Product
    from okno.clients.models import Client
    from okno.deadlines.calendar_import import install_default_calendar
    from okno.deadlines.models import AppealClock, Calendar, DeadlinePolicy
    from okno.queues.models import Membership, Queue

    rng = random.Random(n)
    now = timezone.now()
    start = now - timedelta(days=DAYS)
    password = make_password("bench")
    dt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        install_default_calendar()
        calendar = Calendar.objects.order_by("id").first()
        assert calendar is not None
        User.objects.create(username="bench-admin", password=password, role=Role.ADMIN, is_superuser=True)
        queues = [
            Queue.objects.create(code=code, name=code, name_en=code, answer_term_days=term, position=i)
            for i, (code, term, _w) in enumerate(QUEUES)
        ]
        weights = [w for *_rest, w in QUEUES]
        members: dict[int, list[int]] = {}
        for queue in queues:
            for k in range(5):
                agent = User.objects.create(username=f"ragent-{queue.code}-{k}", password=password, role=Role.AGENT)
                Membership.objects.create(queue=queue, user=agent)
                members.setdefault(queue.pk, []).append(agent.pk)
        kind_ids = list(Kind.objects.values_list("id", flat=True))
        parents = [Category.objects.create(code=f"rc-{i}", name=f"Тема {i}", name_en=f"Topic {i}") for i in range(8)]
        category_ids = [
            Category.objects.create(code=f"rc-{i}-{j}", name=f"Подтема {i}.{j}", name_en=f"Sub {i}.{j}", parent=p).pk
            for i, p in enumerate(parents)
            for j in range(4)
        ]
        product_ids = [
            Product.objects.create(code=f"rp-{i}", name=f"Продукт {i}", name_en=f"Product {i}").pk for i in range(20)
        ]
        # Three regimes: 15 working days (442-FZ), 30 days (59-FZ), 10 days (consumer law).
        policies = [
            (
                DeadlinePolicy.objects.create(code=f"rpol-{days}", name=f"{days} дней", name_en=f"{days} days").pk,
                days,
                unit,
            )
            for days, unit in ((15, "working_days"), (30, "calendar_days"), (10, "calendar_days"))
        ]
        clients = Rows(Client)
        n_clients = max(n // 10, 100)
        with connection.cursor() as cursor:
            for i in range(n_clients):
                clients.add(id=i + 1, name=f"Клиент {i + 1}", segment=rng.choice(SEGMENTS), created_at=dt(start))
                if len(clients.rows) >= BATCH:
                    clients.flush(cursor)
            clients.flush(cursor)
            for sql in connection.ops.sequence_reset_sql(no_style(), [Client]):
                cursor.execute(sql)

    appeals, clocks = Rows(Appeal), Rows(AppealClock)
    has_regulator = "regulator_forwarded" in appeals.index
    counters: dict[int, int] = {}
    bar = tqdm(total=n, desc="fill appeals", unit=" appeals", file=sys.stderr)
    with connection.cursor() as cursor:
        for first in range(0, n, BATCH):
            for i in range(first, min(first + BATCH, n)):
                appeal_id = i + 1
                created = min(
                    start + timedelta(days=DAYS * i / n, seconds=rng.randint(0, 600)), now - timedelta(minutes=1)
                )
                age = (now - created).days
                queue = rng.choices(queues, weights)[0]
                if age < 3:
                    status = rng.choice(["new", "in_work", "in_work", "waiting_client", "answered"])
                elif age < 30:
                    status = rng.choices(
                        ["in_work", "waiting_client", "answered", "closed", "cancelled"], [20, 10, 15, 52, 3]
                    )[0]
                else:
                    status = rng.choices(["closed", "cancelled", "in_work", "answered"], [93, 4, 1, 2])[0]
                year = timezone.localtime(created).year
                counters[year] = counters.get(year, 0) + 1
                policy_id, term, unit = rng.choice([*policies, (None, queue.answer_term_days, "calendar_days")])
                due = created + timedelta(days=term * (1.4 if unit == "working_days" else 1))
                answered = status in ("answered", "closed")
                answer_at = min(created + timedelta(hours=rng.triangular(2, 24 * term * 1.3, 24 * term * 0.4)), now)
                closed_at = min(answer_at + timedelta(hours=rng.randint(1, 72)), now) if status == "closed" else None
                running = status in ("new", "in_work", "waiting_client")
                breached = (answered and answer_at > due) or (running and due < now)
                priority = rng.choice(["low", "normal", "normal", "high"])
                forwarded = has_regulator and rng.random() < 0.02
                extra = (
                    {"regulator_forwarded": forwarded, "regulator_reference": f"ОГ-{appeal_id}" if forwarded else ""}
                    if has_regulator
                    else {}
                )
                appeals.add(
                    id=appeal_id,
                    number=f"{year}-{counters[year]:06d}",
                    year=year,
                    seq=counters[year],
                    kind_id=rng.choice(kind_ids),
                    channel=rng.choice(CHANNELS),
                    category_id=rng.choice(category_ids) if rng.random() < 0.95 else None,
                    product_id=rng.choice(product_ids) if rng.random() < 0.7 else None,
                    subject=rng.choice(SUBJECTS),
                    status=status,
                    priority=priority,
                    priority_rank=PRIORITY_RANK[priority],
                    outcome=rng.choice(OUTCOMES) if status == "closed" else "",
                    queue_id=queue.pk,
                    assignee_id=None if status == "new" else rng.choice(members[queue.pk]),
                    client_id=rng.randint(1, n_clients),
                    created_at=dt(created),
                    registered_at=dt(created),
                    first_response_at=dt(answer_at) if answered else None,
                    closed_at=dt(closed_at) if closed_at else None,
                    updated_at=dt(closed_at or (answer_at if answered else created)),
                    due_at=dt(due) if running else None,
                    due_risk_at=dt(created + (due - created) * 0.8) if running else None,
                    deadline_policy_id=None,
                    **extra,
                )
                if status == "cancelled":
                    continue
                clocks.add(
                    id=appeal_id,
                    appeal_id=appeal_id,
                    policy_id=policy_id,
                    clock="answer",
                    term_amount=term,
                    term_unit=unit,
                    calendar_id=calendar.pk,
                    day_off_rule="next",
                    is_statutory=policy_id is not None,
                    started_at=dt(created),
                    due_at=dt(due),
                    risk_at=dt(created + (due - created) * 0.8),
                    met_at=dt(answer_at) if answered else None,
                    breached_at=dt(due) if breached else None,
                )
            with transaction.atomic():
                appeals.flush(cursor)
                clocks.flush(cursor)
            bar.update(min(first + BATCH, n) - first)
        for sql in connection.ops.sequence_reset_sql(no_style(), [Appeal, AppealClock]):
            cursor.execute(sql)
    bar.close()
    for year, last in counters.items():
        AppealCounter.objects.update_or_create(year=year, defaults={"last_number": last})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # what autovacuum soon does on a live database
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def timed(fn: Any, repeat: int) -> float:
    fn()  # warm-up: connections, templates, fonts, the query plan cache
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def measure(n: int, repeat: int) -> None:
    from django.utils import timezone

    from okno.accounts.models import User
    from okno.reports.services import export, reports
    from okno.reports.services.filters import parse_filters

    user = User.objects.get(username="bench-admin")
    year = timezone.localdate().year - 1
    date_from, date_to = date(year, 1, 1), date(year, 12, 31)
    print(f"# {machine()}; year {year}")

    try:
        from okno.reports.regulator.services.export import build_regulator_files
    except ImportError:
        print(
            "# report_regulator skipped: okno.reports.regulator.services.export.build_regulator_files is not there yet"
        )
    else:
        sizes: list[int] = []

        def regulator() -> None:
            xlsx, pdf = build_regulator_files(user, date_from, date_to)
            sizes[:] = [len(xlsx), len(pdf)]

        seconds = timed(regulator, repeat)
        print(f"# regulator: XLSX {sizes[0] / 1024:.0f} KiB, PDF {sizes[1] / 1024:.0f} KiB")
        print(f"report_regulator N={n} seconds={seconds:.3f}")

    flt = parse_filters(
        {"period": "custom", "date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "group_by": "channel"},
        group_choices=tuple(reports.VOLUME_GROUPS),
    )
    counted: list[int] = []

    def volumes() -> None:
        report = reports.volumes(user, flt)
        export.to_xlsx(report)
        counted[:] = [report.total.values["count"] if report.total else 0]

    seconds = timed(volumes, repeat)
    print(f"# volumes: {counted[0]} appeals received in {year}")
    print(f"report_volumes N={n} seconds={seconds:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="appeals in the database")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the warm-up (median)")
    parser.add_argument("--fill-only", action="store_true")
    parser.add_argument("--keep-running", action="store_true", help="leave the own PostgreSQL running")
    args = parser.parse_args()
    own_pg = not args.sqlite and "DATABASE_URL" not in os.environ
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
    elif own_pg:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        base = start_postgres()
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/okno_reports_{args.n}"
    try:
        url = setup_django(f"reports-{args.n}.sqlite3")
        print(f"# {prepare(args.n, url)}")
        if not args.fill_only:
            measure(args.n, args.repeat)
    finally:
        if own_pg and not args.keep_running:
            from django.db import connections

            connections.close_all()
            stop_postgres()


if __name__ == "__main__":
    main()
