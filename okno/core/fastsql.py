"""Plain INSERTs for the rows every change appends.

Each change to an appeal appends an event, and most also a search-index row and a
live message. Building those INSERTs through the ORM's compiler cost about a fifth
of registering an appeal through the API (bench/README.md). Here the SQL text is
made once per table and column set; values still go through each field's own
``get_db_prep_save`` (JSON, dates), so what lands in the database is what the ORM
would have written, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection, models


@cache
def _statement(
    model: type[models.Model], columns: tuple[str, ...], vendor: str, returning: bool = True
) -> tuple[str, tuple[Any, ...]]:
    meta = model._meta
    fields = tuple(meta.get_field(name) for name in columns)
    quote = connection.ops.quote_name
    names = [quote(str(getattr(field, "column", field.name))) for field in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values bound
        quote(meta.db_table), ", ".join(names), ", ".join(["%s"] * len(fields))
    )
    if returning:
        sql += " RETURNING " + quote(str(meta.pk.column if meta.pk is not None else "id"))
    return sql, fields


def _columns(model: type[models.Model], instance: models.Model) -> tuple[str, ...]:
    return tuple(
        f.name for f in model._meta.concrete_fields if not (f.primary_key and getattr(instance, f.attname) is None)
    )


def insert[M: models.Model](instance: M) -> M:
    """Insert ``instance`` (a new, unsaved row with no defaults left to fill) and
    return it saved, its primary key set. No signals, no ``save()`` overrides."""
    model = type(instance)
    sql, fields = _statement(model, _columns(model, instance), connection.vendor)
    params = [field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (pk,) = cursor.fetchone()
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def insert_many(instances: Sequence[models.Model]) -> None:
    """Insert rows of one model whose keys nobody needs back, in one ``executemany``."""
    if not instances:
        return
    model = type(instances[0])
    sql, fields = _statement(model, _columns(model, instances[0]), connection.vendor, returning=False)
    rows = [[field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] for row in instances]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
