"""The reports. Each is a function ``(user, filters, now) -> Report`` of a few grouped
queries, and a ``drill`` that returns the appeals behind one number of it, built
from the same base queryset and the same conditions.

- ``volumes``: appeals received in the period by channel, kind, category (its
  subcategories under it), product, client segment or queue, with the trend;
- ``outcomes``: appeals closed in the period by category and outcome;
- ``timeliness``: answers given in the period by deadline regime (the policy whose
  answer clock ran): on time, late, average and 90th percentile answer time
  (from registration to the answer);
- ``overdue``: open appeals past their deadline or due within N days, now;
- ``agents``: per agent or queue, appeals closed in the period, average handling
  time (registration to closing), how many of them were answered late, and appeals
  reopened in the period;
- ``repeats``: appeals received in the period from a client who wrote about the
  same category within the N days before.

Every query starts from ``access.visible_appeals(user)`` (through
``filters.scoped_appeals``): a supervisor counts only their queues' appeals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import EventKind, Outcome, Status
from okno.appeals.models import Appeal, Event
from okno.core.errors import InvalidInput, NotFound
from okno.deadlines.choices import ClockKind
from okno.deadlines.models import AppealClock
from okno.reports.services import base
from okno.reports.services.base import (
    DATETIME,
    HOURS,
    PERCENT,
    TEXT,
    Column,
    Line,
    Report,
    cell,
    group_code,
    group_id,
    hours,
    key_of,
    percent,
    require_view,
)
from okno.reports.services.building import (
    _bar_chart,
    _cells,
    _per_bucket,
    _report,
    _row,
    _total,
    _trend,
    _trend_series,
)
from okno.reports.services.filters import ReportFilters, scoped_appeals
from okno.reports.services.sql import PercentileCont, Seconds, has_percentile, percentiles

# Rows of a list report shown on the page and in the API (exports take them all).
LIST_LIMIT = 200
TOP_CLIENTS = 100


# --- volumes -----------------------------------------------------------------------------------

VOLUME_GROUPS = {
    "channel": gettext_lazy("Channel"),
    "kind": gettext_lazy("Kind"),
    "category": gettext_lazy("Category"),
    "product": gettext_lazy("Product"),
    "segment": gettext_lazy("Client segment"),
    "queue": gettext_lazy("Queue"),
}
_VOLUME_FIELDS = {
    "channel": "channel",
    "kind": "kind_id",
    "category": "category_id",
    "product": "product_id",
    "segment": "client__segment",
    "queue": "queue_id",
}


def received(user: User, flt: ReportFilters) -> QuerySet[Appeal]:
    start, end = flt.bounds
    return scoped_appeals(user, flt).filter(created_at__gte=start, created_at__lt=end)


def volumes(user: User, flt: ReportFilters, now: datetime | None = None, *, with_trend: bool = True) -> Report:
    """Appeals received, per group, with the trend (``with_trend=False`` skips the
    trend's query, for callers that only need the groups)."""
    require_view(user)
    qs = received(user, flt)
    dim = flt.group_by or "channel"
    field = _VOLUME_FIELDS[dim]
    numeric = dim not in ("channel", "segment")
    counts = {r[field]: r["n"] for r in qs.values(field).annotate(n=Count("pk")).order_by()}
    whole = sum(counts.values())

    def cells(g: Any, scope: str = "exact") -> dict[str, str]:
        return {"count": cell(g=key_of(g), s=scope)}

    if dim == "category":
        lines = base.category_tree({k: {"count": v} for k, v in counts.items()}, ["count"], cells)
    else:
        labels = base.names(dim, counts)
        order = sorted(counts, key=lambda k: (k is None, -counts[k], labels[k].casefold()))
        lines = [Line(key=key_of(k), label=labels[k], values={"count": counts[k]}, cells=cells(k)) for k in order]
    for line in lines:
        line.values["share"] = percent(line.values["count"], whole)
    # The count's drill-down keys carry no measure: it is the only one.
    total = Line(key="", label=_("Total"), values={"count": whole, "share": 100.0 if whole else None}, is_total=True)
    total.cells = {"count": cell(g="*")}
    tops = [line for line in lines if line.level == 0]

    # The trend: per bucket and top-level group, one grouped query.
    trend_key: Any = F(field)
    if dim == "category":
        from django.db.models.functions import Coalesce

        trend_key = Coalesce("category__parent_id", "category_id")
    trended = (
        qs.annotate(_b=base.trunc(flt.step, "created_at"), _g=trend_key).values("_b", "_g").annotate(n=Count("pk"))
    )
    per_bucket = _per_bucket(trended, "_g") if with_trend else {}
    buckets = base.bucket_starts(flt)
    order = [_parse_key(line.key, numeric) for line in tops]
    labels = {_parse_key(line.key, numeric): line.label for line in tops}
    series = _trend_series(buckets, per_bucket, order, labels)
    totals = [sum(per_bucket.get((b, g), 0) for g in order) for b in buckets]
    return _report(
        "volumes",
        flt,
        str(VOLUME_GROUPS[dim]),
        [Column("count", _("Appeals")), Column("share", _("Share, %"), PERCENT)],
        rows=lines,
        total=total,
        chart=_bar_chart(tops, {"count": _("Appeals")}, keyed=False),
        trend=_trend("line", flt, buckets, series, totals) if with_trend else None,
        note=_("Appeals received in the period."),
    )


def _parse_key(key: str, numeric: bool) -> Any:
    if key == "":
        return None
    return int(key) if numeric else key


def drill_volumes(
    user: User, flt: ReportFilters, parts: dict[str, str], now: datetime | None = None
) -> QuerySet[Appeal]:
    qs = received(user, flt)
    dim = flt.group_by or "channel"
    if parts.get("g") != "*":
        if dim == "category":
            qs = base.category_scope(qs, parts)
        else:
            g: int | str | None = group_code(parts) if dim in ("channel", "segment") else group_id(parts)
            field = _VOLUME_FIELDS[dim]
            qs = qs.filter(**{f"{field}__isnull": True} if g is None else {field: g})
    day = base.parse_bucket(parts)
    if day is not None:
        start, end = base.bucket_bounds(day, flt)
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    return qs


# --- outcomes ----------------------------------------------------------------------------------

OUTCOMES = [Outcome.SATISFIED, Outcome.PARTLY_SATISFIED, Outcome.REFUSED, Outcome.EXPLAINED]


def closed(user: User, flt: ReportFilters) -> QuerySet[Appeal]:
    start, end = flt.bounds
    return scoped_appeals(user, flt).filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)


