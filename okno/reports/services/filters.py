"""The filters every report shares, parsed from GET parameters, API input or a saved
report's JSON: the period (a preset or two dates), queue, channel, kind, category
(with its subcategories), product and client segment, plus the few knobs some
reports have (grouping, trend step, N days of a repeat, the due-soon horizon).

A preset period is stored as the preset, not as dates, so a saved "last month"
report mailed on the 1st covers the month just ended.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Channel
from okno.appeals.models import Appeal, Category
from okno.clients.choices import Segment
from okno.core.apitools import MAX_ID
from okno.core.errors import InvalidInput
from okno.deadlines.services import performance

# The performance report's presets, and longer ones the dashboard and yearly reports need.
PRESET_LABELS = {
    **{k: v for k, v in performance.PRESET_LABELS.items() if k != "custom"},
    "this_year": gettext_lazy("This year"),
    "last_year": gettext_lazy("Last year"),
    "last_12_months": gettext_lazy("Last 12 months"),
    "custom": gettext_lazy("Custom dates"),
}
PRESETS = tuple(PRESET_LABELS)

BUCKET_LABELS = {
    "auto": gettext_lazy("Automatic"),
    "day": gettext_lazy("By day"),
    "week": gettext_lazy("By week"),
    "month": gettext_lazy("By month"),
}
BUCKETS = tuple(BUCKET_LABELS)

DEFAULT_REPEAT_DAYS = 30
DEFAULT_SOON_DAYS = 3
MAX_REPEAT_DAYS = 366
MAX_SOON_DAYS = 60
MAX_PERIOD_DAYS = 366 * 10

# Parameters a report reads, in the order a query string lists them.
PARAMS = (
    "period",
    "date_from",
    "date_to",
    "queue",
    "channel",
    "kind",
    "category",
    "product",
    "segment",
    "group_by",
    "bucket",
    "repeat_days",
    "soon_days",
)


def period_of(preset: str, today: date) -> tuple[date, date]:
    """First and last day (both included) of a preset period around ``today``."""
    if preset == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if preset == "last_12_months":
        first = today.replace(day=1)
        year, month = (first.year, first.month - 11) if first.month > 11 else (first.year - 1, first.month + 1)
        last = today.replace(day=stdlib_calendar.monthrange(today.year, today.month)[1])
        return date(year, month, 1), last
    return performance.period_of(preset, today)


@dataclass(frozen=True)
class ReportFilters:
    """What a report counts. Empty fields do not filter; ``date_from``/``date_to``
    are always set (a preset fills them in)."""

    date_from: date
    date_to: date
    period: str = "custom"
    queue: int | None = None
    channel: str = ""
    kind: int | None = None
    category: int | None = None
    product: int | None = None
    segment: str = ""
    group_by: str = ""
    bucket: str = "auto"
    repeat_days: int = DEFAULT_REPEAT_DAYS
    soon_days: int = DEFAULT_SOON_DAYS

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as [start, end) instants in the installation's time zone."""
        return performance._bounds(self.date_from, self.date_to)

    @property
    def step(self) -> str:
        """The trend's step: as chosen, or by the period's length (a month by day,
        a quarter by week, longer by month)."""
        if self.bucket != "auto":
            return self.bucket
        days = (self.date_to - self.date_from).days + 1
        if days <= 45:
            return "day"
        if days <= 120:
            return "week"
        return "month"

    def with_(self, **changes: Any) -> ReportFilters:
        return replace(self, **changes)

    def to_params(self) -> dict[str, str]:
        """The filters as query parameters (what a link, a saved report and the API
        take back). A preset is kept as the preset, without its dates."""
        params: dict[str, str] = {"period": self.period}
        if self.period == "custom":
            params["date_from"] = self.date_from.isoformat()
            params["date_to"] = self.date_to.isoformat()
        for name in ("queue", "channel", "kind", "category", "product", "segment", "group_by"):
            value = getattr(self, name)
            if value not in (None, ""):
                params[name] = str(value)
        if self.bucket != "auto":
            params["bucket"] = self.bucket
        if self.repeat_days != DEFAULT_REPEAT_DAYS:
            params["repeat_days"] = str(self.repeat_days)
        if self.soon_days != DEFAULT_SOON_DAYS:
            params["soon_days"] = str(self.soon_days)
        return params

    def querystring(self, **extra: str) -> str:
        qd = QueryDict(mutable=True)
        qd.update({**self.to_params(), **extra})
        return qd.urlencode()


