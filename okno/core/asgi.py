"""How Okno runs Django under ASGI: request threads that live as long as the
process, and one thread crossing per request.

Django's ASGI handler runs each request's synchronous code (middleware, views, the
ORM) on a thread created for that request. Database connections belong to their
thread, so every request opened a new one and closed it at the end — with SQLite a
fresh connection runs its PRAGMAs, and closing the last connection to a WAL
database checkpoints it. Measured: about a sixth of a simple API request.

:class:`RequestThreads` lends each HTTP request one of a fixed set of single-thread
executors (asgiref's ``ThreadSensitiveContext(executor=…)``), so threads and their
connections are reused, and at most that many requests run synchronous code at
once in this process; the rest wait their turn, first come first served. The live
stream is long-lived and almost entirely async: it keeps Django's own per-request
thread and never holds a slot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestThreads:
    def __init__(self, app: ASGIApp, threads: int, *, bypass_prefixes: tuple[str, ...] = ("/live/",)) -> None:
        self.app = app
        self.threads = threads
        self.bypass_prefixes = bypass_prefixes
        self._executors = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"okno-request-{n}") for n in range(threads)
        ]
        self._free: asyncio.Queue[ThreadPoolExecutor] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _pool(self) -> asyncio.Queue[ThreadPoolExecutor]:
        loop = asyncio.get_running_loop()
        if self._free is None or self._loop is not loop:
            self._loop = loop
            self._free = asyncio.Queue()
            for executor in self._executors:
                self._free.put_nowait(executor)
        return self._free

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(self.bypass_prefixes):
            await self.app(scope, receive, send)
            return
        free = self._pool()
        executor = await free.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            free.put_nowait(executor)


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain loaded in sync mode.

    Django's own builds the chain async; then each ``MiddlewareMixin`` middleware
    (most of Django's) runs ``process_request`` and ``process_response`` in a thread
    of their own, and the sync view in another: several thread crossings per
    request. Our views are sync, so the whole chain runs in the request's thread,
    entered once. Async views (the live stream) still run on the event loop: Django
    calls them through ``async_to_sync`` from the sync chain.
    """

    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        return response
