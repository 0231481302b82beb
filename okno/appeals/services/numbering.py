"""Human numbers, unique and sequential per year: 2026-000123."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from okno.appeals.models.appeal import format_number

# One statement takes the next numbers; SQLite (3.35+) and PostgreSQL both return the last.
_NEXT = "UPDATE appeals_appealcounter SET last_number = last_number + %s WHERE year = %s RETURNING last_number"
_NEW_YEAR = "INSERT INTO appeals_appealcounter (year, last_number) VALUES (%s, 0) ON CONFLICT (year) DO NOTHING"


def allocate(at: datetime | None = None) -> tuple[int, int, str]:
    """Take the next number of the year ``at`` falls in (local time)."""
    return allocate_many(1, at)[0]


def allocate_many(n: int, at: datetime | None = None) -> list[tuple[int, int, str]]:
    """Take the next ``n`` numbers of the year ``at`` falls in (local time), in order:
    ``(year, seq, number)`` each, consecutive.

    Must run inside the registering transaction: the counter row stays locked until
    it commits (PostgreSQL row lock; SQLite IMMEDIATE transactions), so concurrent
    registrations never share a number, and a rolled-back one gives its numbers back.
    Call it as late as possible in the transaction to keep that lock short.
    """
    if n < 1:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_many() must run inside a transaction")
    year = timezone.localtime(at or timezone.now()).year
    with connection.cursor() as cursor:
        cursor.execute(_NEXT, [n, year])
        row = cursor.fetchone()
        if row is None:  # the first appeal of the year
            cursor.execute(_NEW_YEAR, [year])
            cursor.execute(_NEXT, [n, year])
            row = cursor.fetchone()
    last = int(row[0])
    return [(year, seq, format_number(year, seq)) for seq in range(last - n + 1, last + 1)]
