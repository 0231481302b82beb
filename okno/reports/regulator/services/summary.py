"""The regulator report's numbers for a period, computed in the database.

What is counted (the page, the workbook, the PDF, the API and the drill-down lists
share these conditions, so a number and the list behind it always agree):

- the appeals of the report are those the reader may see, except sub-cases (our own
  work items), duplicates merged into another appeal and cancelled ones (spam,
  registered by mistake);
- *received*: received (``created_at``) in the period, by channel and by topic (the
  top-level category with its subcategories); *forwarded by the regulator* among them;
- *outcomes*: appeals closed in the period, by outcome;
- *answered on time / late*: answer deadlines (not cancelled) met in the period, by
  the deadline regime that applied (the clock's policy and term; "queue term" when no
  policy matched); on time means no later than the deadline, extensions included;
- *overdue without an answer*: answer deadlines that fell due in the period and were
  not met by its end;
- *answer time*: from receipt to the answer, over the answers of the period; the
  median is PostgreSQL's ``percentile_cont(0.5)``, on SQLite the middle row(s) of an
  ordered ``OFFSET`` query.

Three passes whatever the number of appeals, each reading what it needs once:
the appeals received or closed in the period (received and outcomes together), the
answer deadlines met or due in the period (regimes, and on PostgreSQL the median and
the total answer time in the same pass through ``GROUPING SETS``), and the forwarded
appeals (an index on ``created_at`` where forwarded). Nothing loops over appeals in
Python but the list of forwarded appeals, which is read as rows.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import CombinedExpression
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Channel, Outcome, Status
from okno.appeals.models import Appeal, Category
from okno.core.errors import InvalidInput
from okno.deadlines.choices import ClockKind, TermUnit
from okno.deadlines.models import AppealClock, DeadlinePolicy
from okno.deadlines.services.performance import PRESET_LABELS, _bounds, can_view, period_of, require_view
from okno.reports.services.sql import Seconds

__all__ = ["PRESETS", "Summary", "build_summary", "can_view", "period", "require_view"]

Preset = Literal["this_year", "last_year", "quarter", "last_quarter", "this_month", "last_month", "custom"]
PRESETS: tuple[str, ...] = get_args(Preset)
REGULATOR_PRESET_LABELS = {
    "this_year": gettext_lazy("This year"),
    "last_year": gettext_lazy("Last year"),
    **PRESET_LABELS,
}
# The PDF lists at most this many forwarded appeals ("and N more"); the workbook has all.
# WeasyPrint lays out a table row in ~7 ms: 20 rows fill a page and cost 0.15 s.
PDF_FORWARDED_LIMIT = 20


def period(preset: str, today: date) -> tuple[date, date]:
    """First and last day of a preset period: the year presets here, the rest from
    the on-time performance report."""
    if preset == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return period_of(preset, today)


def period_label(date_from: date, date_to: date) -> str:
    """«2026», «1 quarter 2026», «March 2026» or the two dates."""
    if date_from.day == 1 and date_to == date(date_from.year, 12, 31) and date_from.month == 1:
        return str(date_from.year)
    last = stdlib_calendar.monthrange(date_to.year, date_to.month)[1]
    if date_from.day == 1 and date_to.day == last and date_from.year == date_to.year:
        if date_from.month == date_to.month:
            from django.utils.dateformat import format as date_format

            return date_format(date_from, "F Y")
        if date_to.month == date_from.month + 2 and date_from.month % 3 == 1:
            return _("Q%(quarter)s %(year)s") % {"quarter": (date_from.month + 2) // 3, "year": date_from.year}
    return f"{date_from:%d.%m.%Y} – {date_to:%d.%m.%Y}"


# --- the numbers -------------------------------------------------------------------


@dataclass
class Line:
    """One row of a table: a key the drill-down understands, a label, the numbers."""

    key: str
    name: str
    count: int = 0
    forwarded: int = 0
    children: list[Line] = field(default_factory=list)


@dataclass
class Regime:
    """Answers under one deadline regime (policy and term)."""

    key: str
    name: str
    term: str
    statutory: bool
    answered: int = 0
    on_time: int = 0
    overdue_unanswered: int = 0
    forwarded_answered: int = 0
    forwarded_on_time: int = 0

    @property
    def late(self) -> int:
        return self.answered - self.on_time

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.on_time / self.answered, 1) if self.answered else None


@dataclass
class Forwarded:
    """An appeal the regulator forwarded, and how its answer stands."""

    number: str
    reference: str
    letter_date: date | None
    received: datetime
    category: str
    status: str
    status_code: str
    due_at: datetime | None
    answered_at: datetime | None
    on_time: bool | None  # None: not answered yet (``overdue`` says whether it is late already)
    overdue: bool


@dataclass
class Summary:
    """The regulator report for one period, as the reader may see it."""

    date_from: date
    date_to: date
    generated_at: datetime
    organisation: str
    received: int = 0
    forwarded: int = 0
    closed: int = 0
    channels: list[Line] = field(default_factory=list)
    topics: list[Line] = field(default_factory=list)
    outcomes: list[Line] = field(default_factory=list)
    regimes: list[Regime] = field(default_factory=list)
    forwarded_list: list[Forwarded] = field(default_factory=list)
    median_answer: timedelta | None = None
    average_answer: timedelta | None = None

    @property
    def period_label(self) -> str:
        return period_label(self.date_from, self.date_to)

    @property
    def answered(self) -> int:
        return sum(r.answered for r in self.regimes)

    @property
    def answered_on_time(self) -> int:
        return sum(r.on_time for r in self.regimes)

    @property
    def answered_late(self) -> int:
        return self.answered - self.answered_on_time

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.answered_on_time / self.answered, 1) if self.answered else None

    @property
    def overdue_unanswered(self) -> int:
        return sum(r.overdue_unanswered for r in self.regimes)

    @property
    def forwarded_answered(self) -> int:
        return sum(r.forwarded_answered for r in self.regimes)

    @property
    def forwarded_on_time(self) -> int:
        return sum(r.forwarded_on_time for r in self.regimes)


def report_appeals(user: User) -> QuerySet[Appeal]:
    """The appeals a report for ``user`` counts (see the module's docstring)."""
    return (
        access.visible_appeals(user)
        .filter(parent__isnull=True)
        .exclude(status__in=[Status.MERGED, Status.CANCELLED])
        .order_by()
    )


def received_q(start: datetime, end: datetime) -> Q:
    return Q(created_at__gte=start, created_at__lt=end)


def closed_q(start: datetime, end: datetime) -> Q:
    return Q(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)


def answered_clocks_q(start: datetime, end: datetime, prefix: str = "clocks__") -> Q:
    return Q(
        **{
            f"{prefix}clock": ClockKind.ANSWER,
            f"{prefix}cancelled_at__isnull": True,
            f"{prefix}met_at__gte": start,
            f"{prefix}met_at__lt": end,
        }
    )


def on_time_q(prefix: str = "clocks__") -> Q:
    return Q(**{f"{prefix}met_at__lte": F(f"{prefix}due_at")})


def overdue_clocks_q(start: datetime, end: datetime, prefix: str = "clocks__") -> Q:
    return Q(
        **{
            f"{prefix}clock": ClockKind.ANSWER,
            f"{prefix}cancelled_at__isnull": True,
            f"{prefix}due_at__gte": start,
            f"{prefix}due_at__lt": end,
        }
    ) & (Q(**{f"{prefix}met_at__isnull": True}) | Q(**{f"{prefix}met_at__gte": end}))


REGIME_FIELDS = ("clocks__policy_id", "clocks__term_amount", "clocks__term_unit", "clocks__is_statutory")


def regime_key(policy_id: int | None, amount: int, unit: str) -> str:
    return f"{policy_id or 0}-{amount}-{unit}"


def parse_regime_key(key: str) -> tuple[int | None, int, str]:
    try:
        policy, amount, unit = key.split("-", 2)
        result = (int(policy) or None, int(amount), unit)
    except ValueError:
        raise InvalidInput(_("Unknown deadline regime."), field="key") from None
    if unit not in TermUnit.values:
        raise InvalidInput(_("Unknown deadline regime."), field="key")
    return result


def regime_q(key: str, prefix: str = "clocks__") -> Q:
    policy_id, amount, unit = parse_regime_key(key)
    policy = Q(**{f"{prefix}policy__isnull": True}) if policy_id is None else Q(**{f"{prefix}policy_id": policy_id})
    return policy & Q(**{f"{prefix}term_amount": amount, f"{prefix}term_unit": unit})


def _answer_time() -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F("clocks__met_at") - F("created_at"), output_field=DurationField())


