"""The Server-Sent-Events stream a page connects to (``sse-connect``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse

from okno.appeals.access import Visibility, visibility
from okno.live.envelope import Envelope
from okno.live.hub import hub

HEARTBEAT_SECONDS = 15
REFRESH_ACCESS_SECONDS = 30


def _allowed(envelope: Envelope, vis: Visibility) -> bool:
    if envelope.private:
        return vis.user_id in envelope.user_ids
    if envelope.everyone or vis.sees_all:
        return True
    return bool(envelope.queue_ids & vis.queue_ids) or vis.user_id in envelope.user_ids


def _fresh_visibility(user_id: int) -> Visibility:
    from okno.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    return visibility(user) if user is not None else Visibility(user_id=0, sees_all=False)


async def stream(request: HttpRequest) -> HttpResponseBase:
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=403)
    vis = await sync_to_async(_fresh_visibility, thread_sensitive=False)(user.pk)
    subscription = hub.subscribe()

    async def events() -> AsyncIterator[str]:
        nonlocal vis
        checked = time.monotonic()
        try:
            yield "retry: 2000\n: connected\n\n"
            while True:
                try:
                    envelope = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                if envelope is None:
                    return
                if time.monotonic() - checked > REFRESH_ACCESS_SECONDS:
                    vis = await sync_to_async(_fresh_visibility, thread_sensitive=False)(vis.user_id)
                    checked = time.monotonic()
                    if vis.user_id == 0:
                        return
                if _allowed(envelope, vis):
                    yield envelope.sse()
        finally:
            hub.unsubscribe(subscription)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
