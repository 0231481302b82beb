"""Appending events: the only way anything is written to the appeal's log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from okno.appeals.choices import EventKind
from okno.appeals.models import Appeal, Event, Message
from okno.appeals.services.actors import Actor, actor_label, actor_user
from okno.core import fastsql


def snapshot(value: Any) -> dict[str, Any] | None:
    """How a value is kept in an event: what was stored, and how it read then."""
    if value is None or value == "":
        return None
    if isinstance(value, models.Model):
        return {"value": value.pk, "label": str(value)}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(str(v) for v in value)
        return {"value": items, "label": ", ".join(items)}
    if isinstance(value, Decimal):
        return {"value": str(value), "label": str(value)}
    if hasattr(value, "isoformat"):
        return {"value": value.isoformat(), "label": value.isoformat()}
    return {"value": value, "label": str(value)}


def record(
    appeal: Appeal,
    kind: EventKind,
    actor: Actor,
    *,
    field: str = "",
    before: Any = None,
    after: Any = None,
    message: Message | None = None,
    related: Appeal | None = None,
    comment: str = "",
) -> Event:
    return fastsql.insert(
        Event(
            **values(
                appeal,
                kind,
                actor,
                field=field,
                before=before,
                after=after,
                message=message,
                related=related,
                comment=comment,
            )
        )
    )


def values(
    appeal: Appeal,
    kind: EventKind,
    actor: Actor,
    *,
    field: str = "",
    before: Any = None,
    after: Any = None,
    message: Message | int | None = None,
    related: Appeal | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> dict[str, Any]:
    """The fields of the event :func:`record` appends (a batch inserts many at once
    with ``fastsql.insert_rows``; ``message`` may then be the id)."""
    return {
        "appeal": appeal,
        "kind": kind,
        "actor": actor_user(actor),
        "actor_label": actor_label(actor),
        "created_at": at or timezone.now(),
        "field": field,
        "before": snapshot(before),
        "after": snapshot(after),
        "message_id" if isinstance(message, int) else "message": message,
        "related_appeal": related,
        "comment": comment,
    }