def _get(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return "" if value is None else str(value).strip()


def _id(data: Mapping[str, Any], name: str) -> int | None:
    text = _get(data, name)
    if not text:
        return None
    if not text.isdecimal() or not 0 < int(text) <= MAX_ID:
        raise InvalidInput(_("Expected an id, got “%(value)s”.") % {"value": text[:40]}, field=name)
    return int(text)


def _number(data: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    text = _get(data, name)
    if not text:
        return default
    if not text.isdecimal() or not low <= int(text) <= high:
        raise InvalidInput(
            _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=name,
        )
    return int(text)


def _date(data: Mapping[str, Any], name: str) -> date | None:
    text = _get(data, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("Give a date as YYYY-MM-DD."), field=name) from None


def _choice(data: Mapping[str, Any], name: str, known: tuple[str, ...] | list[str]) -> str:
    text = _get(data, name)
    if text and text not in known:
        raise InvalidInput(
            _("Unknown value “%(value)s”; known: %(known)s.") % {"value": text[:40], "known": ", ".join(known)},
            field=name,
        )
    return text


def parse_filters(
    data: Mapping[str, Any],
    *,
    today: date | None = None,
    default_period: str = "this_month",
    group_choices: tuple[str, ...] = (),
) -> ReportFilters:
    """``ReportFilters`` from request parameters (a ``QueryDict`` or a plain dict).
    Raises ``InvalidInput`` naming the field at the first value that makes no sense.
    ``group_choices``: the groupings the report offers (the first is the default)."""
    today = today or timezone.localdate()
    period = _choice(data, "period", PRESETS) or default_period
    if period == "custom" or (not _get(data, "period") and (_get(data, "date_from") or _get(data, "date_to"))):
        period = "custom"
        start, end = _date(data, "date_from"), _date(data, "date_to")
        if start is None:
            raise InvalidInput(_("Give both dates of a custom period."), field="date_from")
        if end is None:
            raise InvalidInput(_("Give both dates of a custom period."), field="date_to")
    else:
        start, end = period_of(period, today)
    performance._bounds(start, end)  # years in range, start before end
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput(_("A period may be at most ten years long."), field="date_from")
    group_by = _choice(data, "group_by", group_choices) if group_choices else ""
    return ReportFilters(
        date_from=start,
        date_to=end,
        period=period,
        queue=_id(data, "queue"),
        channel=_choice(data, "channel", Channel.values),
        kind=_id(data, "kind"),
        category=_id(data, "category"),
        product=_id(data, "product"),
        segment=_choice(data, "segment", Segment.values),
        group_by=group_by or (group_choices[0] if group_choices else ""),
        bucket=_choice(data, "bucket", BUCKETS) or "auto",
        repeat_days=_number(data, "repeat_days", DEFAULT_REPEAT_DAYS, 1, MAX_REPEAT_DAYS),
        soon_days=_number(data, "soon_days", DEFAULT_SOON_DAYS, 1, MAX_SOON_DAYS),
    )


FILTER_FIELDS = tuple(f.name for f in fields(ReportFilters))


def scoped_appeals(user: User, flt: ReportFilters) -> QuerySet[Appeal]:
    """The appeals ``user`` may see that match the filters other than the period
    (each report applies the period to its own moment: received, closed, answered)."""
    qs = access.visible_appeals(user).order_by()
    if flt.queue is not None:
        qs = qs.filter(queue_id=flt.queue)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    if flt.kind is not None:
        qs = qs.filter(kind_id=flt.kind)
    if flt.category is not None:
        children = Category.objects.filter(parent_id=flt.category).values("id")
        qs = qs.filter(Q(category_id=flt.category) | Q(category_id__in=children))
    if flt.product is not None:
        qs = qs.filter(product_id=flt.product)
    if flt.segment:
        qs = qs.filter(client__segment=flt.segment)
    return qs
