"""The pieces every report is made of: rows with their drill-down keys, the total,
the bar chart and the trend over time (``reports.py`` builds each report from them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from okno.reports.services import base
from okno.reports.services.base import (
    TEXT,
    Column,
    Line,
    Report,
    cell,
    key_of,
)
from okno.reports.services.filters import ReportFilters

# How many other groups a trend shows as lines of their own before "Other".
TREND_SERIES = 6


def _cells(group: Any, measures: Iterable[str], **parts: str) -> dict[str, str]:
    """The drill-down key of each measure of a group's row (group ``"*"``: the total's)."""
    return {m: cell(g=key_of(group), **parts, m=m) for m in measures}


def _row(group: Any, label: str, values: dict[str, Any], measures: Iterable[str]) -> Line:
    """A group's row; each of ``measures`` opens the appeals behind its number."""
    return Line(key=key_of(group), label=label, values=values, cells=_cells(group, measures))


def _total(values: dict[str, Any], measures: Iterable[str]) -> Line:
    """The total row; each of ``measures`` opens every appeal behind its column."""
    return Line(key="", label=_("Total"), values=values, cells=_cells("*", measures), is_total=True)


def _report(code: str, flt: ReportFilters, group: str, columns: list[Column], **parts: Any) -> Report:
    """The report ``code``: a first column that names the rows' groups (``group``:
    its heading), then ``columns``; ``parts`` are the rest of ``Report``."""
    return Report(
        code=code,
        title=str(_title(code)),
        filters=flt,
        columns=[Column("label", group, TEXT), *columns],
        **parts,
    )


def _flags(**switches: bool) -> dict[str, bool]:
    """A chart's switches (``stacked``, ``horizontal``, ``percent``), only those that are on."""
    return {name: True for name, on in switches.items() if on}


def _bar_chart(
    lines: list[Line],
    measures: Mapping[str, str],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    keyed: bool = True,
) -> dict[str, Any]:
    """Bars for ``lines``, a dataset per measure (its column key → its legend label).
    ``keys`` (and, if ``keyed``, each dataset's ``key``) let a click on a bar open the
    appeals behind the number it shows."""
    return {
        "type": "bar",
        **_flags(stacked=stacked, horizontal=horizontal),
        "labels": [line.label for line in lines],
        "keys": [line.key for line in lines],
        "datasets": [
            {"label": label, **({"key": m} if keyed else {}), "data": [line.values[m] for line in lines]}
            for m, label in measures.items()
        ],
    }


def _trend(
    kind: str,
    flt: ReportFilters,
    buckets: list[date],
    datasets: list[dict[str, Any]],
    total: list[Any],
    *,
    stacked: bool = False,
    in_percent: bool = False,
) -> dict[str, Any]:
    """A chart over the period's ``buckets`` (``total``: the count in each)."""
    return {
        "type": kind,
        **_flags(stacked=stacked, percent=in_percent),
        "step": flt.step,
        "labels": [base.bucket_label(b, flt.step) for b in buckets],
        "buckets": [b.isoformat() for b in buckets],
        "datasets": datasets,
        "total": total,
    }


def _per_bucket(rows: Iterable[Mapping[str, Any]], group: str) -> dict[tuple[Any, Any], int]:
    """Counts ``n`` of rows grouped by a truncated moment ``_b`` and ``group``, per
    (bucket day, group): moments that fall on one local day add up."""
    sums: dict[tuple[Any, Any], int] = {}
    for r in rows:
        key = (base.bucket_day(r["_b"]), r[group])
        sums[key] = sums.get(key, 0) + r["n"]
    return sums


def _trend_series(
    buckets: list[Any], per_bucket: dict[tuple[Any, Any], int], order: list[Any], labels: dict[Any, str]
) -> list[dict[str, Any]]:
    shown = order[:TREND_SERIES]
    series = [
        {"label": labels[g], "key": key_of(g), "data": [per_bucket.get((b, g), 0) for b in buckets]} for g in shown
    ]
    rest = order[TREND_SERIES:]
    if rest:
        series.append(
            {
                "label": _("Other"),
                "key": "",
                "data": [sum(per_bucket.get((b, g), 0) for g in rest) for b in buckets],
            }
        )
    return series


def _title(code: str) -> Any:
    from okno.reports.services.reports import REPORTS  # the registry names the reports built here

    return REPORTS[code].title
