"""Routing is on the path of every registration: one appeal against 50 rules takes
well under a millisecond, and a batch reads the database a fixed number of times."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okno.clients.choices import ClientKind
from okno.clients.services import create_client
from okno.routing.services import presets, rules
from okno.routing.services.rules import Batch, compiled, route_one
from okno.routing.tests.helpers import arrival, rule

pytestmark = pytest.mark.django_db

LETTER = (
    "Здравствуйте! Прошу разобраться с начислением комиссии по моей кредитной карте. "
    "В прошлом месяце с меня списали 1 500 руб. без объяснения причин, хотя по договору "
    "обслуживание бесплатное. Я обращался в отделение, но мне ничего не ответили. "
) * 4


def _fifty_rules(org):
    presets.load_presets()
    words = ["ипотека", "вклад", "перевод", "банкомат", "кешбэк", "страховка", "процент", "досрочное"]
    for n in range(50 - sum(p.active for p in presets.PRESETS)):
        rule(
            org,
            f"Rule {n}",
            when={
                "channels": ["mail", "portal"],
                "text": [words[n % len(words)], f'"слово {n}"', "/договор\\s*№\\s*9{6}/"],
                "text_none": ["спам"],
            },
            tags=[f"t{n}"],
        )


def test_one_appeal_against_fifty_rules_takes_well_under_a_millisecond(org):
    _fifty_rules(org)
    client = create_client(None, name="Клиент", is_vip=False)
    rules_now = compiled()
    assert len(rules_now) == 50
    timings = []
    for _n in range(200):
        one = arrival(org, LETTER, client=client)
        batch = Batch(rules_now, [one])
        start = time.perf_counter()
        route_one(rules_now, one, batch.facts[0], {}, batch)
        timings.append(time.perf_counter() - start)
    timings.sort()
    median = timings[len(timings) // 2]
    print(f"one appeal, 50 rules: median {median * 1e6:.0f} µs")
    assert median < 0.001, f"median {median * 1000:.3f} ms"


def test_a_batch_reads_the_database_a_fixed_number_of_times(org):
    _fifty_rules(org)
    network = create_client(None, name="Сеть", kind=ClientKind.ORGANISATION)
    shop = create_client(None, name="Магазин", kind=ClientKind.ORGANISATION, parent=network)
    rule(org, "Network", when={"organisations": [network.pk]}, tags=["n"])
    compiled()
    clients = [create_client(None, name=f"Клиент {n}", parent=shop if n % 2 else None) for n in range(20)]
    batch = [arrival(org, LETTER, client=c) for c in clients]
    with CaptureQueriesContext(connection) as queries:
        rules.decide(batch, [{} for _a in batch])
    # Earlier appeals of all clients, and their organisations a level at a time.
    assert len(queries) <= 3, [q["sql"] for q in queries]
    assert sum("n" in a.tags for a in batch) == 10
