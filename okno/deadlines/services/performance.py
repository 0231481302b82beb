"""On-time performance, the case studies' "executive discipline" (исполнительская
дисциплина): per agent, queue or department, what is open, due today and overdue
now, and how many answers in a period were given within their deadline.

Set-based: three grouped queries (open appeals; answer clocks met in the period;
breaches recorded in the period) and one for the names of the groups, however many
appeals there are. Each starts from ``access.visible_appeals(user)``, so a
supervisor counts only the appeals they may open.

Definitions, so the page, the CSV and the API agree with the inbox:

- *open*, *due today*, *overdue*: open appeals now (new, in work, waiting), by the
  appeal's nearest running deadline, exactly as the inbox sidebar counts them;
- *answered*: answer clocks (not cancelled) met in the period; *on time*: met no
  later than their deadline (an extension moves the deadline, so an answer within
  a lawful extension is on time);
- *breaches*: deadlines of any clock whose breach the sweep recorded in the period.

An appeal belongs to the group of its current assignee, queue, or its queue's
department; appeals without one form a group of their own.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, get_args

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Status
from okno.appeals.queries import deadline_condition
from okno.core.apitools import MAX_YEAR, MIN_YEAR
from okno.core.errors import InvalidInput
from okno.deadlines.choices import ClockKind
from okno.queues.models import Queue

GroupBy = Literal["assignee", "queue", "department"]
GROUP_BY: tuple[str, ...] = get_args(GroupBy)
GROUP_LABELS = {
    "assignee": gettext_lazy("Assignee"),
    "queue": gettext_lazy("Queue"),
    "department": gettext_lazy("Department"),
}
# The appeal field each grouping reads.
_GROUP_FIELDS = {"assignee": "assignee_id", "queue": "queue_id", "department": "queue__department"}

Preset = Literal["this_month", "last_month", "quarter", "last_quarter", "custom"]
PRESETS: tuple[str, ...] = get_args(Preset)
PRESET_LABELS = {
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "quarter": gettext_lazy("This quarter"),
    "last_quarter": gettext_lazy("Last quarter"),
    "custom": gettext_lazy("Custom dates"),
}

# Who reads it: the people who answer for discipline, not those measured by it.
REPORT_ROLES = frozenset({Role.SUPERVISOR, Role.COMPLIANCE, Role.ADMIN})


@dataclass
class Row:
    """One line of the report. ``key`` is the user or queue id, or the department's
    name; ``None`` for the appeals without one. The total row has ``is_total``."""

    key: int | str | None
    name: str
    open: int = 0
    due_today: int = 0
    overdue: int = 0
    answered: int = 0
    answered_on_time: int = 0
    breaches: int = 0
    is_total: bool = False

    @property
    def answered_late(self) -> int:
        return self.answered - self.answered_on_time

    @property
    def on_time_percent(self) -> float | None:
        """Share of the period's answers given on time, one decimal; ``None`` when
        nothing was answered (0 % would read as a failure)."""
        if not self.answered:
            return None
        return round(100 * self.answered_on_time / self.answered, 1)

    def add(self, other: Row) -> None:
        self.open += other.open
        self.due_today += other.due_today
        self.overdue += other.overdue
        self.answered += other.answered
        self.answered_on_time += other.answered_on_time
        self.breaches += other.breaches


def can_view(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in REPORT_ROLES)
    )


def require_view(user: User) -> None:
    if not can_view(user):
        raise PermissionDenied(_("Only supervisors, compliance officers and administrators may see this report."))


def period_of(preset: str, today: date) -> tuple[date, date]:
    """First and last day (both included) of a preset period around ``today``."""
    if preset == "this_month":
        first = today.replace(day=1)
    elif preset == "last_month":
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    elif preset in ("quarter", "last_quarter"):
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        if preset == "last_quarter":
            first = (first - timedelta(days=1)).replace(day=1)
            first = first.replace(month=3 * ((first.month - 1) // 3) + 1)
        last_month = first.month + 2
        return first, first.replace(month=last_month, day=stdlib_calendar.monthrange(first.year, last_month)[1])
    else:
        raise InvalidInput(_("Unknown period."), field="period")
    return first, first.replace(day=stdlib_calendar.monthrange(first.year, first.month)[1])


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The period as [start, end) instants in the installation's time zone."""
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise InvalidInput(
                _("Dates must be between the years %(first)s and %(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR},
                field=name,
            )
    if date_from > date_to:
        raise InvalidInput(_("The period ends before it starts."), field="date_to")
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
    return start, end


def on_time_performance(
    user: User,
    *,
    group_by: GroupBy | str,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> list[Row]:
    """The report's rows, sorted by name (the group without one last), then the
    total row. Counts only appeals ``user`` may see; raises ``PermissionDenied``
    for roles the report is not for."""
    require_view(user)
    if group_by not in GROUP_BY:
        raise InvalidInput(
            _("Group by one of: %(choices)s.") % {"choices": ", ".join(GROUP_BY)},
            field="group_by",
        )
    start, end = _bounds(date_from, date_to)
    now = now or timezone.now()
    key = _GROUP_FIELDS[group_by]
    visible = access.visible_appeals(user).order_by()

    rows: dict[Any, Row] = {}

    def row(value: Any) -> Row:
        value = value or None  # no queue and a queue without a department are one group
        if value not in rows:
            rows[value] = Row(key=value, name="")
        return rows[value]

    opened = (
        visible.filter(status__in=Status.open_values())
        .values(key)
        .annotate(
            n=Count("pk"),
            today=Count("pk", filter=deadline_condition("due_today", now)),
            late=Count("pk", filter=deadline_condition("overdue", now)),
        )
    )
    for r in opened:
        target = row(r[key])
        target.open += r["n"]
        target.due_today += r["today"]
        target.overdue += r["late"]

    # filter() before annotate(): the counts run over the same joined clock rows.
    answered = (
        visible.filter(
            clocks__clock=ClockKind.ANSWER,
            clocks__cancelled_at__isnull=True,
            clocks__met_at__gte=start,
            clocks__met_at__lt=end,
        )
        .values(key)
        .annotate(n=Count("clocks"), on_time=Count("clocks", filter=Q(clocks__met_at__lte=F("clocks__due_at"))))
    )
    for r in answered:
        target = row(r[key])
        target.answered += r["n"]
        target.answered_on_time += r["on_time"]

    breached = (
        visible.filter(clocks__breached_at__gte=start, clocks__breached_at__lt=end)
        .values(key)
        .annotate(n=Count("clocks"))
    )
    for r in breached:
        row(r[key]).breaches += r["n"]

    _name(group_by, rows.values())
    ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.name.casefold(), str(r.key)))
    total = Row(key=None, name=_("Total"), is_total=True)
    for r in ordered:
        total.add(r)
    return [*ordered, total]


def _name(group_by: str, rows: Iterable[Row]) -> None:
    rows = list(rows)
    ids = [r.key for r in rows if r.key is not None]
    names: dict[Any, str] = {}
    if group_by == "assignee" and ids:
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}
    elif group_by == "queue" and ids:
        names = {q.pk: q.display_name for q in Queue.objects.filter(pk__in=ids)}
    none_label = {
        "assignee": _("Unassigned"),
        "queue": _("No queue"),
        "department": _("No department"),
    }[group_by]
    for r in rows:
        if r.key is None:
            r.name = none_label
        else:
            r.name = names.get(r.key, str(r.key))
