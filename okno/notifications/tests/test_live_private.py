"""A person's unread count is theirs alone: private live messages reach only the
people they name, not even those who see every appeal."""

from __future__ import annotations

import asyncio

import pytest
from django.db import transaction

from okno.appeals.access import Visibility, visibility
from okno.live.envelope import Envelope
from okno.live.hub import Hub
from okno.live.views import _allowed
from okno.notifications import services
from okno.notifications.choices import NotificationKind
from okno.testing import Org


def test_a_private_message_reaches_only_its_people() -> None:
    private = Envelope(names=("notifications",), data={"unread": 1}, user_ids=frozenset({7}), private=True)
    assert _allowed(private, Visibility(user_id=7, sees_all=False))
    assert not _allowed(private, Visibility(user_id=8, sees_all=True))
    assert not _allowed(private, Visibility(user_id=8, sees_all=False, queue_ids=frozenset({1})))
    everyone = Envelope(names=("notifications",), data={}, user_ids=frozenset({7}), everyone=True, private=True)
    assert not _allowed(everyone, Visibility(user_id=9, sees_all=False))


def test_the_private_flag_survives_the_wire() -> None:
    env = Envelope(names=("notifications",), data={"unread": 3}, user_ids=frozenset({5}), private=True)
    assert Envelope.from_json(env.to_json()) == env
    assert Envelope.from_json(Envelope(names=("appeals",), data={}).to_json()).private is False


@pytest.mark.django_db(transaction=True)
def test_a_bell_update_from_notify_reaches_its_owner_only() -> None:
    """Through the real feed (database rows or PostgreSQL NOTIFY) and a real hub: what
    an administrator's stream and Anna's stream would let through."""
    from okno.testing import build_org

    org: Org = build_org()

    async def run() -> Envelope:
        hub = Hub()
        subscription = hub.subscribe()
        await asyncio.sleep(0.6)  # the hub starts reading after it is first used

        def commit() -> None:
            with transaction.atomic():
                services.notify(NotificationKind.REMINDER, [org.anna.pk])

        await asyncio.to_thread(commit)
        received = await asyncio.wait_for(subscription.queue.get(), 5)
        hub.unsubscribe(subscription)
        assert received is not None
        return received

    received = asyncio.run(run())
    assert received.names == ("notifications",) and received.data == {"unread": 1}
    assert received.private and received.user_ids == frozenset({org.anna.pk})
    assert _allowed(received, visibility(org.anna))
    assert not _allowed(received, visibility(org.adam))  # sees every appeal, not Anna's bell
    assert not _allowed(received, visibility(org.sergey))