def outcomes(user: User, flt: ReportFilters, now: datetime | None = None) -> Report:
    require_view(user)
    qs = closed(user, flt)
    measures = [str(o) for o in OUTCOMES]
    annotations: dict[str, Any] = {str(o): Count("pk", filter=Q(outcome=o)) for o in OUTCOMES}
    counts: dict[Any, dict[str, int]] = {}
    grouped: list[dict[str, Any]] = [
        dict(r) for r in qs.values("category_id").annotate(total=Count("pk"), **annotations).order_by()
    ]
    for r in grouped:
        counts[r["category_id"]] = {m: r[m] for m in ["total", *measures]}

    def cells(g: Any, scope: str) -> dict[str, str]:
        return _cells(g, ["total", *measures], s=scope)

    lines = base.category_tree(counts, ["total", *measures], cells)
    total = _total({m: sum(v[m] for v in counts.values()) for m in ["total", *measures]}, ["total", *measures])
    for line in [*lines, total]:
        for m in measures:
            line.values[f"{m}_share"] = percent(line.values[m], line.values["total"])
    tops = [line for line in lines if line.level == 0]
    labels = {str(o): str(o.label) for o in OUTCOMES}

    per_bucket = _per_bucket(
        qs.annotate(_b=base.trunc(flt.step, "closed_at")).values("_b", "outcome").annotate(n=Count("pk")), "outcome"
    )
    buckets = base.bucket_starts(flt)
    bucket_totals = [sum(per_bucket.get((b, m), 0) for m in measures) for b in buckets]
    shares = [
        {
            "label": labels[m],
            "key": m,
            "data": [percent(per_bucket.get((b, m), 0), t) for b, t in zip(buckets, bucket_totals, strict=True)],
        }
        for m in measures
    ]
    return _report(
        "outcomes",
        flt,
        _("Category"),
        [
            Column("total", _("Closed")),
            *[Column(m, labels[m]) for m in measures],
            *[Column(f"{m}_share", _("%(outcome)s, %%") % {"outcome": labels[m]}, PERCENT) for m in measures],
        ],
        rows=lines,
        total=total,
        chart=_bar_chart(tops, {m: labels[m] for m in measures}, stacked=True, horizontal=True),
        trend=_trend("bar", flt, buckets, shares, bucket_totals, stacked=True, in_percent=True),
        note=_("Appeals closed in the period, by their outcome."),
    )


