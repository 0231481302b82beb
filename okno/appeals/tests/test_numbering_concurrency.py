"""Numbers stay unique and gapless when many appeals are registered at once."""

import threading

import pytest
from django.db import connection

from okno.appeals.choices import Channel
from okno.appeals.models import Appeal
from okno.appeals.services import SystemActor, register_appeal
from okno.testing import build_org

THREADS = 8
PER_THREAD = 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_registration_never_shares_or_skips_a_number():
    org = build_org()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                register_appeal(
                    SystemActor("test"),
                    subject=f"Обращение {n}-{i}",
                    channel=Channel.API,
                    queue=org.claims,
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = sorted(Appeal.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * PER_THREAD + 1))
    assert Appeal.objects.values("number").distinct().count() == THREADS * PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_a_failed_registration_gives_its_number_back():
    org = build_org()
    org.appeal()
    with pytest.raises(Exception):  # noqa: B017 - any failure inside the transaction
        org.appeal(subject="")
    assert org.appeal().seq == 2
