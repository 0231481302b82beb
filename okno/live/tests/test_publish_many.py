"""A batch (of registrations) publishes its messages in one statement: each reaches
the hub as if published alone, in order, and only when the batch commits."""

import asyncio

import pytest
from django.db import transaction

from okno.live import envelope, publish_many
from okno.live.hub import Hub


def _collect(publishing, count: int, timeout: float = 5.0):
    async def run():
        hub = Hub()
        subscription = hub.subscribe()
        await asyncio.sleep(0.6)  # the hub starts reading after it is first used
        await asyncio.to_thread(publishing)
        received = [await asyncio.wait_for(subscription.queue.get(), timeout) for _ in range(count)]
        hub.unsubscribe(subscription)
        return received

    return asyncio.run(run())


@pytest.mark.django_db(transaction=True)
def test_every_message_of_a_committed_batch_reaches_the_hub_in_order():
    batch = [
        envelope(["appeals", f"appeal-{n}"], {"id": n, "number": f"2026-00000{n}"}, queue_ids=[n, None], user_ids=[7])
        for n in range(1, 4)
    ]

    def commit():
        with pytest.raises(RuntimeError), transaction.atomic():
            publish_many([envelope(["appeals"], {"id": 99})])
            raise RuntimeError("rolled back: never leaves")
        with transaction.atomic():
            publish_many(batch)

    received = _collect(commit, 3)
    assert received == batch
    assert received[0].queue_ids == frozenset({1}) and received[0].user_ids == frozenset({7})


def test_an_empty_batch_sends_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        publish_many([])
