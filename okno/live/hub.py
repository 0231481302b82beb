"""One hub per web process: reads the live feed once and fans it out to every
open Server-Sent-Events connection of that process."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from okno.live import backends
from okno.live.envelope import Envelope

logger = logging.getLogger("okno.live")


class Subscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Envelope | None] = asyncio.Queue(maxsize=1000)

    def offer(self, envelope: Envelope) -> None:
        try:
            self.queue.put_nowait(envelope)
        except asyncio.QueueFull:
            # A stalled browser: drop it; its EventSource reconnects and reloads.
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)


class Hub:
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def size(self) -> int:
        return len(self._subscriptions)

    def subscribe(self) -> Subscription:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # A new event loop (tests, a reloaded server): the old task is gone with it.
            self._loop, self._task = loop, None
        subscription = Subscription()
        self._subscriptions.add(subscription)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(), name="okno-live-hub")
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                async for envelope in backends.receiver():
                    delay = 0.5
                    for subscription in list(self._subscriptions):
                        subscription.offer(envelope)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live feed failed; reconnecting in %.1fs", delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)


hub = Hub()
