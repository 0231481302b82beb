"""Appeals registered at the same moment, each in its own connection and
transaction, never push an agent past a limit: the rest wait. (CI runs this on
SQLite and on PostgreSQL, where the assignment lock is what keeps it true.)"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Count

from okno.appeals.choices import Channel, Outcome
from okno.appeals.models import Appeal
from okno.appeals.services import Registration, close, register_appeals
from okno.routing.agents.tests.helpers import ROBOT, agent, automatic
from okno.routing.choices import AssignmentMode
from okno.testing import build_org

THREADS = 6
PER_THREAD = 4


def _run(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", [AssignmentMode.ROUND_ROBIN, AssignmentMode.LEAST_LOADED])
def test_simultaneous_registrations_never_exceed_a_limit(mode: str) -> None:
    org = build_org()
    automatic(org, org.claims, mode)
    limits = {"p1": 1, "p2": 2, "p3": 2}
    for name, limit in limits.items():
        agent(org, name, org.claims, max_open=limit)
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def register(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                register_appeals(
                    ROBOT,
                    [
                        Registration(
                            subject=f"Обращение {n}-{i}-{j}",
                            channel=Channel.PHONE,
                            kind=org.complaint,
                            queue=org.claims,
                        )
                        for j in range(2)
                    ],
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    _run([threading.Thread(target=register, args=(n,)) for n in range(THREADS)])

    assert errors == []
    total = THREADS * PER_THREAD * 2
    assert Appeal.objects.count() == total
    held = dict(
        Appeal.objects.filter(assignee__isnull=False)
        .values_list("assignee__username")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert held == limits  # each agent filled exactly to the limit, never beyond
    assert Appeal.objects.filter(assignee__isnull=True).count() == total - sum(limits.values())


@pytest.mark.django_db(transaction=True)
def test_freed_places_are_filled_once_when_appeals_close_at_the_same_moment() -> None:
    """Agents close their appeals at once while new ones arrive: every freed place
    is given to exactly one waiting appeal and no one goes past the limit."""
    org = build_org()
    automatic(org, org.claims)
    agents = [agent(org, f"p{i}", org.claims, max_open=1) for i in range(4)]
    register_appeals(
        ROBOT,
        [
            Registration(subject=f"Старое {i}", channel=Channel.PHONE, kind=org.complaint, queue=org.claims)
            for i in range(12)
        ],
    )
    held = {a.pk: Appeal.objects.get(assignee=a) for a in agents}
    errors: list[BaseException] = []
    start = threading.Barrier(len(agents) + 2)

    def close_own(user_id: int) -> None:
        try:
            start.wait()
            close(next(a for a in agents if a.pk == user_id), held[user_id], Outcome.EXPLAINED)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def register(n: int) -> None:
        try:
            start.wait()
            register_appeals(
                ROBOT,
                [Registration(subject=f"Новое {n}", channel=Channel.PHONE, kind=org.complaint, queue=org.claims)],
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    _run(
        [threading.Thread(target=close_own, args=(a.pk,)) for a in agents]
        + [threading.Thread(target=register, args=(n,)) for n in range(2)]
    )

    assert errors == []
    open_held = dict(
        Appeal.objects.filter(assignee__isnull=False, status__in=["new", "in_work", "waiting_client"])
        .values_list("assignee__username")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert open_held == {a.username: 1 for a in agents}
