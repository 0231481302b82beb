"""What the bench scripts share: bulk rows into a table, and the machine line."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(os.environ.get("OKNO_BENCH_DIR", "/tmp/okno-bench"))


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database in ``url`` if the server does not have it yet."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(sqlite_name: str) -> str:
    """Point Okno at the benchmark's own database (``DATABASE_URL``, created on
    PostgreSQL if missing; else ``sqlite_name`` in the bench directory) before Django
    starts. Returns the database URL."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["OKNO_DATA_DIR"] = str(BENCH_DIR)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DIR / sqlite_name}")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ["DATABASE_URL"]
    if url.startswith(("postgres://", "postgresql://")):
        ensure_database(url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


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


def reuse_or_fill(n: int, url: str, fill: Any) -> str:
    """Migrate, then keep a database that already holds ``n`` appeals or ``fill(n)`` an
    empty one (a SQLite file of another size is started afresh); returns what was done."""
    import time

    from django.core.management import call_command
    from django.db import connection

    from okno.appeals.models import Appeal

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            call_command("migrate", interactive=False, verbosity=0)
            if Appeal.objects.count() == n:
                return f"reused {path} ({n} appeals, {path.stat().st_size / 1e6:.0f} MB)"
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    existing = Appeal.objects.count()
    if existing == n:
        return f"reused the database in DATABASE_URL ({existing} appeals)"
    if existing:
        sys.exit(f"The database already holds {existing} appeals, not {n}: give an empty database or N={existing}.")
    started = time.perf_counter()
    fill(n)
    return f"filled {n} appeals in {time.perf_counter() - started:.0f} s"