def build_summary(user: User, date_from: date, date_to: date, *, now: datetime | None = None) -> Summary:
    """The report for ``[date_from, date_to]`` (both included, in the installation's
    time zone), counting only the appeals ``user`` may see. Raises
    ``PermissionDenied`` for readers the report is not for."""
    require_view(user)
    start, end = _bounds(date_from, date_to)
    now = now or timezone.now()
    summary = Summary(
        date_from=date_from,
        date_to=date_to,
        generated_at=now,
        organisation=getattr(settings, "ORGANISATION_NAME", "") or "",
    )
    appeals = report_appeals(user)
    with transaction.atomic():
        _tune_session()
        categories = {
            row["id"]: row
            for row in Category.objects.values("id", "name", "name_en", "parent_id").order_by("name", "id")
        }
        _received(summary, appeals, start, end, categories)
        if connection.vendor == "postgresql":
            _answers(summary, appeals, start, end)
        else:
            _regimes(summary, appeals, start, end)
            _answer_times(summary, appeals, start, end)
        _forwarded(summary, appeals, start, end, categories, now)
    return summary


def _tune_session() -> None:
    """For this transaction on PostgreSQL: no JIT (compiling costs more than it
    saves on these few scans) and room to sort the answer times in memory."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")


def _category_name(row: dict[str, Any]) -> str:
    from okno.core.models import in_language

    return in_language(row["name"], row["name_en"])


def _received(
    summary: Summary, appeals: QuerySet[Appeal], start: datetime, end: datetime, categories: dict[int, Any]
) -> None:
    """Received by channel and topic, and the outcomes of the appeals closed in the
    period: one pass over the appeals received or closed in it."""
    received, closed = received_q(start, end), closed_q(start, end)
    rows = (
        appeals.filter(received | closed)
        .values("channel", "category_id", "outcome")
        .annotate(
            n=Count("pk", filter=received),
            fwd=Count("pk", filter=received & Q(regulator_forwarded=True)),
            closed=Count("pk", filter=closed),
        )
    )
    channels: dict[str, Line] = {}
    tops: dict[int | None, Line] = {}
    children: dict[int, Line] = {}
    outcomes: dict[str, int] = {}
    for row in rows:
        if row["closed"]:
            outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + row["closed"]
        n, fwd = row["n"], row["fwd"]
        if not n:
            continue
        summary.received += n
        summary.forwarded += fwd
        channel = channels.setdefault(row["channel"], Line(key=row["channel"], name=""))
        channel.count += n
        channel.forwarded += fwd
        category = categories.get(row["category_id"])
        top_id = None if category is None else (category["parent_id"] or category["id"])
        top = tops.setdefault(top_id, Line(key=str(top_id or "none"), name=""))
        top.count += n
        top.forwarded += fwd
        if category is not None and category["parent_id"]:
            child = children.get(category["id"])
            if child is None:
                child = children[category["id"]] = Line(key=str(category["id"]), name=_category_name(category))
                top.children.append(child)
            child.count += n
            child.forwarded += fwd
    labels = dict(Channel.choices)
    summary.channels = [channels[c] for c in Channel.values if c in channels]
    for line in summary.channels:
        line.name = str(labels[line.key])
    for top_id, line in tops.items():
        line.name = _category_name(categories[top_id]) if top_id is not None else _("No category")
        line.children.sort(key=lambda c: c.name.casefold())
    summary.topics = sorted(tops.values(), key=lambda line: (line.key == "none", line.name.casefold()))
    summary.closed = sum(outcomes.values())
    summary.outcomes = [
        Line(key=value, name=str(label), count=outcomes.get(value, 0)) for value, label in Outcome.choices
    ]


def _term(amount: int, unit: str) -> str:
    return f"{amount} {TermUnit(unit).label}"


def _regimes(summary: Summary, appeals: QuerySet[Appeal], start: datetime, end: datetime) -> None:
    regimes: dict[str, Regime] = {}

    def regime(row: dict[str, Any]) -> Regime:
        key = regime_key(row["clocks__policy_id"], row["clocks__term_amount"], row["clocks__term_unit"])
        if key not in regimes:
            regimes[key] = Regime(
                key=key,
                name=str(row["clocks__policy_id"] or ""),
                term=_term(row["clocks__term_amount"], row["clocks__term_unit"]),
                statutory=bool(row["clocks__is_statutory"]),
            )
        return regimes[key]

    # One pass over the answer clocks of both kinds; filter() before values()/annotate():
    # the counts run over the joined clock rows.
    answered, overdue = answered_clocks_q(start, end), overdue_clocks_q(start, end)
    rows = (
        appeals.filter(answered | overdue)
        .values(*REGIME_FIELDS)
        .annotate(
            n=Count("clocks", filter=answered),
            on_time=Count("clocks", filter=answered & on_time_q()),
            fwd=Count("clocks", filter=answered & Q(regulator_forwarded=True)),
            fwd_on_time=Count("clocks", filter=answered & on_time_q() & Q(regulator_forwarded=True)),
            late_open=Count("clocks", filter=overdue),
        )
    )
    for row in rows:
        target = regime(row)
        target.answered += row["n"]
        target.on_time += row["on_time"]
        target.forwarded_answered += row["fwd"]
        target.forwarded_on_time += row["fwd_on_time"]
        target.overdue_unanswered += row["late_open"]
    _name_regimes(summary, regimes)


def _name_regimes(summary: Summary, regimes: dict[str, Regime]) -> None:
    """Policy names for the regimes (``name`` holds the policy id until now), statutory first."""
    policy_ids = {int(r.name) for r in regimes.values() if r.name}
    names = {p.pk: p.display_name for p in DeadlinePolicy.objects.filter(pk__in=policy_ids)}
    for r in regimes.values():
        r.name = names.get(int(r.name), r.name) if r.name else _("Queue term (no policy matched)")
    summary.regimes = sorted(regimes.values(), key=lambda r: (not r.statutory, r.name.casefold(), r.term))


# The answer clocks of the period, one row per clock (inner) aggregated twice in one
# pass (outer): per regime, and over all of them for the median and the total.
ANSWERS_SQL = """
    SELECT GROUPING(r.r_policy) = 1, r.r_policy, r.r_amount, r.r_unit, r.r_statutory,
           COUNT(*) FILTER (WHERE r.r_answered),
           COUNT(*) FILTER (WHERE r.r_answered AND r.r_on_time),
           COUNT(*) FILTER (WHERE r.r_answered AND r.r_forwarded),
           COUNT(*) FILTER (WHERE r.r_answered AND r.r_on_time AND r.r_forwarded),
           COUNT(*) FILTER (WHERE r.r_overdue),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.r_seconds) FILTER (WHERE r.r_answered),
           SUM(r.r_seconds) FILTER (WHERE r.r_answered)
    FROM ({inner}) r
    GROUP BY GROUPING SETS ((r.r_policy, r.r_amount, r.r_unit, r.r_statutory), ())
