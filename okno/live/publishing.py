from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from okno.live import backends
from okno.live.envelope import Envelope


def publish(
    names: Iterable[str],
    data: dict[str, Any] | None = None,
    *,
    queue_ids: Iterable[int | None] = (),
    user_ids: Iterable[int | None] = (),
    everyone: bool = False,
    private: bool = False,
) -> None:
    """Send a live message to the browsers allowed to get it.

    Call it inside the transaction that makes the change: it is delivered only if
    that transaction commits. ``data`` must not hold personal data; pages re-fetch
    what they show. ``private=True`` limits it to ``user_ids`` alone (a person's own
    notifications), even for those who see every appeal.
    """
    backends.send(envelope(names, data, queue_ids=queue_ids, user_ids=user_ids, everyone=everyone, private=private))


def envelope(
    names: Iterable[str],
    data: dict[str, Any] | None = None,
    *,
    queue_ids: Iterable[int | None] = (),
    user_ids: Iterable[int | None] = (),
    everyone: bool = False,
    private: bool = False,
) -> Envelope:
    """The message :func:`publish` sends, for :func:`publish_many`."""
    return Envelope(
        names=tuple(names),
        data=data or {},
        queue_ids=frozenset(q for q in queue_ids if q is not None),
        user_ids=frozenset(u for u in user_ids if u is not None),
        everyone=everyone,
        private=private,
    )


def publish_many(envelopes: Sequence[Envelope]) -> None:
    """Send several messages (each as :func:`publish` would) in one statement: a
    batch of registrations tells every appeal's listeners at once."""
    backends.send_many(envelopes)
