"""What every report returns (columns, rows, a total, chart series) and the pieces
the reports share: who may read them, trend buckets, names of groups, drill-down
cell keys.

A report's numbers are grouped queries run by the database. Each number a person
can click carries a *cell key* (``g=<group>&m=<measure>``, a query string); the
report's ``drill`` turns the same filters and that key into the queryset of the
appeals behind the number, built from the same conditions the count used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db.models import DateTimeField, Func, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals.choices import Channel
from okno.appeals.models import Appeal, Category, Kind
from okno.catalog.models import Product
from okno.clients.choices import Segment
from okno.clients.models import Client
from okno.core.errors import InvalidInput
from okno.deadlines.models import DeadlinePolicy
from okno.deadlines.services.performance import can_view, require_view
from okno.queues.models import Queue
from okno.reports.services.filters import ReportFilters

__all__ = ["Column", "Line", "Report", "can_view", "require_view"]

# Column kinds: how a value is shown and exported.
TEXT, INT, PERCENT, HOURS, DATETIME = "text", "int", "percent", "hours", "datetime"


@dataclass
class Column:
    key: str
    label: str
    kind: str = INT


@dataclass
class Line:
    """One row. ``values`` by column key; ``cells`` holds the drill-down key of each
    number that opens the appeals behind it. ``level`` 1 is a subcategory under
    its category."""

    key: str
    label: str
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    level: int = 0
    is_total: bool = False
    appeal_number: str = ""  # list reports: the appeal this row is

    def value(self, column: Column) -> Any:
        return self.label if column.key == "label" else self.values.get(column.key)


@dataclass
class Report:
    """A report's result. ``chart``: ``{"type", "labels", "datasets": [{"label",
    "data"}], "stacked"}`` for Chart.js; ``trend`` the same over time (or ``None``).
    List reports (current and overdue appeals) also have ``items`` with
    ``item_columns``; ``items_total`` counts them all when ``items`` is cut short."""

    code: str
    title: str
    filters: ReportFilters
    columns: list[Column]
    rows: list[Line]
    total: Line | None
    chart: dict[str, Any]
    trend: dict[str, Any] | None = None
    generated_at: datetime = field(default_factory=timezone.now)
    uses_period: bool = True
    note: str = ""
    item_columns: list[Column] = field(default_factory=list)
    items: list[Line] = field(default_factory=list)
    items_total: int = 0

    def all_rows(self) -> Iterator[Line]:
        yield from self.rows
        if self.total is not None:
            yield self.total


def cell(**parts: Any) -> str:
    """A drill-down key: ``cell(g=3, m="late")`` → ``"g=3&m=late"``."""
    return urlencode({k: "" if v is None else str(v) for k, v in parts.items()})


def parse_cell(text: str) -> dict[str, str]:
    if len(text) > 300:
        raise InvalidInput(_("The drill-down key is too long."), field="cell")
    return dict(parse_qsl(text, keep_blank_values=True))


def group_id(parts: dict[str, str]) -> int | None:
    """The group of a cell key as an id; ``None`` for "without one"."""
    raw = parts.get("g", "")
    if raw == "":
        return None
    if not raw.isdecimal() or len(raw) > 18:
        raise InvalidInput(_("Unknown group in the drill-down key."), field="cell")
    return int(raw)


def group_code(parts: dict[str, str]) -> str | None:
    """The group of a cell key as a code (channel, segment); ``None`` for "without one"."""
    return parts.get("g", "") or None


def key_of(value: Any) -> str:
    return "" if value is None else str(value)


def percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


# --- trend buckets -----------------------------------------------------------------------------

_TRUNC: dict[str, type[Func]] = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def trunc(step: str, field_name: str) -> Func:
    """The moment's bucket, in the installation's time zone."""
    return _TRUNC[step](field_name, output_field=DateTimeField(), tzinfo=timezone.get_current_timezone())


def bucket_day(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def bucket_starts(flt: ReportFilters) -> list[date]:
    """Every bucket of the period, so a quiet week is a zero, not a gap."""
    step = flt.step
    day = flt.date_from
    if step == "week":
        day -= timedelta(days=day.weekday())
    elif step == "month":
        day = day.replace(day=1)
    starts = []
    while day <= flt.date_to:
        starts.append(day)
        day = next_bucket(day, step)
    return starts


def next_bucket(day: date, step: str) -> date:
    if step == "day":
        return day + timedelta(days=1)
    if step == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_label(day: date, step: str) -> str:
    if step == "month":
        return day.strftime("%m.%Y")
    return day.strftime("%d.%m.%Y")


def bucket_bounds(day: date, flt: ReportFilters) -> tuple[datetime, datetime]:
    """A bucket's [start, end) cut to the period."""
    start, end = flt.bounds
    first = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    last = timezone.make_aware(datetime.combine(next_bucket(day, flt.step), datetime.min.time()))
    return max(start, first), min(end, last)