def drill_outcomes(
    user: User, flt: ReportFilters, parts: dict[str, str], now: datetime | None = None
) -> QuerySet[Appeal]:
    qs = closed(user, flt)
    if parts.get("g") != "*":
        qs = base.category_scope(qs, parts)
    measure = parts.get("m", "total")
    if measure != "total":
        if measure not in Outcome.values:
            raise InvalidInput(_("Unknown measure in the drill-down key."), field="cell")
        qs = qs.filter(outcome=measure)
    day = base.parse_bucket(parts)
    if day is not None:
        start, end = base.bucket_bounds(day, flt)
        qs = qs.filter(closed_at__gte=start, closed_at__lt=end)
    return qs


# --- timeliness --------------------------------------------------------------------------------

# Conditions on the joined answer clock rows. "Late" is spelt out rather than negated:
# a negated condition on a multi-valued relation would become a subquery about any clock.
ON_TIME = Q(clocks__met_at__lte=F("clocks__due_at"))
LATE = Q(clocks__met_at__gt=F("clocks__due_at"))
ANSWER_SECONDS = Seconds("clocks__met_at", "registered_at")


def answers(user: User, flt: ReportFilters, extra: Q | None = None) -> QuerySet[Appeal]:
    """The appeals in scope joined to their answer clocks (not cancelled) met in the
    period, one row per clock. ``extra`` narrows the same clock rows: it goes into
    the same ``filter()`` call, so it applies to the same join."""
    start, end = flt.bounds
    condition = Q(
        clocks__clock=ClockKind.ANSWER,
        clocks__cancelled_at__isnull=True,
        clocks__met_at__gte=start,
        clocks__met_at__lt=end,
    )
    return scoped_appeals(user, flt).filter(condition & extra if extra is not None else condition)


def _timeliness_values(answered: int, on_time: int, avg: float | None, p90: float | None) -> dict[str, Any]:
    return {
        "answered": answered,
        "on_time": on_time,
        "late": answered - on_time,
        "on_time_share": percent(on_time, answered),
        "avg_hours": hours(avg),
        "p90_hours": hours(p90),
    }


