"""Deadline sweep benchmark: the periodic job that fires the reminders and breaches due
now, over N open appeals with running deadlines.

    .venv/bin/python bench/deadline_sweep.py 200000                         # SQLite
    scripts/pg-local.sh start /tmp/okno-bench-pg 5447
    DATABASE_URL=postgres://okno:okno@127.0.0.1:5447/okno_sweep .venv/bin/python bench/deadline_sweep.py 1000000

Uses a database of its own: the SQLite file /tmp/okno-bench/deadline-sweep-<N>.sqlite3,
or the PostgreSQL database in DATABASE_URL (created if missing; it must be empty or
hold this bench's N appeals from an earlier run, which are reused).

**The data.** N open appeals in 10 queues (5 staff and a supervisor each, plus a head
of department supervising every queue), 90 % with an assignee; each has its running
answer clock computed by the product's own ``clocks.plan`` on the default calendar
(reminders at 50 and 80 %, the last working day, the breach) under one of six policies
(442-FZ, 161-FZ, consumer law art. 22, the SLA — which pauses, and raises no priority —,
152-FZ — which reassigns to the data-protection officer at a breach —, and the queue's
own term). Receipt times are spread so that ~10 % of the clocks are already overdue.
The last sweep ran at ``OUTAGE_FROM`` (23:30 Moscow time): every alarm due by then has
fired (with its sweep mark) and every deadline passed by then is recorded as breached.
Appeals waiting for the client have their SLA clocks paused.

**The moments swept.**

- *After an hour's outage* (``HEAVY_NOW``, 00:30): the missed hour holds the midnight at
  which that day's terms in days end. ``BREACH_SHARE`` (2 %) of the appeals are made to
  reach their deadline that midnight, on top of the reminders that fell in that hour;
  that is the heavy case, and the figure.
- *Steady state*: the moment by which ~100 alarms are due after ``OUTAGE_FROM`` (one
  ordinary minute's work).

Each run times ``okno.deadlines.services.sweep.sweep(now)`` in-process inside a
transaction that is then rolled back (PostgreSQL: ``VACUUM`` of the touched tables
after it, untimed, as autovacuum would), so every run starts from the same state;
three runs each, the median counts. Per-statement times of the last heavy run are
printed; ``--explain after_outage|steady`` prints ``EXPLAIN ANALYZE`` of each
statement of that sweep instead.

The last line is the figure: ``deadline_sweep N=<n> seconds=<s>`` (heavy sweep, median).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from benchlib import insert, machine, setup_django

BATCH = 10_000
RUNS = 3
STEADY_ALARMS = 100
BREACH_SHARE = 0.02
OVERDUE = 0.10  # receipt spread over the term × (1 + OVERDUE): this share is past its deadline
# Tuesday 24 November 2026, Moscow time: the last sweep ran at 23:30, the next at 00:30.
OUTAGE_FROM = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
HEAVY_NOW = OUTAGE_FROM + timedelta(hours=1)
DEADLINE_DAY = date(2026, 11, 24)  # the terms ending at the midnight inside the outage
QUEUES = [
    ("sq-first-line", "Первая линия", 15, 14),
    ("sq-cards", "Претензии по картам", 30, 12),
    ("sq-loans", "Кредиты", 30, 10),
    ("sq-regulator", "Обращения ЦБ", 10, 3),
    ("sq-deposits", "Вклады и счета", 30, 8),
    ("sq-business", "Малый бизнес", 15, 8),
    ("sq-claims", "Рекламации", 10, 12),
    ("sq-support", "Сервисная поддержка", 7, 16),
    ("sq-parts", "Запчасти", 14, 7),
    ("sq-partners", "Дилеры и АСЦ", 15, 10),
]
# (preset code or None for the queue's term, weight, changes to the policy)
POLICIES: list[tuple[str | None, int, dict[str, Any]]] = [
    ("fz442-financial", 35, {}),
    ("sla-example", 25, {"breach_raises_priority": False}),
    ("fz161-card-dispute", 13, {}),
    ("zozpp-22-money", 8, {}),
    ("fz152-pd-request", 2, {"breach_reassigns_to": "sweep-dpo"}),
    (None, 17, {}),
]
PRIORITIES = ["low"] * 15 + ["normal"] * 55 + ["high"] * 25 + ["critical"] * 5
CHANNELS = ["mail"] * 40 + ["portal"] * 25 + ["phone"] * 20 + ["messenger"] * 8 + ["api"] * 4 + ["paper"] * 3


# --- filling -------------------------------------------------------------------------


def prepare(n: int) -> str:
    """Migrate and fill (or reuse); returns what was done, for the report."""
    from django.core.management import call_command

    from okno.appeals.models import Appeal
    from okno.deadlines.models import AppealClock

    call_command("migrate", interactive=False, verbosity=0)
    appeals = Appeal.objects.count()
    if appeals == n and AppealClock.objects.filter(appeal__queue__code__startswith="sq-").count() == n:
        return f"reused the database ({appeals} appeals with their clocks)"
    if appeals:
        sys.exit(f"The database already holds {appeals} appeals, not this bench's {n}: give an empty database.")
    started = time.perf_counter()
    fill(n)
    return f"filled {n} appeals with clocks and alarms in {time.perf_counter() - started:.0f} s"


def row_maker(model: Any, **fixed: Any) -> tuple[list[str], Callable[..., tuple[Any, ...]]]:
    """The model's columns, and a function building a row from the values given (by
    attname), every other column at its default (NULL where it has none)."""
    from django.db import connection

    fields = model._meta.concrete_fields
    columns = [f.column for f in fields]
    base = {
        f.attname: fixed[f.attname] if f.attname in fixed else f.get_db_prep_save(f.get_default(), connection)
        for f in fields
    }
    names = [f.attname for f in fields]

    def make(**values: Any) -> tuple[Any, ...]:
        row = base | values
        return tuple(row[name] for name in names)

    return columns, make


def fill(n: int) -> None:
    """N open appeals, each with a running answer clock and its alarms, in bulk."""
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from tqdm import tqdm

    from okno.accounts.choices import Role
    from okno.accounts.models import User
    from okno.appeals.choices import PRIORITY_RANK
    from okno.appeals.models import Appeal, AppealCounter, Kind
    from okno.deadlines.calendar import get_calendar
    from okno.deadlines.choices import ClockKind
    from okno.deadlines.models import AppealClock, ClockAlarm, DeadlinePolicy
    from okno.deadlines.presets import load_presets
    from okno.deadlines.services import policies
    from okno.deadlines.services.clocks import fallback_clock, plan
    from okno.queues.models import Membership, Queue

    rng = random.Random(n)
    password = make_password("bench")
    cal = get_calendar()
    with transaction.atomic():
        load_presets()
        queues = [
            Queue.objects.create(code=code, name=name, name_en=code, answer_term_days=term, position=i)
            for i, (code, name, term, _w) in enumerate(QUEUES)
        ]
        head = User.objects.create(
            username="sweep-head", password=password, role=Role.SUPERVISOR, last_name="Орлова", first_name="Ольга"
        )
        dpo = User.objects.create(
            username="sweep-dpo", password=password, role=Role.SPECIALIST, last_name="Ершов", first_name="Степан"
        )
        staff: dict[int, list[int]] = {}
        for queue in queues:
            Membership.objects.create(queue=queue, user=head)
            supervisor = User.objects.create(
                username=f"sweep-sup-{queue.code}", password=password, role=Role.SUPERVISOR, last_name="Волков"
            )
            Membership.objects.create(queue=queue, user=supervisor)
            for k in range(5):
                agent = User.objects.create(
                    username=f"sweep-{queue.code}-{k}",
                    password=password,
                    role=Role.AGENT if k < 3 else Role.SPECIALIST,
                    last_name="Смирнова",
                    first_name="Анна",
                )
                Membership.objects.create(queue=queue, user=agent)
                staff.setdefault(queue.pk, []).append(agent.pk)
        chosen: list[tuple[Any, int]] = []
        for code, weight, changes in POLICIES:
            if code is None:
                chosen.append((None, weight))
                continue
            policy = DeadlinePolicy.objects.get(code=code)
            policy.is_active = True
            for name, value in changes.items():
                if name == "breach_reassigns_to":
                    value = dpo
                setattr(policy, name, value)
            policy.save()
            chosen.append((policy, weight))
        policies.forget()
        kind_id = Kind.objects.get(code="complaint").pk

    # Per policy: its answer clock, reminders, how long its term is in real time, and
    # the receipt days whose deadline is DEADLINE_DAY (the ones made to breach at midnight).
    day_end = datetime.combine(DEADLINE_DAY, datetime.max.time(), cal.tz)
    terms: list[tuple[Any, ...]] = []
    for policy, weight in chosen:
        if policy is None:
            for queue in queues:
                pc = fallback_clock(Appeal(queue=queue))
                terms.append((None, pc, [50, 80], True, weight / len(queues), queue))
            continue
        pc = policy.clocks.get(clock=ClockKind.ANSWER)
        terms.append((policy, pc, list(policy.reminder_percents), policy.remind_on_last_day, weight, None))
    plans = []
    for policy, pc, percents, last_day, weight, queue in terms:
        length = cal.add(OUTAGE_FROM, pc.term_amount, pc.term_unit, pc.day_off_rule) - OUTAGE_FROM
        on_day = [
            d
            for d in (DEADLINE_DAY - timedelta(days=k) for k in range(1, 120))
            if cal.add(datetime.combine(d, datetime.min.time(), cal.tz).replace(hour=12), pc.term_amount, pc.term_unit)
            == day_end
        ]
        plans.append((policy, pc, percents, last_day, weight, queue, length * (1 + OVERDUE), on_day))
    weights = [p[4] for p in plans]

    appeal_columns, appeal_row = row_maker(
        Appeal, kind_id=kind_id, subject="Жалоба", status="in_work", year=2026, outcome="", reopen_count=0
    )
    clock_columns, clock_row = row_maker(AppealClock, calendar_id=cal.id, clock=ClockKind.ANSWER, stage="")
    alarm_columns, alarm_row = row_maker(ClockAlarm)
    dt = connection.ops.adapt_datetimefield_value
    alarm_id = 0
    bar = tqdm(total=n, desc="fill appeals", unit=" appeals", file=sys.stderr)
    with connection.cursor() as cursor:
        for first in range(0, n, BATCH):
            appeals, clocks, alarms = [], [], []
            for i in range(first, min(first + BATCH, n)):
                appeal_id = i + 1
                policy, pc, percents, last_day, _w, queue, spread, on_day = rng.choices(plans, weights)[0]
                queue = queue or rng.choice(queues)
                while True:
                    forced = rng.random() < BREACH_SHARE and bool(on_day)
                    if forced:
                        day = rng.choice(on_day)
                        start = datetime.combine(day, datetime.min.time(), cal.tz) + timedelta(
                            seconds=rng.uniform(8 * 3600, 20 * 3600)
                        )
                    else:
                        start = OUTAGE_FROM - spread * rng.random()
                    p = plan(
                        cal,
                        unit=pc.term_unit,
                        amount=pc.term_amount,
                        rule=pc.day_off_rule,
                        start=start,
                        reminder_percents=percents,
                        remind_on_last_day=last_day,
                        now=start,
                    )
                    # Only the chosen share reaches its deadline at DEADLINE_DAY's midnight.
                    if forced or p.due_at != day_end:
                        break
                assignee = rng.choice(staff[queue.pk]) if rng.random() < 0.9 else None
                if assignee is None:
                    status = "new"
                else:
                    status = rng.choices(["in_work", "waiting_client", "new"], [80, 15, 5])[0]
                paused = None
                if status == "waiting_client" and pc.pauses_while_waiting:
                    paused = max(start, OUTAGE_FROM - timedelta(seconds=rng.uniform(0, 3 * 86400)))
                fired_until = paused or OUTAGE_FROM
                priority = rng.choice(PRIORITIES)
                appeals.append(
                    appeal_row(
                        id=appeal_id,
                        number=f"2026-{appeal_id:07d}",
                        seq=appeal_id,
                        channel=rng.choice(CHANNELS),
                        status=status,
                        priority=priority,
                        priority_rank=PRIORITY_RANK[priority],
                        queue_id=queue.pk,
                        assignee_id=assignee,
                        created_at=dt(start),
                        registered_at=dt(start + timedelta(minutes=2)),
                        updated_at=dt(start + timedelta(minutes=30)),
                        due_at=dt(p.due_at),
                        due_risk_at=dt(p.risk_at),
                    )
                )
                clocks.append(
                    clock_row(
                        id=appeal_id,
                        appeal_id=appeal_id,
                        policy_id=policy.pk if policy else None,
                        policy_clock_id=pc.pk,
                        term_amount=pc.term_amount,
                        term_unit=pc.term_unit,
                        day_off_rule=pc.day_off_rule,
                        is_statutory=pc.is_statutory,
                        pauses_while_waiting=pc.pauses_while_waiting,
                        citation=pc.citation,
                        citation_en=pc.citation_en,
                        penalty_percent_per_day=pc.penalty_percent_per_day,
                        started_at=dt(start),
                        due_at=dt(p.due_at),
                        risk_at=dt(p.risk_at),
                        paused_since=dt(paused) if paused else None,
                        breached_at=dt(p.due_at) if p.due_at <= fired_until else None,
                    )
                )
                for kind, percent, at in p.alarms:
                    alarm_id += 1
                    fired = at <= fired_until
                    alarms.append(
                        alarm_row(
                            id=alarm_id,
                            clock_id=appeal_id,
                            appeal_id=appeal_id,
                            kind=kind,
                            percent=percent,
                            at=dt(at),
                            # The minute's sweep fired it, with that sweep's mark.
                            fired_at=dt(at + timedelta(seconds=60 - at.second)) if fired else None,
                            sweep=int(at.timestamp()) // 60 + 1 if fired else None,
                        )
                    )
            with transaction.atomic():
                insert(cursor, Appeal, appeal_columns, appeals)
                insert(cursor, AppealClock, clock_columns, clocks)
                insert(cursor, ClockAlarm, alarm_columns, alarms)
            bar.update(len(appeals))
        for sql in connection.ops.sequence_reset_sql(no_style(), [Appeal, AppealClock, ClockAlarm]):
            cursor.execute(sql)
    bar.close()
    AppealCounter.objects.update_or_create(year=2026, defaults={"last_number": n})
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with connection.cursor() as cursor:  # what autovacuum soon does on a live database
            cursor.execute("VACUUM ANALYZE")


# --- measuring -----------------------------------------------------------------------


def vacuum() -> None:
    """Clean up after a rolled-back run (dead rows and index entries), as autovacuum would."""
    from django.db import connection

    from okno.appeals.models import Appeal, Event
    from okno.deadlines.models import AppealClock, ClockAlarm
    from okno.notifications.models import Notification

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (ClockAlarm, AppealClock, Appeal, Event, Notification):
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")


class Statements:
    """Each statement's time, through Django's execute wrapper."""

    def __init__(self) -> None:
        self.times: list[tuple[float, str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((time.perf_counter() - started, sql, params))


def run(now: datetime) -> tuple[float, Any, Statements, dict[str, int]]:
    """One sweep, timed, in a transaction rolled back afterwards; with the rows it
    wrote (notifications and events by kind), counted before the rollback."""
    from django.db import connection, transaction
    from django.db.models import Count

    from okno.appeals.models import Event
    from okno.deadlines.services.sweep import sweep
    from okno.notifications.models import Notification

    statements = Statements()
    last_event = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic():
        with connection.execute_wrapper(statements):
            started = time.perf_counter()
            result = sweep(now)
            elapsed = time.perf_counter() - started
        written = {
            f"notifications.{row['kind']}": row["n"]
            for row in Notification.objects.values("kind").annotate(n=Count("id")).order_by("kind")
        }
        written |= {
            f"events.{row['kind']}": row["n"]
            for row in Event.objects.filter(id__gt=last_event).values("kind").annotate(n=Count("id")).order_by("kind")
        }
        transaction.set_rollback(True)
    vacuum()
    return elapsed, result, statements, written


def pending() -> int:
    from okno.deadlines.models import ClockAlarm

    return ClockAlarm.objects.filter(fired_at__isnull=True).count()


def steady_moment() -> datetime:
    """The moment by which STEADY_ALARMS alarms of running, unpaused clocks are due after
    the last sweep, before the midnight (with fewer, just before it)."""
    from okno.deadlines.calendar import get_calendar
    from okno.deadlines.models import ClockAlarm

    midnight = datetime.combine(DEADLINE_DAY, datetime.max.time(), get_calendar().tz)
    due = ClockAlarm.objects.filter(
        fired_at__isnull=True,
        at__gt=OUTAGE_FROM,
        at__lt=midnight,
        clock__met_at__isnull=True,
        clock__cancelled_at__isnull=True,
        clock__paused_since__isnull=True,
    ).order_by("at")
    moments = list(due.values_list("at", flat=True)[:STEADY_ALARMS])
    return moments[-1] if len(moments) == STEADY_ALARMS else midnight - timedelta(seconds=1)


def explain(now: datetime) -> None:
    """EXPLAIN ANALYZE of every statement of one heavy sweep, replayed in order (so each
    sees what the ones before it did) inside a transaction rolled back afterwards."""
    from django.db import connection, transaction

    _elapsed, _result, statements, _written = run(now)
    with transaction.atomic(), connection.cursor() as cursor:
        for _t, sql, params in statements.times:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            if sql.lstrip().upper().startswith("SET "):
                cursor.execute(sql, params)  # the sweep's own settings (SET LOCAL jit = off)
                continue
            if not sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                continue
            print("\n--- " + " ".join(sql.split())[:400])
            cursor.execute(prefix + sql, params)
            for row in cursor.fetchall():
                print("   ", " | ".join(str(c) for c in row))
        transaction.set_rollback(True)
    vacuum()


def measure(n: int) -> None:
    from okno.deadlines.models import ClockAlarm

    before = pending()
    total = ClockAlarm.objects.count()
    print(f"alarms: {total} in all, {before} not fired yet")
    steady_now = steady_moment()
    figures: dict[str, float] = {}
    for label, now in (("steady", steady_now), ("after_outage", HEAVY_NOW)):
        times, last = [], None
        for _ in range(RUNS):
            elapsed, result, statements, written = run(now)
            times.append(elapsed)
            last = (result, statements, written)
        assert last is not None
        result, statements, written = last
        figures[label] = statistics.median(times)
        print(
            f"sweep {label} now={now.isoformat()} "
            + " ".join(f"{k}={v}" for k, v in result.as_dict().items())
            + f" share={result.alarms / n:.2%} runs=[{', '.join(f'{t:.2f}' for t in times)}] s"
        )
        print("  rows written: " + ", ".join(f"{k}={v}" for k, v in written.items()))
        if label == "after_outage":
            print("statements of the last run (seconds, rows are what the sweep reports above):")
            for seconds, sql, _params in sorted(statements.times, key=lambda s: -s[0])[:12]:
                print(f"  {seconds:7.3f}  {' '.join(sql.split())[:150]}")
    after = pending()
    if after != before:
        print(f"WARNING: {before} alarms were pending before the runs and {after} after: the undo failed")
    print(f"deadline_sweep_steady N={n} seconds={figures['steady']:.3f}")
    print(f"machine: {machine()}")
    print(f"deadline_sweep N={n} seconds={figures['after_outage']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of open appeals")
    parser.add_argument("--fill-only", action="store_true", help="prepare the database and stop")
    parser.add_argument(
        "--explain",
        choices=["after_outage", "steady"],
        help="print EXPLAIN ANALYZE of each statement of that sweep instead of measuring",
    )
    args = parser.parse_args()
    setup_django(f"deadline-sweep-{args.n}.sqlite3")
    print(prepare(args.n))
    if args.explain:
        explain(HEAVY_NOW if args.explain == "after_outage" else steady_moment())
    elif not args.fill_only:
        measure(args.n)


if __name__ == "__main__":
    main()
