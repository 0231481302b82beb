"""Human numbers, unique and sequential per year: 2026-000123."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from okno.appeals.models import AppealCounter
from okno.appeals.models.appeal import format_number


def allocate(at: datetime | None = None) -> tuple[int, int, str]:
    """Take the next number of the year ``at`` falls in (local time).

    Must run inside the registering transaction: the counter row stays locked until
    it commits (PostgreSQL row lock; SQLite IMMEDIATE transactions), so concurrent
    registrations never share a number, and a rolled-back one gives its number back.
    Call it as late as possible in the transaction to keep that lock short.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate() must run inside a transaction")
    year = timezone.localtime(at or timezone.now()).year
    AppealCounter.objects.bulk_create([AppealCounter(year=year, last_number=0)], ignore_conflicts=True)
    AppealCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
    seq = AppealCounter.objects.filter(year=year).values_list("last_number", flat=True).get()
    return year, seq, format_number(year, seq)
