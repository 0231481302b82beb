"""The prepared INSERTs write exactly what the ORM writes: the same stored values,
column by column, whether a value takes a short cut (text, choices, numbers, flags,
dates) or goes through its field (JSON, decimals)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, models

from okno.appeals.choices import Channel, EventKind, Priority, Status
from okno.appeals.models import Appeal, Event
from okno.core import fastsql
from okno.deadlines.calendar import get_calendar
from okno.deadlines.choices import AlarmKind, ClockKind, TermUnit
from okno.deadlines.models import AppealClock, ClockAlarm

WHEN = datetime(2026, 3, 3, 9, 30, 15, 123456, tzinfo=UTC)


def stored(model: type[models.Model], pk: Any) -> dict[str, Any]:
    """The row as the database holds it, without its key."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s", [pk])
        names = [column[0] for column in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
    row.pop(model._meta.pk.column)
    return row


def test_an_appeal_inserted_in_a_batch_is_stored_as_saved(org):
    fields = {
        "number": "2026-000901",
        "year": 2026,
        "seq": 901,
        "kind": org.complaint,
        "channel": Channel.MAIL,
        "category": org.card_fees,
        "subject": "Списали комиссию",
        "description": "",
        "priority": Priority.HIGH,
        "priority_rank": 3,
        "queue": org.claims,
        "client": org.ivan,
        "created_at": WHEN,
        "registered_at": WHEN,
        "updated_at": WHEN,
        "due_at": WHEN,
        "created_by": org.anna,
        "claim_amount": Decimal("12500.50"),
    }
    saved = Appeal(**fields)
    saved.save()
    batch = [Appeal(**{**fields, "number": "2026-000902", "seq": 902})]
    fastsql.insert_many(batch, returning=True)
    expected = stored(Appeal, saved.pk)
    got = stored(Appeal, batch[0].pk)
    assert {**got, "number": None, "seq": None} == {**expected, "number": None, "seq": None}
    assert Appeal.objects.get(pk=batch[0].pk).status == Status.NEW


def test_rows_of_values_are_stored_as_the_models_would_be(org):
    appeal = org.appeal()
    event = {
        "appeal": appeal,
        "kind": EventKind.ASSIGNED,
        "actor": org.anna,
        "actor_label": "Анна Смирнова",
        "created_at": WHEN,
        "field": "assignee",
        "before": None,
        "after": {"value": org.anna.pk, "label": "Анна «А» \u00ab\u00bb"},
    }
    saved = Event(**event)
    saved.save()
    [pk] = fastsql.insert_rows(Event, [event], returning=True) or []
    assert stored(Event, pk) == stored(Event, saved.pk)

    clock = {
        "appeal_id": appeal.pk,
        "clock": ClockKind.ANSWER,
        "term_amount": 10,
        "term_unit": TermUnit.WORKING_DAYS,
        "calendar_id": get_calendar().id,
        "day_off_rule": "next",
        "is_statutory": True,
        "citation": "ЗоЗПП, ст. 22",
        "penalty_percent_per_day": Decimal("1.00"),
        "started_at": WHEN,
        "due_at": WHEN,
        "risk_at": WHEN,
    }
    saved_clock = AppealClock.objects.create(**clock)
    [clock_pk] = fastsql.insert_rows(AppealClock, [clock], returning=True) or []
    assert stored(AppealClock, clock_pk) == stored(AppealClock, saved_clock.pk)

    saved_alarm = ClockAlarm.objects.create(
        clock_id=clock_pk, appeal=appeal, kind=AlarmKind.REMINDER, percent=50, at=WHEN
    )
    fastsql.insert_values(
        ClockAlarm, ("clock", "appeal", "kind", "percent", "at"), [(clock_pk, appeal.pk, AlarmKind.REMINDER, 50, WHEN)]
    )
    alarm = ClockAlarm.objects.exclude(pk=saved_alarm.pk).get(clock_id=clock_pk)
    assert stored(ClockAlarm, alarm.pk) == stored(ClockAlarm, saved_alarm.pk)


def test_keys_come_back_in_the_order_of_the_rows(org):
    appeal = org.appeal()
    rows = [
        {"appeal": appeal, "kind": EventKind.NOTE_ADDED, "actor_label": f"n{i}", "comment": str(i)} for i in range(7)
    ]
    keys = fastsql.insert_rows(Event, rows, returning=True) or []
    assert [Event.objects.get(pk=pk).comment for pk in keys] == [str(i) for i in range(7)]


def test_a_column_the_model_does_not_have_is_refused(org):
    appeal = org.appeal()
    with pytest.raises(ValueError, match="no columns"):
        fastsql.insert_rows(Event, [{"appeal": appeal, "kind": EventKind.NOTE_ADDED, "colour": "red"}])


def test_reads_convert_values_as_the_orm_does(org):
    from okno.accounts.models import User

    user = User.objects.get(pk=org.anna.pk)
    fields = [User._meta.get_field(name) for name in ("is_active", "date_joined", "role")]
    (row,) = fastsql.select("SELECT is_active, date_joined, role FROM accounts_user WHERE id = %s", [user.pk], fields)
    assert row == (True, user.date_joined, user.role)
    assert row[1].tzinfo is not None  # aware, as the ORM gives it


def test_statements_are_seen_where_queries_are_counted_and_errors_are_djangos(org):
    from django.db import IntegrityError, transaction
    from django.test.utils import CaptureQueriesContext

    from okno.accounts.models import User

    with CaptureQueriesContext(connection) as seen:
        fastsql.select("SELECT COUNT(*) FROM accounts_user WHERE role IN (%s)", ["agent"], [None])
    assert len(seen.captured_queries) == 1  # tests that count a service's statements still see these
    with pytest.raises(IntegrityError), transaction.atomic():  # a taken username
        fastsql.insert_values(User, ["username", "password", "role"], [[org.anna.username, "x", "agent"]])
