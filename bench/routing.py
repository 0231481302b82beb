"""Routing benchmark: appeals registered one by one through the rules, the
classifier and load-aware assignment, in-process.

    .venv/bin/python bench/routing.py 2000
    DATABASE_URL=postgres://okno:okno@127.0.0.1:5447/okno_routing .venv/bin/python bench/routing.py 2000

Set-up (untimed, a fresh database each run: SQLite /tmp/okno-bench/routing.sqlite3
unless DATABASE_URL is set): 5 queues of 10 agents each, 50 agents with limits
(at most 25 open appeals, 20 by mail; 3 languages mixes; 40 available, 5 on a
break, 5 working on mail), queues alternating round-robin and least-loaded, a
channel limit for mail; the shipped priority rules plus 20 more (queue by text,
sender domain, segment, amount, phrases, a regular expression); the classifier
trained on the CFPB complaints (../shared/data/complaints) and active.

Timed: N appeals with CFPB narratives (English) and Russian letters, from new and
returning senders, each registered on its own (its own transaction, like an API
call or a mail registered alone): find or create the client, ``register_appeal``
with routing. The routing decision (language, classifier, rules; then assignment
under the lock) is timed for every appeal; p95 is over those. More appeals than
the agents can take: the rest wait in their queues.

Checked afterwards: every appeal has its routing record, no agent holds more open
appeals than its limits, nobody on a break got one.

The last line is the figure: ``routing N=<n> per_sec=<x> p95_ms=<y>``.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import BENCH_DIR, ROOT, machine, setup_django

CSV = ROOT.parent / "shared" / "data" / "complaints" / "cfpb_4class_product_narratives.csv"
AGENTS = 50
QUEUES = 5
RUSSIAN = [
    "Здравствуйте! По кредитному договору {n} банк начислил штраф, хотя платёж прошёл вовремя. Прошу вернуть "
    "{amount} руб. В противном случае буду вынужден обратиться в суд.",
    "Добрый день. Не приходит выписка по карте {n}, в приложении ошибка при входе. Прошу помочь.",
    "Прошу пересмотреть решение по ипотеке: ставка изменилась без уведомления. Договор {n}.",
    "Коллекторы звонят по чужому долгу {n} каждый день. Прошу прекратить звонки.",
    "Направляем обращение гражданина, поступившее в Банк России, для рассмотрения по существу ({n}).",
]


def narratives() -> list[tuple[str, str]]:
    with CSV.open(encoding="utf-8", newline="") as f:
        return [(row["Product"], row["Consumer complaint narrative"]) for row in csv.DictReader(f)]


def prepare() -> tuple[list[Any], Any]:
    """Fresh tables, queues, agents with limits, rules, a trained classifier."""
    from django.core.management import call_command
    from django.db import transaction

    from okno.accounts.choices import Role
    from okno.accounts.models import User
    from okno.appeals.models import Kind
    from okno.deadlines.presets import load_presets as load_deadline_presets
    from okno.queues.models import Membership, Queue
    from okno.routing.agents.choices import AgentStatus
    from okno.routing.agents.models import AgentProfile, ChannelLimit
    from okno.routing.choices import AssignmentMode
    from okno.routing.models import QueueRouting
    from okno.routing.services.presets import load_presets

    call_command("migrate", interactive=False, verbosity=0)
    wipe()
    with transaction.atomic():
        load_deadline_presets()
        Kind.objects.get_or_create(code="complaint", defaults={"name": "Жалоба", "name_en": "Complaint"})
        queues = []
        for q in range(QUEUES):
            queue, _ = Queue.objects.get_or_create(
                code=f"bench-{q}", defaults={"name": f"Линия {q + 1}", "name_en": f"Line {q + 1}"}
            )
            mode = AssignmentMode.ROUND_ROBIN if q % 2 else AssignmentMode.LEAST_LOADED
            QueueRouting.objects.update_or_create(queue=queue, defaults={"mode": mode, "auto_apply_threshold": 0.6})
            queues.append(queue)
        for i in range(AGENTS):
            user, _ = User.objects.get_or_create(
                username=f"agent{i}", defaults={"role": Role.AGENT, "last_name": f"Агент{i}"}
            )
            Membership.objects.get_or_create(queue=queues[i % QUEUES], user=user)
            if i % 7 == 0:  # some work two lines
                Membership.objects.get_or_create(queue=queues[(i + 1) % QUEUES], user=user)
            status = AgentStatus.BREAK if i % 10 == 3 else AgentStatus.MAIL if i % 10 == 7 else AgentStatus.AVAILABLE
            AgentProfile.objects.update_or_create(
                user=user,
                defaults={
                    "status": status,
                    "max_open": 25,
                    "channel_limits": {"mail": 20},
                    "languages": [] if i % 3 else (["ru"] if i % 2 else ["ru", "en"]),
                },
            )
        ChannelLimit.objects.update_or_create(channel="mail", defaults={"max_open": 900})
        load_presets()
        extra_rules(queues)
    call_command(
        "classifier",
        "train",
        "--csv",
        str(CSV),
        "--text-column",
        "Consumer complaint narrative",
        "--label-column",
        "Product",
        "--create-missing",
        "--activate",
        verbosity=0,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
        stderr=open(os.devnull, "w"),  # noqa: SIM115
    )
    return queues, Kind.objects.get(code="complaint")


def extra_rules(queues: list[Any]) -> None:
    """Twenty rules of the kinds an administrator writes, after the presets."""
    from okno.routing.models import RoutingRule

    terms = [
        ["кредит", "заём", "loan"],
        ["ипотека", "mortgage"],
        ["коллектор", "debt collector", '"чужой долг"'],
        ["карта", "card"],
        ["credit report", "equifax", "experian", "transunion"],
    ]
    rules = []
    for i in range(20):
        queue = queues[i % QUEUES]
        conditions: dict[str, Any] = {"text": terms[i % len(terms)]}
        if i % 4 == 1:
            conditions["channels"] = ["mail"]
        if i % 5 == 2:
            conditions["senders"] = [f"@partner{i}.example"]
        if i % 6 == 3:
            conditions["amount_over"] = "50000"
        if i == 11:
            conditions = {"text": [r"/договор\w*\s+№?\s*\d{3,}/"]}
        actions: dict[str, Any] = {"queue": queue.pk, "tags": [f"тема-{i % len(terms)}"]}
        rules.append(
            RoutingRule(name=f"Bench rule {i}", position=200 + i, conditions=conditions, actions=actions, stop=i == 19)
        )
    RoutingRule.objects.bulk_create(rules)


def wipe() -> None:
    """PostgreSQL keeps its database between runs: empty what the bench writes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE routing_appealrouting, routing_routingrule, classifier_classifiermodel, "
            "deadlines_clockalarm, deadlines_appealclock, appeals_appealsearch, appeals_event, "
            "appeals_attachment, appeals_message, appeals_appeal_tags, appeals_appeallink, appeals_appeal, "
            "appeals_appealcounter, clients_contact, clients_client, live_livemessage, "
            "notifications_notification CASCADE"
        )