def timeliness(user: User, flt: ReportFilters, now: datetime | None = None, *, with_percentile: bool = True) -> Report:
    """Answers per deadline regime; ``with_percentile=False`` leaves the 90th
    percentile out (a sort of every answer time: the dashboard does not show it)."""
    require_view(user)
    qs = answers(user, flt)
    measures: dict[str, Any] = {
        "answered": Count("clocks"),
        "on_time": Count("clocks", filter=ON_TIME),
        "avg": Avg(ANSWER_SECONDS),
    }
    in_query = with_percentile and has_percentile()
    if in_query:
        measures["p90"] = PercentileCont(ANSWER_SECONDS, 0.9)
    grouped: list[dict[str, Any]] = [dict(r) for r in qs.values("clocks__policy_id").annotate(**measures)]
    p90: Mapping[Any, float | None]
    if not with_percentile:
        p90, whole_p90 = {}, None
    elif in_query:
        p90 = {r["clocks__policy_id"]: r["p90"] for r in grouped}
        whole_p90 = qs.aggregate(p=PercentileCont(ANSWER_SECONDS, 0.9))["p"]
    else:
        p90 = percentiles(qs, "clocks__policy_id", ANSWER_SECONDS, 0.9)
        whole_p90 = percentiles(qs, None, ANSWER_SECONDS, 0.9).get(None)
    labels = base.names("policy", [r["clocks__policy_id"] for r in grouped])
    grouped.sort(
        key=lambda r: (r["clocks__policy_id"] is None, -r["answered"], labels[r["clocks__policy_id"]].casefold())
    )
    counted = ("answered", "on_time", "late")
    lines = []
    for r in grouped:
        g = r["clocks__policy_id"]
        lines.append(_row(g, labels[g], _timeliness_values(r["answered"], r["on_time"], r["avg"], p90.get(g)), counted))
    # The total from the groups (an average of averages weighted by their counts).
    answered = sum(r["answered"] for r in grouped)
    weighted = sum(r["avg"] * r["answered"] for r in grouped if r["avg"] is not None)
    total = _total(
        _timeliness_values(
            answered, sum(r["on_time"] for r in grouped), weighted / answered if answered else None, whole_p90
        ),
        counted,
    )

    per_bucket: dict[tuple[Any, Any], int] = {}
    for b in (
        qs.annotate(_b=base.trunc(flt.step, "clocks__met_at"))
        .values("_b")
        .annotate(n=Count("clocks"), ok=Count("clocks", filter=ON_TIME))
    ):
        day = base.bucket_day(b["_b"])
        per_bucket[(day, "answered")] = per_bucket.get((day, "answered"), 0) + b["n"]
        per_bucket[(day, "on_time")] = per_bucket.get((day, "on_time"), 0) + b["ok"]
    buckets = base.bucket_starts(flt)
    shares = [
        {
            "label": _("On time, %"),
            "key": "on_time",
            "data": [percent(per_bucket.get((b, "on_time"), 0), per_bucket.get((b, "answered"), 0)) for b in buckets],
        }
    ]
    totals = [per_bucket.get((b, "answered"), 0) for b in buckets]
    return _report(
        "timeliness",
        flt,
        _("Deadline regime"),
        [
            Column("answered", _("Answers")),
            Column("on_time", _("On time")),
            Column("late", _("Late")),
            Column("on_time_share", _("On time, %"), PERCENT),
            Column("avg_hours", _("Average answer time, h"), HOURS),
            Column("p90_hours", _("90th percentile, h"), HOURS),
        ],
        rows=lines,
        total=total,
        chart=_bar_chart(lines, {"on_time": _("On time"), "late": _("Late")}, stacked=True, horizontal=True),
        trend=_trend("line", flt, buckets, shares, totals, in_percent=True),
        note=_(
            "Answers given in the period, by the deadline regime that applied. On time: no later than the "
            "deadline (an extension moves it). Answer time runs from registration to the answer."
        ),
    )


def drill_timeliness(
    user: User, flt: ReportFilters, parts: dict[str, str], now: datetime | None = None
) -> QuerySet[Appeal]:
    extra = Q()
    if parts.get("g") != "*":
        g = group_id(parts)
        extra &= Q(clocks__policy__isnull=True) if g is None else Q(clocks__policy_id=g)
    measure = parts.get("m", "answered")
    if measure == "on_time":
        extra &= ON_TIME
    elif measure == "late":
        extra &= LATE
    elif measure != "answered":
        raise InvalidInput(_("Unknown measure in the drill-down key."), field="cell")
    day = base.parse_bucket(parts)
    if day is not None:
        start, end = base.bucket_bounds(day, flt)
        extra &= Q(clocks__met_at__gte=start, clocks__met_at__lt=end)
    return access.visible_appeals(user).filter(pk__in=answers(user, flt, extra).values("pk"))


# --- current and overdue ------------------------------------------------------------------------


def _open(user: User, flt: ReportFilters) -> QuerySet[Appeal]:
    return scoped_appeals(user, flt).filter(status__in=Status.open_values())


def _overdue_q(now: datetime) -> Q:
    return Q(due_at__lt=now)


def _soon_q(now: datetime, flt: ReportFilters) -> Q:
    return Q(due_at__gte=now, due_at__lt=now + timedelta(days=flt.soon_days))


