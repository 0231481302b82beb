"""Long-running listeners (a mailbox's IMAP connection) the scheduler's worker runs.

A channel app registers a starter in its ``ready()``; the worker that runs the
scheduler starts them all (like the scheduler, they must run once per site) and sets
the stop event when it stops."""

from __future__ import annotations

import threading
from collections.abc import Callable

Starter = Callable[[threading.Event], object]
_starters: list[Starter] = []


def register(starter: Starter) -> None:
    if starter not in _starters:
        _starters.append(starter)


def start_all(stop: threading.Event) -> int:
    for starter in _starters:
        starter(stop)
    return len(_starters)