class Timer:
    """Times routing's two steps for each registration."""

    def __init__(self) -> None:
        self.current = 0.0
        self.samples: list[float] = []

    def install(self) -> None:
        from okno.appeals.services import hooks
        from okno.routing import pipeline

        route, before = pipeline.route, pipeline.RoutingPass.before_insert
        timer = self

        def timed_route(arrivals: Any) -> Any:
            started = time.perf_counter()
            try:
                return route(arrivals)
            finally:
                timer.current = time.perf_counter() - started

        def timed_before(self: Any) -> None:
            started = time.perf_counter()
            try:
                before(self)
            finally:
                timer.samples.append(timer.current + time.perf_counter() - started)

        hooks.set_router(timed_route)
        pipeline.RoutingPass.before_insert = timed_before  # type: ignore[method-assign]


def appeals(n: int, run: str) -> list[tuple[str, str, str, str]]:
    """``(address, name, subject, text)``: CFPB narratives and Russian letters, a
    third of them from senders who wrote before."""
    rng = random.Random(5)
    texts = narratives()
    items = []
    for i in range(n):
        sender = rng.randrange(i) if i and rng.random() < 0.3 else i
        if i % 3 == 2:
            text = RUSSIAN[i % len(RUSSIAN)].format(n=10000 + i, amount=rng.choice(["15 000", "1 200 000", "700"]))
            subject = text.split(".")[0][:80]
        else:
            _label, text = texts[rng.randrange(len(texts))]
            subject = " ".join(text.split()[:8])
        items.append((f"client{sender}.{run}@example.ru", f"Клиент {sender}", subject, text))
    return items