def overdue(user: User, flt: ReportFilters, now: datetime | None = None, *, limit: int | None = LIST_LIMIT) -> Report:
    """The credit organisation's "current and overdue requests": open appeals past
    their deadline and those due within ``soon_days``, as of ``now`` (the period
    does not apply). Per queue counts, and the appeals themselves, most overdue
    first; ``limit=None`` lists them all (exports)."""
    require_view(user)
    now = now or timezone.now()
    qs = _open(user, flt)
    late_q, soon_q = _overdue_q(now), _soon_q(now, flt)
    grouped = list(
        qs.filter(late_q | soon_q)
        .values("queue_id")
        .annotate(overdue=Count("pk", filter=late_q), soon=Count("pk", filter=soon_q))
        .order_by()
    )
    labels = base.names("queue", [r["queue_id"] for r in grouped])
    grouped.sort(key=lambda r: (r["queue_id"] is None, -r["overdue"], -r["soon"], labels[r["queue_id"]].casefold()))
    counted = ("overdue", "soon")
    lines = [
        _row(r["queue_id"], labels[r["queue_id"]], {"overdue": r["overdue"], "soon": r["soon"]}, counted)
        for r in grouped
    ]
    total = _total({"overdue": sum(r["overdue"] for r in grouped), "soon": sum(r["soon"] for r in grouped)}, counted)
    listed = (
        qs.filter(late_q | soon_q)
        .select_related("client", "queue", "assignee")
        .only(
            "number",
            "subject",
            "due_at",
            "client__name",
            "queue__name",
            "queue__name_en",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__patronymic",
            "assignee__username",
        )
        .order_by("due_at", "id")
    )
    items = [_item(a, now) for a in (listed if limit is None else listed[:limit])]
    item_total = total.values["overdue"] + total.values["soon"]
    names = {"overdue": _("Overdue"), "soon": _("Due soon")}
    return _report(
        "overdue",
        flt,
        _("Queue"),
        [Column(m, name) for m, name in names.items()],
        rows=lines,
        total=total,
        chart=_bar_chart(lines, names, stacked=True, horizontal=True),
        uses_period=False,
        note=_("Open appeals past their deadline, and those due within %(days)s days, as of now.")
        % {"days": flt.soon_days},
        item_columns=[
            Column("number", _("Number"), TEXT),
            Column("client", _("Client"), TEXT),
            Column("subject", _("Subject"), TEXT),
            Column("queue", _("Queue"), TEXT),
            Column("assignee", _("Assignee"), TEXT),
            Column("due", _("Due"), DATETIME),
            Column("overdue_hours", _("Overdue by, h"), HOURS),
        ],
        items=items,
        items_total=item_total,
    )


def _item(a: Appeal, now: datetime) -> Line:
    late = a.due_at is not None and a.due_at < now
    return Line(
        key=str(a.pk),
        label=a.number,
        appeal_number=a.number,
        values={
            "number": a.number,
            "client": a.client.name if a.client else "",
            "subject": a.subject,
            "queue": a.queue.display_name if a.queue else "",
            "assignee": a.assignee.display_name if a.assignee else "",
            "due": a.due_at,
            "overdue_hours": hours((now - a.due_at).total_seconds()) if late and a.due_at else None,
        },
    )


def drill_overdue(
    user: User, flt: ReportFilters, parts: dict[str, str], now: datetime | None = None
) -> QuerySet[Appeal]:
    now = now or timezone.now()
    qs = _open(user, flt)
    if parts.get("g") != "*":
        g = group_id(parts)
        qs = qs.filter(queue__isnull=True) if g is None else qs.filter(queue_id=g)
    measure = parts.get("m", "overdue")
    if measure == "overdue":
        return qs.filter(_overdue_q(now))
    if measure == "soon":
        return qs.filter(_soon_q(now, flt))
    raise InvalidInput(_("Unknown measure in the drill-down key."), field="cell")


# --- agents and queues ------------------------------------------------------------------------

AGENT_GROUPS = {"assignee": gettext_lazy("Agent"), "queue": gettext_lazy("Queue")}
_AGENT_FIELDS = {"assignee": "assignee_id", "queue": "queue_id"}


def _answered_late() -> Exists:
    return Exists(
        AppealClock.objects.filter(appeal_id=OuterRef("pk"), clock=ClockKind.ANSWER, cancelled_at__isnull=True).filter(
            Q(met_at__gt=F("due_at")) | Q(breached_at__isnull=False)
        )
    )


def _reopened_in(flt: ReportFilters) -> Exists:
    start, end = flt.bounds
    return Exists(
        Event.objects.filter(
            appeal_id=OuterRef("pk"), kind=EventKind.REOPENED, created_at__gte=start, created_at__lt=end
        )
    )


