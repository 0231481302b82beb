"""The inbox's queries read the indexes made for them (bench/inbox.py found a bare
queue index making SQLite sort a whole queue, and counts reading the table)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from okno.appeals import queries


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "appeals_appeal")
    return {name: c["columns"] for name, c in constraints.items() if c["index"] and not c["unique"]}


def _plan(sql: str, params: tuple[object, ...] | list[object]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[3]) for row in cursor.fetchall())


def test_queue_has_no_bare_index_and_counts_have_a_covering_one(db):
    indexes = _indexes()
    assert ["queue_id"] not in indexes.values()
    assert indexes["appeal_open_idx"] == ["status", "queue_id", "assignee_id", "due_at", "due_risk_at"]
    assert indexes["appeal_inbox_idx"][:2] == ["queue_id", "status"]
    assert indexes["appeal_open_queue_idx"] == ["queue_id", "priority_rank", "created_at", "id"]
    assert indexes["appeal_open_prio_idx"] == ["priority_rank", "created_at", "id"]


def test_open_appeals_of_a_queue_use_the_inbox_index(org):
    org.appeal()
    flt = queries.AppealFilter(status=[queries.OPEN], queue=[org.claims.pk])
    sql, params = queries.list_appeals(org.sergey, flt, "-priority")[:50].query.sql_with_params()
    if connection.vendor == "sqlite":  # PostgreSQL plans by statistics, not by the indexes on offer
        assert "appeal_inbox_idx" in _plan(sql, params)


def test_sidebar_counts_are_one_query_on_the_open_index(org):
    org.appeal()
    with CaptureQueriesContext(connection) as ctx:
        queries.open_counts(org.sergey)
    counts = [q["sql"] for q in ctx.captured_queries if 'FROM "appeals_appeal"' in q["sql"]]
    assert len(counts) == 1
    if connection.vendor == "sqlite":
        assert "COVERING INDEX appeal_open_idx" in _plan(counts[0], []), counts[0]