"""


def _answers(summary: Summary, appeals: QuerySet[Appeal], start: datetime, end: datetime) -> None:
    """PostgreSQL: the regimes, the median and the average answer time in one pass
    over the answer clocks met or due in the period."""
    answered, overdue = answered_clocks_q(start, end), overdue_clocks_q(start, end)
    # filter() first: the annotations below read the clock rows it joined.
    inner = (
        appeals.filter(answered | overdue)
        .annotate(
            r_policy=F("clocks__policy_id"),
            r_amount=F("clocks__term_amount"),
            r_unit=F("clocks__term_unit"),
            r_statutory=F("clocks__is_statutory"),
            r_answered=ExpressionWrapper(answered, output_field=BooleanField()),
            r_on_time=ExpressionWrapper(on_time_q(), output_field=BooleanField()),
            r_overdue=ExpressionWrapper(overdue, output_field=BooleanField()),
            r_forwarded=F("regulator_forwarded"),
            # Seconds (a float) computed in the parallel workers, not intervals in the leader.
            r_seconds=Seconds("clocks__met_at", "created_at"),
        )
        .values_list(
            "r_policy",
            "r_amount",
            "r_unit",
            "r_statutory",
            "r_answered",
            "r_on_time",
            "r_overdue",
            "r_forwarded",
            "r_seconds",
        )
    )
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(ANSWERS_SQL.format(inner=sql), params)
        rows = cursor.fetchall()
    regimes: dict[str, Regime] = {}
    for overall, policy, amount, unit, statutory, n, on_time, fwd, fwd_on_time, late_open, median, total in rows:
        if overall:
            if n:
                summary.median_answer = timedelta(seconds=median) if median is not None else None
                summary.average_answer = timedelta(seconds=total / n) if total is not None else None
            continue
        key = regime_key(policy, amount, unit)
        target = regimes.setdefault(
            key, Regime(key=key, name=str(policy or ""), term=_term(amount, unit), statutory=bool(statutory))
        )
        target.answered += n
        target.on_time += on_time
        target.forwarded_answered += fwd
        target.forwarded_on_time += fwd_on_time
        target.overdue_unanswered += late_open
    _name_regimes(summary, regimes)


def _answer_times(summary: Summary, appeals: QuerySet[Appeal], start: datetime, end: datetime) -> None:
    """SQLite: the median as the middle row(s) of the ordered answer times."""
    answered = appeals.filter(answered_clocks_q(start, end))
    n = summary.answered
    if not n:
        return
    middle = list(
        answered.annotate(took=_answer_time())
        .order_by("took")
        .values_list("took", flat=True)[(n - 1) // 2 : (n - 1) // 2 + (2 - n % 2)]
    )
    summary.median_answer = sum(middle, timedelta()) / len(middle) if middle else None
    total = answered.aggregate(total=Sum(_answer_time()))["total"]
    if total is not None:
        summary.average_answer = total / n


def _forwarded(
    summary: Summary,
    appeals: QuerySet[Appeal],
    start: datetime,
    end: datetime,
    categories: dict[int, Any],
    now: datetime,
) -> None:
    clock = AppealClock.objects.filter(
        appeal=OuterRef("pk"), clock=ClockKind.ANSWER, cancelled_at__isnull=True
    ).order_by("-id")
    rows = (
        appeals.filter(received_q(start, end), regulator_forwarded=True)
        .annotate(
            answer_due=Subquery(clock.values("due_at")[:1]),
            answer_met=Subquery(clock.values("met_at")[:1]),
        )
        .order_by("created_at", "id")
        .values_list(
            "number",
            "regulator_reference",
            "regulator_letter_date",
            "created_at",
            "category_id",
            "status",
            "answer_due",
            "answer_met",
        )
    )
    statuses = dict(Status.choices)
    out = []
    for number, reference, letter_date, received, category_id, status, due, met in rows:
        category = categories.get(category_id)
        if category is not None and category["parent_id"] and category["parent_id"] in categories:
            category_name = f"{_category_name(categories[category['parent_id']])} → {_category_name(category)}"
        else:
            category_name = _category_name(category) if category is not None else ""
        out.append(
            Forwarded(
                number=number,
                reference=reference,
                letter_date=letter_date,
                received=received,
                category=category_name,
                status=str(statuses.get(status, status)),
                status_code=status,
                due_at=due,
                answered_at=met,
                on_time=None if met is None or due is None else met <= due,
                overdue=met is None and due is not None and due < now,
            )
        )
    summary.forwarded_list = out
