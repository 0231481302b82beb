"""A short per-process memory of reference rows (kinds, queues, categories,
products) that every registration looks up by id.

Administrators change these rarely; a change reaches the process that made it at
once (the reference services call :func:`forget`) and every other process within
``SECONDS``. Only lookups that feed a new appeal use it; pages and the admin read
the database.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import models

SECONDS = 30.0
_rows: dict[tuple[type[models.Model], Any], tuple[float, models.Model | None]] = {}


def get[M: models.Model](model: type[M], **lookup: Any) -> M | None:
    """``model._default_manager.filter(**lookup).first()``, remembered for a while."""
    key = (model, tuple(sorted(lookup.items())))
    now = time.monotonic()
    hit = _rows.get(key)
    if hit is not None and now - hit[0] < SECONDS:
        return hit[1]  # type: ignore[return-value]
    found = model._default_manager.filter(**lookup).first()
    _rows[key] = (now, found)
    return found


def forget(model: type[models.Model] | None = None) -> None:
    """Drop what is remembered (of one model, or of all)."""
    for key in [key for key in _rows if model is None or key[0] is model]:
        _rows.pop(key, None)
