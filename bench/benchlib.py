"""What the bench scripts share: bulk rows into a table, and the machine line."""

from __future__ import annotations

import os
import platform
from typing import Any


def insert(cursor: Any, model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows straight into the table: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    quote = cursor.db.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    table = quote(model._meta.db_table)
    if cursor.db.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
    import django

    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"Django {django.get_version()}, {db}"
    )
