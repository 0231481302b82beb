"""Small SQL pieces the reports need and Django does not ship: the seconds between
two moments as a number, and a percentile computed in the database.

PostgreSQL has ``percentile_cont`` (an ordered-set aggregate), so a percentile is
one more column of a grouped query. SQLite has none: there the value at the rank is
picked with a window (``ROW_NUMBER`` over each group, ordered) and at most two rows
per group leave the database. Both interpolate between the two nearest ranks, so the
same data gives the same answer on either.
"""

from __future__ import annotations

import math
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Expression, F, FloatField, Func, QuerySet, Value


class Seconds(Func):
    """``end - start`` in seconds, a float (``NULL`` if either is). ``date_part``
    rather than ``EXTRACT``, which PostgreSQL 14+ computes as a slower numeric."""

    output_field = FloatField()
    arity = 2
    template = "date_part('epoch', (%(expressions)s))"
    arg_joiner = " - "

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(F(end) if isinstance(end, str) else end, F(start) if isinstance(start, str) else start)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY value)``."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    window_compatible = False

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def has_percentile() -> bool:
    return connection.vendor == "postgresql"


def percentiles(queryset: QuerySet[Any], group: str | None, value: Expression, fraction: float) -> dict[Any, float]:
    """The ``fraction`` percentile of ``value`` over ``queryset``'s rows, per value of
    the field ``group`` (one entry, key ``None``, when ``group`` is ``None``). Rows
    whose value is ``NULL`` are left out; a group with no value is absent."""
    qs = queryset.order_by().annotate(_pv=value).filter(_pv__isnull=False)
    key = F(group) if group else Value(0)
    if has_percentile():
        rows = (
            qs.annotate(_pg=key).values("_pg").annotate(_p=PercentileCont(F("_pv"), fraction)).values_list("_pg", "_p")
        )
        return {(g if group else None): float(p) for g, p in rows if p is not None}
    inner = qs.annotate(_pg=key).values_list("_pg", "_pv")
    sql, params = inner.query.sql_with_params()
    # Zero-based rank of the percentile: position = fraction × (n − 1); the rows at
    # floor(position) and the next one are all that is needed to interpolate.
    wrapped = f"""
        SELECT g, v, rn, n FROM (
            SELECT t."_pg" AS g, t."_pv" AS v,
                   ROW_NUMBER() OVER (PARTITION BY t."_pg" ORDER BY t."_pv") - 1 AS rn,
                   COUNT(*) OVER (PARTITION BY t."_pg") AS n
            FROM ({sql}) t
        ) ranked
        WHERE rn = CAST(%s * (n - 1) AS INTEGER) OR rn = CAST(%s * (n - 1) AS INTEGER) + 1
    """  # noqa: S608 - the inner SQL is Django's, values are parameters
    picked: dict[Any, dict[int, float]] = {}
    counts: dict[Any, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(wrapped, [*params, fraction, fraction])
        for g, v, rn, n in cursor.fetchall():
            picked.setdefault(g, {})[int(rn)] = float(v)
            counts[g] = int(n)
    result: dict[Any, float] = {}
    for g, ranks in picked.items():
        position = fraction * (counts[g] - 1)
        low = math.floor(position)
        lower = ranks[low]
        upper = ranks.get(low + 1, lower)
        result[g if group else None] = lower + (position - low) * (upper - lower)
    return result
