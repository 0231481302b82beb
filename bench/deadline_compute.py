"""Deadline computation benchmark: how many new appeals per second get their clocks.

    .venv/bin/python bench/deadline_compute.py 200000
    DATABASE_URL=postgres://okno:okno@127.0.0.1:5447/okno_compute .venv/bin/python bench/deadline_compute.py 200000

Times exactly what registration computes for a new appeal, without the INSERTs:
``okno.deadlines.services.clocks.compute_clocks`` — the first matching policy (or the
queue's term), then every clock's deadline, "at risk" point and alarms — over N
unsaved appeals with varied kinds, categories, channels, priorities and receipt
times spread over a year, each computed as at its own registration. Nothing is
written and nothing is kept: a registering process computes one appeal at a time.

The database (SQLite file /tmp/okno-bench/deadline-compute.sqlite3 unless
DATABASE_URL is set; a PostgreSQL database is created if missing) only holds the
reference rows: migrations, ``load_presets()``,
a realistic mix of active policies (see ``POLICIES``), the kinds, categories and
queues they need. It is reused; the setup is idempotent.

A sample of the results is checked against ``get_calendar().add`` and the policy the
mix says must apply. The last line is the figure: ``deadline_compute N=<n> per_sec=<x>``.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from benchlib import machine, setup_django

WARM_UP = 2000
SAMPLE = 2000
YEAR_END = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # appeals arrive in the year before this

# (code, name, answer term in days): the term applies when no policy matches.
QUEUES = [
    ("dq-first-line", "Первая линия", 15),
    ("dq-cards", "Карты", 30),
    ("dq-loans", "Кредиты", 30),
    ("dq-service", "Сервис", 10),
    ("dq-claims", "Рекламации", 20),
]
# (code, name, parent code): two category trees and a few loose categories.
CATEGORIES = [
    ("dc-cards", "Карты", None),
    ("dc-card-dispute", "Спорная операция", "dc-cards"),
    ("dc-card-crossborder", "Спорная трансграничная операция", "dc-cards"),
    ("dc-goods", "Товар", None),
    ("dc-goods-repair", "Ремонт", "dc-goods"),
    ("dc-goods-replacement", "Замена", "dc-goods"),
    ("dc-goods-check", "Замена с проверкой качества", "dc-goods"),
    ("dc-goods-refund", "Возврат денег", "dc-goods"),
    ("dc-personal-data", "Персональные данные", None),
    ("dc-fees", "Комиссии", None),
    ("dc-loans", "Кредиты", None),
    ("dc-app", "Мобильное приложение", None),
]
# Active presets in their shipped order, with the criteria this bench gives them.
POLICIES: list[tuple[str, dict[str, Any]]] = [
    ("fz161-card-dispute-crossborder", {"categories": ["dc-card-crossborder"]}),  # 60 calendar days
    ("fz152-pd-request", {"categories": ["dc-personal-data"]}),  # 10 working days
    ("fz161-card-dispute", {"categories": ["dc-cards"]}),  # 30 calendar days, the subcategories too
    ("zozpp-20-repair", {"categories": ["dc-goods-repair"]}),  # 45 calendar days
    ("zozpp-21-replacement", {"categories": ["dc-goods-replacement"]}),  # 7
    ("zozpp-21-replacement-check", {"categories": ["dc-goods-check"]}),  # 20
    ("zozpp-22-money", {"categories": ["dc-goods-refund"]}),  # 10
    ("fz442-financial", {"kinds": ["complaint", "claim"]}),  # 15 working days
    ("sla-example", {"channels": ["portal", "mail", "messenger", "api"]}),  # 4 working hours + 3 working days
]
# The rest (phone, paper, in person; not a complaint or a claim): the queue's term.
KIND_WEIGHTS = {
    "complaint": 30,
    "claim": 15,
    "warranty_claim": 8,
    "request": 25,
    "consultation": 15,
    "gratitude": 2,
    "other": 5,
}
CATEGORY_WEIGHTS = {
    None: 25,
    "dc-cards": 3,
    "dc-card-dispute": 8,
    "dc-card-crossborder": 2,
    "dc-goods-repair": 4,
    "dc-goods-replacement": 2,
    "dc-goods-check": 1,
    "dc-goods-refund": 3,
    "dc-personal-data": 2,
    "dc-fees": 15,
    "dc-loans": 20,
    "dc-app": 15,
}
CHANNEL_WEIGHTS = {"mail": 35, "portal": 25, "phone": 20, "messenger": 8, "api": 4, "paper": 5, "in_person": 3}
PRIORITY_WEIGHTS = {"low": 15, "normal": 55, "high": 25, "critical": 5}


def prepare() -> dict[str, Any]:
    """Migrate, load the presets, activate the mix; returns the reference rows by code."""
    from django.core.management import call_command
    from django.db import transaction

    from okno.appeals.models import Category, Kind
    from okno.deadlines.models import DeadlinePolicy
    from okno.deadlines.presets import load_presets
    from okno.deadlines.services import policies
    from okno.queues.models import Queue

    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        load_presets()
        queues = {}
        for position, (code, name, term) in enumerate(QUEUES):
            queues[code], _ = Queue.objects.update_or_create(
                code=code, defaults={"name": name, "name_en": code, "answer_term_days": term, "position": position}
            )
        categories: dict[str, Category] = {}
        for code, name, parent in CATEGORIES:
            categories[code], _ = Category.objects.update_or_create(
                code=code, defaults={"name": name, "name_en": code, "parent": categories.get(parent or "")}
            )
        kinds = {k.code: k for k in Kind.objects.filter(code__in=KIND_WEIGHTS)}
        if len(kinds) != len(KIND_WEIGHTS):
            sys.exit(f"Missing kinds: {sorted(set(KIND_WEIGHTS) - set(kinds))}")
        wanted = dict(POLICIES)
        for policy in DeadlinePolicy.objects.all():
            criteria = wanted.get(policy.code)
            policy.is_active = criteria is not None
            criteria = criteria or {}
            policy.channels = criteria.get("channels", [])
            policy.segments, policy.priorities = [], []
            policy.save()
            policy.kinds.set([kinds[k] for k in criteria.get("kinds", [])])
            policy.categories.set([categories[c] for c in criteria.get("categories", [])])
        policies.forget()
    return {"queues": queues, "categories": categories, "kinds": kinds}


def expected_policy(kind: str, category: str | None, channel: str) -> str | None:
    """Which policy the mix must choose, worked out independently of the services."""
    parents = {code: parent for code, _name, parent in CATEGORIES}
    for code, criteria in POLICIES:
        cats = criteria.get("categories")
        if cats and not (category in cats or parents.get(category or "") in cats):
            continue
        if criteria.get("kinds") and kind not in criteria["kinds"]:
            continue
        if criteria.get("channels") and channel not in criteria["channels"]:
            continue
        return code
    return None


def build(n: int, refs: dict[str, Any], seed: int) -> list[Any]:
    """N unsaved appeals, received over a year, registered within minutes (some paper
    and mail up to two days later)."""
    from okno.appeals.choices import PRIORITY_RANK
    from okno.appeals.models import Appeal

    rng = random.Random(seed)
    now = YEAR_END
    queues = list(refs["queues"].values())

    def pick(weights: dict[Any, int], k: int) -> list[Any]:
        return rng.choices(list(weights), list(weights.values()), k=k)

    kinds, categories = pick(KIND_WEIGHTS, n), pick(CATEGORY_WEIGHTS, n)
    channels, priorities = pick(CHANNEL_WEIGHTS, n), pick(PRIORITY_WEIGHTS, n)
    appeals = []
    for i in range(n):
        received = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        late = channels[i] in ("paper", "mail") and rng.random() < 0.3
        registered = received + timedelta(seconds=rng.uniform(0, 2 * 86400) if late else rng.uniform(1, 600))
        category = refs["categories"][categories[i]] if categories[i] else None
        appeals.append(
            Appeal(
                number=f"B-{i + 1}",
                kind=refs["kinds"][kinds[i]],
                category=category,
                channel=channels[i],
                priority=priorities[i],
                priority_rank=PRIORITY_RANK[priorities[i]],
                queue=rng.choice(queues),
                status="new",
                subject="bench",
                created_at=received,
                registered_at=registered,
            )
        )
    return appeals


def check(appeals: list[Any], results: dict[int, list[Any]]) -> int:
    """Spot-check a sample: the policy the mix says, each deadline as ``get_calendar().add``
    gives it, the "at risk" point inside the term and the breach alarm on the deadline."""
    from okno.deadlines.calendar import get_calendar
    from okno.deadlines.choices import AlarmKind, ClockKind, TermUnit
    from okno.deadlines.models import DeadlinePolicy

    clocks_of = {
        p.code: sorted(p.clocks.all(), key=lambda c: c.clock)
        for p in DeadlinePolicy.objects.filter(is_active=True).prefetch_related("clocks")
    }
    bad = 0
    for i in results:
        appeal, clocks = appeals[i], sorted(results[i], key=lambda c: c.clock)
        code = expected_policy(appeal.kind.code, appeal.category.code if appeal.category else None, appeal.channel)
        if code is None:
            want: list[tuple[Any, ...]] = [
                (ClockKind.ANSWER, appeal.queue.answer_term_days, TermUnit.CALENDAR_DAYS, "next", None)
            ]
        else:
            want = [(c.clock, c.term_amount, c.term_unit, c.day_off_rule, c.calendar_id) for c in clocks_of[code]]
        got_code = clocks[0].policy.code if clocks and clocks[0].policy else None
        if got_code != code or len(clocks) != len(want):
            bad += 1
            print(f"MISMATCH appeal {i}: policy {got_code} ≠ {code} or {len(clocks)} clocks ≠ {len(want)}")
            continue
        for clock, (kind, amount, unit, rule, calendar_id) in zip(clocks, want, strict=True):
            due = get_calendar(calendar_id).add(appeal.created_at, amount, unit, rule)
            breach = [at for k, _p, at in clock.plan.alarms if k == AlarmKind.BREACH]
            ok = (
                clock.clock == kind
                and clock.due_at == due
                and clock.started_at == appeal.created_at
                and clock.started_at < clock.risk_at <= clock.due_at
                and breach == [due]
            )
            if not ok:
                bad += 1
                print(f"MISMATCH appeal {i} {clock.clock}: due {clock.due_at} ≠ {due} or alarms {clock._plan.alarms}")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=200_000, help="number of appeals")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="run under cProfile and print the top functions")
    args = parser.parse_args()
    setup_django("deadline-compute.sqlite3")
    from okno.deadlines.services.clocks import compute_clocks

    refs = prepare()
    appeals = build(args.n, refs, args.seed)
    warm = build(WARM_UP, refs, args.seed + 7)
    for appeal in warm:  # calendars compiled, policies read, code paths warm
        compute_clocks(appeal, appeal.registered_at)

    # A registering process computes one appeal's clocks and writes them: nothing is
    # kept here (keeping N results made the garbage collector the bottleneck).
    sample = sorted(random.Random(args.seed + 1).sample(range(args.n), min(SAMPLE, args.n)))
    gc.collect()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    for appeal in appeals:
        compute_clocks(appeal, appeal.registered_at)
    elapsed = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    clocks = alarms = 0
    by_policy: dict[str, int] = {}
    for appeal in appeals:  # again, untimed, for the report
        computed = compute_clocks(appeal, appeal.registered_at)
        clocks += len(computed)
        alarms += sum(len(c.plan.alarms) for c in computed)
        code = computed[0].policy.code if computed and computed[0].policy else "queue term"
        by_policy[code] = by_policy.get(code, 0) + 1
    print("appeals by policy: " + ", ".join(f"{k} {v}" for k, v in sorted(by_policy.items(), key=lambda kv: -kv[1])))
    print(f"clocks={clocks} alarms={alarms} seconds={elapsed:.2f}")
    results = {i: compute_clocks(appeals[i], appeals[i].registered_at) for i in sample}
    bad = check(appeals, results)
    print(f"checked {len(results)} appeals against get_calendar().add: {bad} mismatches")
    print(f"machine: {machine()}")
    print(f"deadline_compute N={args.n} per_sec={args.n / elapsed:.0f}")
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
