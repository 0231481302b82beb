"""Plain INSERTs for the rows every change appends, and for batches.

Each change to an appeal appends an event, and most also a search-index row and a
live message. Building those INSERTs through the ORM's compiler cost about a fifth
of registering an appeal through the API (bench/README.md). Here the SQL text is
made once per table and column set; values are adapted as each field's own
``get_db_prep_save`` would (text, numbers, flags and dates by a known short cut,
the rest by the field), so what lands in the database is what the ORM would have
written, on SQLite and PostgreSQL alike (``okno/core/tests/test_fastsql.py``).
A batch of registrations inserts each table's rows in one statement or a few.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, tzinfo
from functools import cache, lru_cache, partial
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields import AutoFieldMixin

# Rows per multi-row INSERT … RETURNING: well under every database's limit of
# bound values, and big enough that a batch of registrations takes a few statements.
_ROWS_PER_STATEMENT = 500


_INTEGER_FIELDS = frozenset(
    {
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
    }
)
Shortcut = tuple[type, Callable[[Any], Any] | None] | None


def _shortcut(field: Any, vendor: str, tz: tzinfo | None) -> Shortcut:
    """For one of Django's own fields: the Python type of the values whose adaptation
    by the ORM is known, and that adaptation (None: the value itself). Text (choices'
    members too: the ORM hands them over as they are) and flags are stored as they
    are; integers too on SQLite (on PostgreSQL the ORM wraps them
    in psycopg's sized types); an aware date and time is stored as it is on
    PostgreSQL and as naive text in the connection's zone on SQLite, as Django's
    backend does. Anything else goes through the field."""
    integers: Shortcut = (int, None) if vendor == "sqlite" else None
    kind = type(field)
    if field.is_relation:
        return integers if type(field.target_field) in {models.AutoField, models.BigAutoField} else None
    if kind in {models.CharField, models.TextField}:
        return (str, None)
    if kind is models.BooleanField:
        return (bool, None)
    if kind in _INTEGER_FIELDS:
        return integers
    if kind is models.DateTimeField and settings.USE_TZ:
        if vendor == "postgresql":
            return (datetime, _aware_or_none)
        if vendor == "sqlite" and tz is not None:
            return (datetime, partial(_sqlite_datetime, tz))
    return None


_NOT_PLAIN = object()


def _aware_or_none(value: datetime) -> Any:
    return value if value.utcoffset() is not None else _NOT_PLAIN


def _sqlite_datetime(tz: tzinfo, value: datetime) -> Any:
    if value.utcoffset() is None:
        return _NOT_PLAIN  # naive: the field warns and converts
    return str(value.astimezone(tz).replace(tzinfo=None))


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


@cache
def _shortcuts(fields: tuple[Any, ...], vendor: str, tz: tzinfo | None) -> tuple[Shortcut, ...]:
    return tuple(_shortcut(field, vendor, tz) for field in fields)


def _columns(model: type[models.Model], instance: models.Model) -> tuple[str, ...]:
    return tuple(
        f.name for f in model._meta.concrete_fields if not (f.primary_key and getattr(instance, f.attname) is None)
    )


def _db() -> BaseDatabaseWrapper:
    # The wrapper itself, not the ``connection`` proxy: every attribute read through
    # the proxy looks up the thread's connection again, and a batch reads thousands.
    return connections[DEFAULT_DB_ALIAS]


@contextmanager
def _cursor(db: BaseDatabaseWrapper) -> Iterator[tuple[Any, Callable[[str], str]]]:
    """A cursor for these statements, with what turns their ``%s`` SQL into the driver's.

    The driver's own cursor where nobody watches the queries: Django's wrapper around
    it (query logging hooks, placeholder conversion by a regular expression at every
    call) costs about as much as running one of these small statements. Where queries
    are recorded (``DEBUG``, a test counting them, an ``execute_wrapper``) Django's
    cursor is used, so every statement is seen as before.
    """
    if db.queries_logged or db.execute_wrappers or db.vendor not in ("sqlite", "postgresql"):
        with db.cursor() as cursor:
            yield cursor, _as_is
        return
    db.validate_no_broken_transaction()
    db.ensure_connection()
    with db.wrap_database_errors:
        cursor = db.connection.cursor()
        try:
            yield cursor, _qmark if db.vendor == "sqlite" else _as_is
        finally:
            cursor.close()


def _as_is(sql: str) -> str:
    return sql


@lru_cache(maxsize=2048)
def _qmark(sql: str) -> str:
    """SQLite's ``?`` placeholders for Django's ``%s`` (as Django's SQLite cursor converts them)."""
    return _FORMAT.sub("?", sql).replace("%%", "%")


_FORMAT = re.compile(r"(?<!%)%s")


def _shortcuts_for(fields: tuple[Any, ...], db: BaseDatabaseWrapper) -> tuple[Shortcut, ...]:
    return _shortcuts(fields, db.vendor, db.timezone if db.vendor == "sqlite" else None)


def _prepared(
    fields: tuple[Any, ...], shortcuts: tuple[Shortcut, ...], values: Iterable[Any], db: BaseDatabaseWrapper
) -> list[Any]:
    """The values as the ORM would bind them: NULL stays NULL for every field Okno
    has (Django's own), a value with a known adaptation takes the short cut, the
    rest goes through its field (JSON, decimals)."""
    prepared = []
    for field, shortcut, value in zip(fields, shortcuts, values, strict=True):
        if value is not None:
            if shortcut is not None and (type(value) is shortcut[0] or (shortcut[0] is str and isinstance(value, str))):
                adapt = shortcut[1]
                if adapt is not None:
                    adapted = adapt(value)
                    value = adapted if adapted is not _NOT_PLAIN else field.get_db_prep_save(value, db)
            else:
                value = field.get_db_prep_save(value, db)
        prepared.append(value)
    return prepared


def insert[M: models.Model](instance: M) -> M:
    """Insert ``instance`` (a new, unsaved row with no defaults left to fill) and
    return it saved, its primary key set. No signals, no ``save()`` overrides."""
    model = type(instance)
    db = _db()
    sql, fields = _statement(model, _columns(model, instance), db.vendor)
    params = _prepared(fields, _shortcuts_for(fields, db), (getattr(instance, field.attname) for field in fields), db)
    with _cursor(db) as (cursor, native):
        cursor.execute(native(sql), params)
        (pk,) = cursor.fetchone()
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = db.alias
    return instance


def insert_many(instances: Sequence[models.Model], *, returning: bool = False) -> None:
    """Insert new rows of one model (as :func:`insert`): in one ``executemany`` when
    nobody needs their keys; with ``returning``, in multi-row INSERTs that give every
    instance its key. All must leave the same columns to the database (their keys
    unset, or all set)."""
    if not instances:
        return
    model = type(instances[0])
    columns = _columns(model, instances[0])
    fields = _statement(model, columns, connection.vendor, returning=False)[1]
    attnames = [field.attname for field in fields]
    rows = [[getattr(instance, name) for name in attnames] for instance in instances]
    keys = insert_values(model, columns, rows, returning=returning)
    if keys is None:
        return
    alias = DEFAULT_DB_ALIAS
    for instance, pk in zip(instances, keys, strict=True):
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = alias


def insert_values(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: bool = False,
    ignore_conflicts: bool = False,
) -> list[Any] | None:
    """Insert ``rows`` (Python values in the order of ``columns``, field names; a
    foreign key takes the related row's id) without making a model instance of each.
    With ``returning``, the new keys in the order of ``rows`` (the order multi-row
    INSERT … RETURNING gives, which Django's ``bulk_create`` also relies on). With
    ``ignore_conflicts`` (not with ``returning``), a row that would break a unique
    constraint is skipped (``ON CONFLICT DO NOTHING``, SQLite and PostgreSQL alike)."""
    if not rows:
        return [] if returning else None
    if returning and ignore_conflicts:
        raise ValueError("returning and ignore_conflicts do not go together")
    db = _db()
    sql, fields = _statement(model, tuple(columns), db.vendor, returning=False)
    shortcuts = _shortcuts_for(fields, db)  # hashing the fields costs: once per call
    params = [_prepared(fields, shortcuts, row, db) for row in rows]
    if not returning:
        with _cursor(db) as (cursor, native):
            cursor.executemany(native(f"{sql} ON CONFLICT DO NOTHING" if ignore_conflicts else sql), params)
        return None
    head, _values, marks = sql.rpartition(" VALUES ")
    pk = model._meta.pk
    returned = db.ops.quote_name(str(pk.column if pk is not None else "id"))
    limit = db.features.max_query_params or 65535
    per_statement = max(1, min(_ROWS_PER_STATEMENT, limit // max(1, len(fields))))
    keys: list[Any] = []
    with _cursor(db) as (cursor, native):
        for start in range(0, len(params), per_statement):
            chunk = params[start : start + per_statement]
            cursor.execute(
                native(f"{head} VALUES {', '.join([marks] * len(chunk))} RETURNING {returned}"),
                [value for row in chunk for value in row],
            )
            keys += [row[0] for row in cursor.fetchall()]
    return keys


def insert_rows(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: bool = False,
    ignore_conflicts: bool = False,
) -> list[Any] | None:
    """Insert rows given as ``{field name: value}`` (a foreign key by its name with a
    row or its id, or by its ``…_id``), every other column getting its field's
    default, as ``model(**row)`` then :func:`insert_many` would, without making the
    instances: for rows written by the hundred in a batch. With ``returning``, the
    new keys in the order of ``rows``."""
    if not rows:
        return [] if returning else None
    layout = _layout(model)
    unknown = set(rows[0]) - {key for _field, name, attname in layout for key in (name, attname)}
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    values = []
    for row in rows:
        line = []
        for field, name, attname in layout:
            if name in row:
                value = row[name]
                if field.is_relation and isinstance(value, models.Model):
                    value = value.pk
            elif attname in row:
                value = row[attname]
            else:
                value = field.get_default()
            line.append(value)
        values.append(line)
    columns = tuple(name for _field, name, _attname in layout)
    return insert_values(model, columns, values, returning=returning, ignore_conflicts=ignore_conflicts)


@cache
def _layout(model: type[models.Model]) -> tuple[tuple[Any, str, str], ...]:
    """Every column of a new row: the concrete fields but an automatic key."""
    return tuple(
        (field, field.name, field.attname)
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, AutoFieldMixin))
    )


# --- reading -----------------------------------------------------------------------------------


def select(sql: str, params: Sequence[Any], fields: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of a hand-written ``SELECT`` whose columns are ``fields`` (model fields,
    or ``None`` for a plain value such as a count), each converted as the ORM would
    convert it (aware datetimes, parsed JSON, booleans on SQLite).

    For the few reads that run at every registration: the ORM compiles a query each
    time it runs (about 0.5 ms on this machine), the text here is fixed. Write the
    SQL so it runs on SQLite and PostgreSQL alike; pass lists for ``IN`` through
    :func:`placeholders`.
    """
    db = _db()
    converters = _converters(tuple(fields), db)
    with _cursor(db) as (cursor, native):
        cursor.execute(native(sql), params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    if not any(converters):
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, (field, chain) in enumerate(zip(fields, converters, strict=True)):
            if chain and values[i] is not None:
                for convert in chain:
                    values[i] = convert(values[i], field.cached_col, db)
        out.append(tuple(values))
    return out


def placeholders(values: Sequence[Any]) -> str:
    """``%s, %s, …`` for an ``IN (…)`` of ``values`` (at least one)."""
    if not values:
        raise ValueError("an IN list needs at least one value")
    return ", ".join(["%s"] * len(values))


def _converters(fields: tuple[Any, ...], db: BaseDatabaseWrapper) -> tuple[tuple[Callable[..., Any], ...], ...]:
    return _converters_for(fields, db.vendor, db.alias)


@cache
def _converters_for(fields: tuple[Any, ...], vendor: str, alias: str) -> tuple[tuple[Callable[..., Any], ...], ...]:
    db = connections[alias]
    return tuple(
        () if field is None else tuple(db.ops.get_db_converters(field.cached_col) + field.get_db_converters(db))
        for field in fields
    )
