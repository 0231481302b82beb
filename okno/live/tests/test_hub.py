"""Server push: who receives what, and that a committed change reaches the hub."""

import asyncio

import pytest
from django.db import transaction

from okno.appeals.access import Visibility
from okno.live import publish
from okno.live.envelope import Envelope
from okno.live.hub import Hub
from okno.live.views import _allowed


def envelope(**kwargs):
    return Envelope(names=("appeals",), data={"id": 1}, **kwargs)


@pytest.mark.parametrize(
    ("env", "vis", "expected"),
    [
        (envelope(queue_ids=frozenset({1})), Visibility(user_id=7, sees_all=False, queue_ids=frozenset({1})), True),
        (envelope(queue_ids=frozenset({2})), Visibility(user_id=7, sees_all=False, queue_ids=frozenset({1})), False),
        (envelope(user_ids=frozenset({7})), Visibility(user_id=7, sees_all=False), True),
        (envelope(queue_ids=frozenset({2})), Visibility(user_id=8, sees_all=True), True),
        (envelope(everyone=True), Visibility(user_id=9, sees_all=False), True),
    ],
)
def test_a_message_reaches_only_those_who_may_see_it(env, vis, expected):
    assert _allowed(env, vis) is expected


def test_the_wire_format_is_one_sse_event_per_name():
    env = Envelope(names=("appeals", "appeal-5"), data={"id": 5, "number": "2026-000005"})
    assert env.sse() == (
        'event: appeals\ndata: {"id":5,"number":"2026-000005"}\n\n'
        'event: appeal-5\ndata: {"id":5,"number":"2026-000005"}\n\n'
    )
    assert Envelope.from_json(env.to_json()) == env


def _wait_for(hub_receives, timeout=3.0):
    async def run():
        hub = Hub()
        subscription = hub.subscribe()
        await asyncio.sleep(0.6)  # the hub starts reading after it is first used
        await asyncio.to_thread(hub_receives)
        received = await asyncio.wait_for(subscription.queue.get(), timeout)
        hub.unsubscribe(subscription)
        return received

    return asyncio.run(run())


@pytest.mark.django_db(transaction=True)
def test_a_committed_publish_reaches_the_hub():
    def commit():
        with transaction.atomic():
            publish(["appeals", "appeal-9"], {"id": 9}, queue_ids=[3])

    received = _wait_for(commit)
    assert received.names == ("appeals", "appeal-9") and received.queue_ids == frozenset({3})


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_publish_never_leaves():
    def roll_back_then_commit():
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(["appeals"], {"id": 1})
            raise RuntimeError("the change failed")
        with transaction.atomic():
            publish(["appeals"], {"id": 2})

    assert _wait_for(roll_back_then_commit).data == {"id": 2}
