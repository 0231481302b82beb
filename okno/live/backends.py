"""Where live messages travel between processes.

``database`` writes a row in the changing transaction; each hub polls for new
rows. ``postgres`` sends NOTIFY in the changing transaction (delivered at commit,
in commit order); each hub LISTENs. The default follows the database in use.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.utils import timezone

from okno.core import fastsql
from okno.live.envelope import Envelope

logger = logging.getLogger("okno.live")
CHANNEL = "okno_live"
RETENTION = timedelta(minutes=10)


def backend_name() -> str:
    configured = settings.LIVE_BACKEND
    if configured:
        return configured
    return "postgres" if connection.vendor == "postgresql" else "database"


def send(envelope: Envelope) -> None:
    send_many([envelope])


def send_many(envelopes: Sequence[Envelope]) -> None:
    """Several messages in one statement (a batch of registrations), in order."""
    if not envelopes:
        return
    if backend_name() == "postgres":
        with connection.cursor() as cursor:
            if len(envelopes) == 1:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, envelopes[0].to_json()])
            else:
                cursor.execute(
                    "SELECT pg_notify(%s, payload) FROM unnest(%s::text[]) AS payload",
                    [CHANNEL, [envelope.to_json() for envelope in envelopes]],
                )
        return
    from okno.live.models import LiveMessage

    fastsql.insert_rows(LiveMessage, [_row(envelope) for envelope in envelopes])


def _row(envelope: Envelope) -> dict[str, Any]:
    return {
        "event": ",".join(envelope.names)[:100],
        "data": {
            "names": list(envelope.names),
            "data": envelope.data,
            "everyone": envelope.everyone,
            "private": envelope.private,
        },
        "queue_ids": sorted(envelope.queue_ids),
        "user_ids": sorted(envelope.user_ids),
    }


# --- receiving (async, one loop per web process) ------------------------------------


def _latest_id() -> int:
    from okno.live.models import LiveMessage

    return LiveMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _rows_after(last_id: int) -> list[tuple[int, Envelope]]:
    from okno.live.models import LiveMessage

    rows = LiveMessage.objects.filter(id__gt=last_id).order_by("id")[:1000]
    return [
        (
            row.id,
            Envelope(
                names=tuple(row.data.get("names") or ()),
                data=row.data.get("data") or {},
                queue_ids=frozenset(row.queue_ids),
                user_ids=frozenset(row.user_ids),
                everyone=bool(row.data.get("everyone")),
                private=bool(row.data.get("private")),
            ),
        )
        for row in rows
    ]


def _prune() -> None:
    from okno.live.models import LiveMessage

    LiveMessage.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()


async def receive_database() -> AsyncIterator[Envelope]:
    last_id = await sync_to_async(_latest_id, thread_sensitive=False)()
    polls = 0
    while True:
        await asyncio.sleep(settings.LIVE_POLL_SECONDS)
        rows = await sync_to_async(_rows_after, thread_sensitive=False)(last_id)
        for row_id, envelope in rows:
            last_id = row_id
            yield envelope
        polls += 1
        if polls % 1200 == 0:
            await sync_to_async(_prune, thread_sensitive=False)()


async def receive_postgres() -> AsyncIterator[Envelope]:
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("pool", None)
    params.pop("server_side_binding", None)
    params.pop("prepare_threshold", None)
    async with await psycopg.AsyncConnection.connect(autocommit=True, **params) as conn:
        await conn.execute(f"LISTEN {CHANNEL}")
        async for notify in conn.notifies():
            try:
                yield Envelope.from_json(notify.payload)
            except (ValueError, KeyError):
                logger.warning("dropped a malformed live message")


def receiver() -> AsyncIterator[Envelope]:
    return receive_postgres() if backend_name() == "postgres" else receive_database()