def agents(user: User, flt: ReportFilters, now: datetime | None = None) -> Report:
    require_view(user)
    dim = flt.group_by or "assignee"
    field = _AGENT_FIELDS[dim]
    handled = closed(user, flt)
    rows: dict[Any, dict[str, Any]] = {}

    def row(g: Any) -> dict[str, Any]:
        return rows.setdefault(g, {"handled": 0, "avg": None, "late": 0, "reopened": 0})

    for r in (
        handled.annotate(_late=_answered_late())
        .values(field)
        .annotate(n=Count("pk"), avg=Avg(Seconds("closed_at", "registered_at")), late=Count("pk", filter=Q(_late=True)))
        .order_by()
    ):
        target = row(r[field])
        target.update(handled=r["n"], avg=r["avg"], late=r["late"])
    for r in scoped_appeals(user, flt).filter(_reopened_in(flt)).values(field).annotate(n=Count("pk")).order_by():
        row(r[field])["reopened"] = r["n"]
    labels = base.names(dim, rows)
    order = sorted(rows, key=lambda g: (g is None, -rows[g]["handled"], labels[g].casefold()))
    measures = ("handled", "late", "reopened")

    def values(r: dict[str, Any], avg: float | None) -> dict[str, Any]:
        return {"handled": r["handled"], "avg_hours": hours(avg), "late": r["late"], "reopened": r["reopened"]}

    lines = [_row(g, labels[g], values(rows[g], rows[g]["avg"]), measures) for g in order]
    whole = handled.aggregate(avg=Avg(Seconds("closed_at", "registered_at")))
    total = _total(values({m: sum(r[m] for r in rows.values()) for m in measures}, whole["avg"]), measures)
    names = {"handled": _("Handled"), "late": _("Answered late"), "reopened": _("Reopened")}
    return _report(
        "agents",
        flt,
        str(AGENT_GROUPS[dim]),
        [
            Column("handled", names["handled"]),
            Column("avg_hours", _("Average handling time, h"), HOURS),
            Column("late", names["late"]),
            Column("reopened", names["reopened"]),
        ],
        rows=lines,
        total=total,
        chart=_bar_chart(lines, names, horizontal=True),
        note=_(
            "Handled: appeals closed in the period, by their assignee or queue; handling time runs from "
            "registration to closing; answered late: their answer deadline was missed. Reopened: appeals "
            "reopened in the period."
        ),
    )


def drill_agents(
    user: User, flt: ReportFilters, parts: dict[str, str], now: datetime | None = None
) -> QuerySet[Appeal]:
    dim = flt.group_by or "assignee"
    field = _AGENT_FIELDS[dim]
    measure = parts.get("m", "handled")
    if measure == "handled":
        qs = closed(user, flt)
    elif measure == "late":
        qs = closed(user, flt).filter(_answered_late())
    elif measure == "reopened":
        qs = scoped_appeals(user, flt).filter(_reopened_in(flt))
    else:
        raise InvalidInput(_("Unknown measure in the drill-down key."), field="cell")
    if parts.get("g") != "*":
        g = group_id(parts)
        qs = qs.filter(**{f"{field}__isnull": True} if g is None else {field: g})
    return qs


# --- repeat appeals ---------------------------------------------------------------------------

REPEAT_GROUPS = {"category": gettext_lazy("Category"), "client": gettext_lazy("Client")}


def _is_repeat(user: User, flt: ReportFilters) -> Exists:
    """An earlier appeal from the same client about the same category within
    ``repeat_days`` days before this one (among the appeals the reader may see)."""
    window_start = ExpressionWrapper(
        OuterRef("created_at") - Value(timedelta(days=flt.repeat_days)), output_field=DateTimeField()
    )
    return Exists(
        access.visible_appeals(user)
        .order_by()
        .filter(
            client_id=OuterRef("client_id"),
            category_id=OuterRef("category_id"),
            created_at__lt=OuterRef("created_at"),
            created_at__gte=window_start,
        )
    )


def _with_client_and_category(user: User, flt: ReportFilters) -> QuerySet[Appeal]:
    return received(user, flt).filter(client__isnull=False, category__isnull=False)