def parse_bucket(parts: dict[str, str]) -> date | None:
    raw = parts.get("b", "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("Unknown period in the drill-down key."), field="cell") from None


# --- names of groups -------------------------------------------------------------------------

NONE_LABELS: dict[str, Callable[[], str]] = {
    "channel": lambda: _("No channel"),
    "kind": lambda: _("No kind"),
    "category": lambda: _("No category"),
    "product": lambda: _("No product"),
    "segment": lambda: _("No client"),
    "queue": lambda: _("No queue"),
    "assignee": lambda: _("Unassigned"),
    "policy": lambda: _("Default term (no policy)"),
    "client": lambda: _("No client"),
}


def names(dimension: str, keys: Iterable[Any]) -> dict[Any, str]:
    """Display names of a dimension's groups; ``None`` is the group without one."""
    ids = {k for k in keys if k is not None}
    found: dict[Any, str] = {}
    if dimension == "channel":
        found = {k: str(Channel(k).label) if k in Channel.values else str(k) for k in ids}
    elif dimension == "segment":
        found = {k: str(Segment(k).label) if k in Segment.values else str(k) for k in ids}
    elif ids:
        model: Any = {
            "kind": Kind,
            "category": Category,
            "product": Product,
            "queue": Queue,
            "policy": DeadlinePolicy,
            "assignee": User,
            "client": Client,
        }[dimension]
        for obj in model.objects.filter(pk__in=ids):
            found[obj.pk] = obj.name if dimension == "client" else obj.display_name
    found[None] = NONE_LABELS[dimension]()
    return found


def category_parents(ids: Iterable[int | None]) -> dict[int, int | None]:
    """Each category's parent (``None`` for a top-level one)."""
    wanted = {i for i in ids if i is not None}
    return dict(Category.objects.filter(pk__in=wanted).values_list("id", "parent_id")) if wanted else {}


def category_tree(
    counts: dict[int | None, dict[str, int]],
    measures: list[str],
    make_cells: Callable[[int | None, str], dict[str, str]],
) -> list[Line]:
    """Rows for counts per category: top-level categories (their subcategories
    summed in) sorted by the first measure, each followed by its subcategories.
    Appeals filed under a category that has subcategories get a line of their own.
    ``make_cells(category, scope)``: scope ``tree`` (with subcategories), ``own``
    (the category itself only) or ``exact``."""
    parents = category_parents(counts)
    tops: dict[int | None, dict[str, int]] = {}
    children: dict[int | None, list[int]] = {}
    for cat, values in counts.items():
        top = parents.get(cat) if cat is not None else None
        top = cat if top is None else top
        bucket = tops.setdefault(top, dict.fromkeys(measures, 0))
        for m in measures:
            bucket[m] += values.get(m, 0)
        if cat is not None and cat != top:
            children.setdefault(top, []).append(cat)
    labels = names("category", [*tops, *counts])
    order = sorted(tops, key=lambda t: (t is None, -tops[t][measures[0]], labels.get(t, "").casefold()))
    lines: list[Line] = []
    for top in order:
        kids = children.get(top, [])
        lines.append(
            Line(
                key=key_of(top),
                label=labels[top],
                values=dict(tops[top]),
                cells=make_cells(top, "tree" if kids else "exact"),
            )
        )
        if not kids:
            continue
        if top in counts:
            lines.append(
                Line(
                    key=f"{top}/own",
                    label=_("without a subcategory"),
                    values=dict(counts[top]),
                    cells=make_cells(top, "own"),
                    level=1,
                )
            )
        for kid in sorted(kids, key=lambda k: (-counts[k][measures[0]], labels.get(k, "").casefold())):
            lines.append(
                Line(key=str(kid), label=labels[kid], values=dict(counts[kid]), cells=make_cells(kid, "exact"), level=1)
            )
    return lines


def category_scope(qs: QuerySet[Appeal], parts: dict[str, str]) -> QuerySet[Appeal]:
    """Narrow ``qs`` to a category cell: with subcategories (``s=tree``), the
    category itself only, or the appeals without a category."""
    cat = group_id(parts)
    if cat is None:
        return qs.filter(category__isnull=True)
    if parts.get("s") == "tree":
        children = Category.objects.filter(parent_id=cat).values("id")
        return qs.filter(Q(category_id=cat) | Q(category_id__in=children))
    return qs.filter(category_id=cat)
