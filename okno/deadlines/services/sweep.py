"""The periodic deadline sweep: fire every alarm whose moment has come.

Set-based from end to end, so a million open appeals cost a few indexed statements,
not a Python loop: the sweep first marks the due alarms of running, unpaused clocks
with its own number, then writes everything they cause with ``INSERT … SELECT`` /
``UPDATE … WHERE`` over that mark — reminders to the assignee, breach notices to the
assignee and the queue's supervisors, the breach events, raised priorities and
reassignments. Two sweeps at once cannot fire an alarm twice: the marking UPDATE
only takes alarms not fired yet.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals.choices import PRIORITY_RANK, EventKind, Priority
from okno.appeals.models import Appeal, Event
from okno.deadlines.choices import AlarmKind
from okno.deadlines.models import AppealClock, ClockAlarm, DeadlinePolicy
from okno.notifications.choices import NotificationKind
from okno.notifications.services import announce, insert_selected
from okno.queues.models import Membership

# Raised one step at a breach; critical stays critical.
NEXT_PRIORITY = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH, Priority.HIGH: Priority.CRITICAL}


@dataclass
class SweepResult:
    alarms: int = 0
    reminders: int = 0
    breaches: int = 0
    supervisors_notified: int = 0
    priorities_raised: int = 0
    reassigned: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _json(*pairs: tuple[str, str]) -> str:
    """A JSON object built in SQL from ``(key, expression)`` pairs."""
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    return f"{function}({', '.join(f"'{key}', {expr}" for key, expr in pairs)})"


def _json_literal(value: dict[str, Any]) -> str:
    """A constant JSON value as SQL text (keys and values are our own codes/labels)."""
    import json

    text = json.dumps(value, ensure_ascii=False).replace("'", "''")
    return f"CAST('{text}' AS jsonb)" if connection.vendor == "postgresql" else f"'{text}'"


def sweep(now: datetime | None = None) -> SweepResult:
    """Fire every alarm due by ``now``. Returns what it did, for the job's record."""
    now = now or timezone.now()
    mark = secrets.randbits(62)
    result = SweepResult()
    alarm, clock, appeal = (_q(m._meta.db_table) for m in (ClockAlarm, AppealClock, Appeal))
    policy, event, member, user = (_q(m._meta.db_table) for m in (DeadlinePolicy, Event, Membership, User))
    db_now = connection.ops.adapt_datetimefield_value(now)
    # PostgreSQL takes "not fired" and "due by now" for independent (the fired alarms
    # are the past ones), expects 15 times the due alarms there are and hashes every
    # running clock (1 s at a million); OFFSET 0 keeps the EXISTS one lookup per due
    # alarm. SQLite looks up per row anyway.
    per_alarm = " OFFSET 0" if connection.vendor == "postgresql" else ""
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Every statement here reads few rows through indexes; that estimate
                # would have the marking compiled to machine code first (0.1 s).
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                f"UPDATE {alarm} SET fired_at = %s, sweep = %s "  # noqa: S608 - table names from the models
                f"WHERE fired_at IS NULL AND at <= %s AND EXISTS (SELECT 1 FROM {clock} c "
                f"WHERE c.id = {alarm}.clock_id AND c.met_at IS NULL AND c.cancelled_at IS NULL "
                f"AND c.paused_since IS NULL{per_alarm})",
                [db_now, mark, db_now],
            )
            result.alarms = cursor.rowcount
        if not result.alarms:
            return result

        joins = (
            f"FROM {alarm} a JOIN {clock} c ON c.id = a.clock_id JOIN {appeal} ap ON ap.id = a.appeal_id "
            f"LEFT JOIN {policy} p ON p.id = c.policy_id "
        )
        fired = joins + "WHERE a.sweep = %s"
        params = _json(("clock", "c.clock"), ("percent", "a.percent"), ("due_at", "c.due_at"))
        to_assignee = f"SELECT ap.assignee_id AS user_id, a.appeal_id AS appeal_id, {params} AS params {fired} "
        notified = insert_selected(
            NotificationKind.REMINDER,
            to_assignee + f"AND a.kind IN ('{AlarmKind.REMINDER}', '{AlarmKind.LAST_DAY}') "
            "AND ap.assignee_id IS NOT NULL",
            [mark],
            created_at=now,
        )
        notified += insert_selected(
            NotificationKind.BREACH,
            to_assignee + f"AND a.kind = '{AlarmKind.BREACH}' AND ap.assignee_id IS NOT NULL",
            [mark],
            created_at=now,
        )
        # Supervisors of the appeal's queue; of every queue when the appeal has none.
        supervisors = insert_selected(
            NotificationKind.ESCALATION,
            f"SELECT DISTINCT su.id AS user_id, a.appeal_id AS appeal_id, {params} AS params {joins}"  # noqa: S608
            f"JOIN {user} su ON su.role = '{Role.SUPERVISOR}' AND su.is_active "
            f"AND (ap.queue_id IS NULL OR EXISTS (SELECT 1 FROM {member} m "
            "WHERE m.queue_id = ap.queue_id AND m.user_id = su.id)) "
            f"WHERE a.sweep = %s AND a.kind = '{AlarmKind.BREACH}' AND COALESCE(p.breach_notifies_supervisors, TRUE)",
            [mark],
            created_at=now,
        )

        label = str(_("Deadlines"))
        due_json = _json(("value", "c.due_at"), ("label", "c.due_at"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {event} (appeal_id, kind, actor_label, created_at, field, after, comment) "  # noqa: S608
                f"SELECT a.appeal_id, '{EventKind.DEADLINE_BREACHED}', %s, %s, c.clock, {due_json}, '' "
                f"FROM {alarm} a JOIN {clock} c ON c.id = a.clock_id WHERE a.sweep = %s AND a.kind = %s",
                [label, db_now, mark, AlarmKind.BREACH],
            )
            result.breaches = cursor.rowcount
            cursor.execute(
                f"UPDATE {clock} SET breached_at = %s WHERE id IN "  # noqa: S608
                f"(SELECT clock_id FROM {alarm} WHERE sweep = %s AND kind = %s)",
                [db_now, mark, AlarmKind.BREACH],
            )
            result.priorities_raised = _raise_priorities(cursor, fired, mark, label, db_now)
            result.reassigned = _reassign(cursor, fired, mark, label)
        result.reminders = result.alarms - result.breaches
        result.supervisors_notified = len(supervisors)
        announce({*notified, *supervisors})
        if result.breaches or result.priorities_raised or result.reassigned:
            from okno.live import publish

            publish(["appeals"], {"deadlines": True}, everyone=True)
    return result


def _raise_priorities(cursor: Any, fired: str, mark: int, label: str, db_now: Any) -> int:
    """One step up for every appeal whose clock breached under a policy that says so:
    the event first (it needs the old value), then the change."""
    appeal, event = _q(Appeal._meta.db_table), _q(Event._meta.db_table)
    targets = (
        f"SELECT a.appeal_id {fired} AND a.kind = '{AlarmKind.BREACH}' AND COALESCE(p.breach_raises_priority, TRUE)"
    )
    before = (
        "CASE ap.priority "
        + " ".join(
            f"WHEN '{p.value}' THEN {_json_literal({'value': p.value, 'label': str(p.label)})}" for p in NEXT_PRIORITY
        )
        + " END"
    )
    after = (
        "CASE ap.priority "
        + " ".join(
            f"WHEN '{p.value}' THEN {_json_literal({'value': n.value, 'label': str(n.label)})}"
            for p, n in NEXT_PRIORITY.items()
        )
        + " END"
    )
    cursor.execute(
        f"INSERT INTO {event} (appeal_id, kind, actor_label, created_at, field, before, after, comment) "  # noqa: S608
        f"SELECT ap.id, '{EventKind.FIELD_CHANGED}', %s, %s, 'priority', {before}, {after}, %s "
        f"FROM {appeal} ap WHERE ap.id IN ({targets}) AND ap.priority <> '{Priority.CRITICAL}'",
        [label, db_now, str(_("The deadline was missed.")), mark],
    )
    new_priority = "CASE priority " + " ".join(f"WHEN '{p}' THEN '{n}'" for p, n in NEXT_PRIORITY.items()) + " END"
    new_rank = "CASE priority " + " ".join(f"WHEN '{p}' THEN {PRIORITY_RANK[n]}" for p, n in NEXT_PRIORITY.items())
    cursor.execute(
        f"UPDATE {appeal} SET priority = {new_priority}, priority_rank = {new_rank} END, "  # noqa: S608
        f"updated_at = %s WHERE id IN ({targets}) AND priority <> '{Priority.CRITICAL}'",
        [db_now, mark],
    )
    return int(cursor.rowcount)


def _reassign(cursor: Any, fired: str, mark: int, label: str) -> int:
    """Hand the appeal to the person the policy names, where it names one and that
    person is active: the events in one INSERT, one UPDATE per person named."""
    appeal, user = _q(Appeal._meta.db_table), _q(User._meta.db_table)
    targets = (
        f"SELECT a.appeal_id AS appeal_id, MIN(p.breach_reassigns_to_id) AS to_id {fired} "
        f"AND a.kind = '{AlarmKind.BREACH}' AND p.breach_reassigns_to_id IS NOT NULL GROUP BY a.appeal_id"
    )
    cursor.execute(
        f"SELECT t.appeal_id, t.to_id, ap.assignee_id FROM ({targets}) t "  # noqa: S608
        f"JOIN {appeal} ap ON ap.id = t.appeal_id JOIN {user} u ON u.id = t.to_id AND u.is_active "
        "WHERE ap.assignee_id IS NULL OR ap.assignee_id <> t.to_id",
        [mark],
    )
    moves = cursor.fetchall()
    if not moves:
        return 0
    from okno.appeals.services.events import snapshot

    people = User.objects.in_bulk({to for _a, to, _b in moves} | {b for _a, _t, b in moves if b is not None})
    at = timezone.now()
    comment = str(_("The deadline was missed."))
    Event.objects.bulk_create(
        [
            Event(
                appeal_id=appeal_id,
                kind=EventKind.ASSIGNED,
                actor_label=label,
                created_at=at,
                field="assignee",
                before=snapshot(people.get(before)) if before is not None else None,
                after=snapshot(people[to]),
                comment=comment,
            )
            for appeal_id, to, before in moves
        ],
        batch_size=2000,
    )
    by_person: dict[int, list[int]] = defaultdict(list)
    for appeal_id, to, _before in moves:
        by_person[to].append(appeal_id)
    for to, ids in by_person.items():
        for first in range(0, len(ids), 10_000):
            Appeal.objects.filter(pk__in=ids[first : first + 10_000]).update(assignee_id=to, updated_at=at)
    return len(moves)