def repeats(user: User, flt: ReportFilters, now: datetime | None = None) -> Report:
    require_view(user)
    dim = flt.group_by or "category"
    field = "category_id" if dim == "category" else "client_id"
    qs = _with_client_and_category(user, flt).annotate(_repeat=_is_repeat(user, flt))
    grouped = qs.values(field).annotate(n=Count("pk"), rep=Count("pk", filter=Q(_repeat=True))).order_by()
    if dim == "client":
        grouped = grouped.filter(rep__gt=0).order_by("-rep", field)[:TOP_CLIENTS]
    results = list(grouped)
    labels = base.names(dim, [r[field] for r in results])
    if dim == "category":
        labels.update({c.pk: c.full_name for c in _categories([r[field] for r in results])})
    results.sort(key=lambda r: (-r["rep"], -r["n"], labels[r[field]].casefold()))
    counted = ("received", "repeats")

    def values(r: Mapping[str, Any]) -> dict[str, Any]:
        return {"received": r["n"], "repeats": r["rep"], "share": percent(r["rep"], r["n"])}

    lines = [_row(r[field], labels[r[field]], values(r), counted) for r in results]
    if dim == "category":  # every category has its row: the total is their sum
        whole = {"n": sum(r["n"] for r in results), "rep": sum(r["rep"] for r in results)}
    else:
        whole = qs.aggregate(n=Count("pk"), rep=Count("pk", filter=Q(_repeat=True)))
    total = _total(values(whole), counted)
    shown = [line for line in lines if line.values["repeats"]][:20]
    return _report(
        "repeats",
        flt,
        str(REPEAT_GROUPS[dim]),
        [
            Column("received", _("Appeals")),
            Column("repeats", _("Repeat appeals")),
            Column("share", _("Repeat, %"), PERCENT),
        ],
        rows=lines,
        total=total,
        chart=_bar_chart(shown, {"repeats": _("Repeat appeals")}, horizontal=True),
        note=_(
            "Appeals received in the period from a client who had written about the same category within "
            "the %(days)s days before. Only appeals with a client and a category count."
        )
        % {"days": flt.repeat_days},
    )


def _categories(ids: list[Any]) -> list[Any]:
    from okno.appeals.models import Category

    return list(Category.objects.filter(pk__in=[i for i in ids if i is not None]).select_related("parent"))


def drill_repeats(
    user: User, flt: ReportFilters, parts: dict[str, str], now: datetime | None = None
) -> QuerySet[Appeal]:
    dim = flt.group_by or "category"
    field = "category_id" if dim == "category" else "client_id"
    qs = _with_client_and_category(user, flt)
    measure = parts.get("m", "repeats")
    if measure == "repeats":
        qs = qs.filter(_is_repeat(user, flt))
    elif measure != "received":
        raise InvalidInput(_("Unknown measure in the drill-down key."), field="cell")
    if parts.get("g") != "*":
        g = group_id(parts)
        if g is None:
            return qs.none()
        qs = qs.filter(**{field: g})
    return qs


# --- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    code: str
    title: Any
    build: Callable[..., Report]
    drill: Callable[..., QuerySet[Appeal]]
    groups: dict[str, Any]
    uses_period: bool = True
    has_repeat_days: bool = False
    has_soon_days: bool = False
    has_trend: bool = False


REPORTS: dict[str, ReportSpec] = {
    spec.code: spec
    for spec in (
        ReportSpec("volumes", gettext_lazy("Volumes"), volumes, drill_volumes, VOLUME_GROUPS, has_trend=True),
        ReportSpec("outcomes", gettext_lazy("Outcomes by category"), outcomes, drill_outcomes, {}, has_trend=True),
        ReportSpec(
            "timeliness",
            gettext_lazy("On time and late by deadline regime"),
            timeliness,
            drill_timeliness,
            {},
            has_trend=True,
        ),
        ReportSpec(
            "overdue",
            gettext_lazy("Current and overdue appeals"),
            overdue,
            drill_overdue,
            {},
            uses_period=False,
            has_soon_days=True,
        ),
        ReportSpec("agents", gettext_lazy("Agents and queues"), agents, drill_agents, AGENT_GROUPS),
        ReportSpec(
            "repeats", gettext_lazy("Repeat appeals"), repeats, drill_repeats, REPEAT_GROUPS, has_repeat_days=True
        ),
    )
}
CODES = tuple(REPORTS)


def spec_of(code: str) -> ReportSpec:
    spec = REPORTS.get(code)
    if spec is None:
        raise NotFound(_("No such report."))
    return spec


def run(user: User, code: str, flt: ReportFilters, *, now: datetime | None = None, **options: Any) -> Report:
    """Build the report ``code`` for ``user``."""
    return spec_of(code).build(user, flt, now, **options)


def drill(user: User, code: str, flt: ReportFilters, cell_key: str, *, now: datetime | None = None) -> QuerySet[Appeal]:
    """The appeals behind one number of a report: the same filters, and the cell
    key the number carries (``now``: the moment a current-state report was taken)."""
    require_view(user)
    parts = base.parse_cell(cell_key)
    return spec_of(code).drill(user, flt, parts, now)