def register(items: list[tuple[str, str, str, str]], kind: Any) -> float:
    from okno.appeals.services import SystemActor
    from okno.appeals.services.registration import InboundContent, register_appeal
    from okno.clients.services import find_or_create_by_contact

    actor = SystemActor("mail")
    started = time.perf_counter()
    for address, name, subject, text in items:
        client = find_or_create_by_contact("email", address, name=name)
        register_appeal(
            actor,
            subject=subject,
            channel="mail",
            kind=kind,
            client=client,
            content=InboundContent(body_text=text, sender=address),
        )
    return time.perf_counter() - started


def verify(expected: int) -> str:
    from django.db.models import Count

    from okno.appeals.choices import Status
    from okno.appeals.models import Appeal
    from okno.routing.agents.choices import AgentStatus
    from okno.routing.agents.models import AgentProfile
    from okno.routing.models import AppealRouting

    problems = []
    if AppealRouting.objects.count() != expected:
        problems.append("an appeal without its routing record")
    open_ = Appeal.objects.filter(status__in=Status.open_values(), assignee__isnull=False)
    loads = {row["assignee"]: row["n"] for row in open_.values("assignee").annotate(n=Count("id"))}
    for profile in AgentProfile.objects.all():
        load = loads.get(profile.user_id, 0)
        if profile.max_open is not None and load > profile.max_open:
            problems.append(f"agent {profile.user_id} holds {load} > {profile.max_open}")
        if profile.status == AgentStatus.BREAK and load:
            problems.append(f"agent {profile.user_id} on a break got {load}")
    if problems:
        sys.exit("check failed: " + "; ".join(problems[:5]))
    assigned = sum(loads.values())
    fired = AppealRouting.objects.exclude(fired=[]).count()
    suggested = AppealRouting.objects.exclude(suggestions={}).count()
    return (
        f"check: {expected} routed ({fired} with a rule fired, {suggested} with a suggestion), {assigned} assigned "
        f"within limits to {len(loads)} agents, {expected - assigned} waiting"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="appeals to register")
    parser.add_argument(
        "--without-routing", action="store_true", help="the same registrations with routing switched off (the baseline)"
    )
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            Path(BENCH_DIR / f"routing.sqlite3{suffix}").unlink(missing_ok=True)
    setup_django("routing.sqlite3")
    print(machine())
    set_up = time.perf_counter()
    _queues, kind = prepare()
    print(f"set-up (agents, rules, classifier training): {time.perf_counter() - set_up:.1f} s")
    run = str(int(time.time()))
    timer = Timer()
    if args.without_routing:
        from okno.appeals.services import hooks

        hooks.set_router(lambda arrivals: None)
        timer.samples = [0.0]
    else:
        timer.install()
    warm = 50
    register(appeals(warm, run + "w"), kind)  # per-process caches, the model loaded
    if not args.without_routing:
        timer.samples.clear()
    seconds = register(appeals(args.n, run), kind)
    samples = sorted(timer.samples)
    p95 = samples[int(0.95 * (len(samples) - 1))] * 1000
    if args.without_routing:
        print(f"without routing: {args.n / seconds:.0f} appeals/s")
        return
    print(verify(args.n + warm))
    print(
        f"routing decision: median {statistics.median(samples) * 1000:.2f} ms, p95 {p95:.2f} ms, "
        f"max {samples[-1] * 1000:.2f} ms; end to end {args.n / seconds:.0f} appeals/s"
    )
    print(f"routing N={args.n} per_sec={args.n / seconds:.0f} p95_ms={p95:.2f}")


if __name__ == "__main__":
    main()
