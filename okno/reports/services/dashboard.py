"""The management dashboard: trends by month (the last 12 by default) of volume,
on-time share and outcomes, and the top categories and products. Every figure is
one of the reports of ``services.reports`` run with a monthly step; nothing here
counts on its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.reports.services import reports
from okno.reports.services.base import Report, require_view
from okno.reports.services.filters import ReportFilters

TOP = 10


def _total_of(report: Report, column: str) -> float | None:
    """A figure of the report's total row (``None`` when it has none)."""
    value: float | None = report.total.values[column] if report.total else None
    return value


@dataclass
class Dashboard:
    filters: ReportFilters
    by_category: Report
    by_product: Report
    timeliness: Report
    outcomes: Report

    @property
    def received(self) -> int:
        return int(_total_of(self.by_category, "count") or 0)

    @property
    def on_time_share(self) -> float | None:
        return _total_of(self.timeliness, "on_time_share")

    @property
    def closed(self) -> int:
        return int(_total_of(self.outcomes, "total") or 0)

    @property
    def satisfied_share(self) -> float | None:
        return _total_of(self.outcomes, "satisfied_share")

    def charts(self) -> dict[str, Any]:
        """Chart.js series for the page."""
        trend = self.by_category.trend or {}
        on_time = self.timeliness.trend or {}
        outcomes = self.outcomes.trend or {}

        def top(report: Report) -> dict[str, Any]:
            rows = [line for line in report.rows if line.level == 0 and line.key != ""][:TOP]  # named ones
            return {
                "type": "bar",
                "horizontal": True,
                "labels": [line.label for line in rows],
                "datasets": [{"label": _("Appeals"), "data": [line.values["count"] for line in rows]}],
            }

        return {
            "volume": {
                "type": "bar",
                "labels": trend.get("labels", []),
                "datasets": [{"label": _("Appeals received"), "data": trend.get("total", [])}],
            },
            "on_time": {
                "type": "line",
                "percent": True,
                "labels": on_time.get("labels", []),
                "datasets": on_time.get("datasets", []),
            },
            "outcomes": {
                "type": "bar",
                "stacked": True,
                "percent": True,
                "labels": outcomes.get("labels", []),
                "datasets": outcomes.get("datasets", []),
            },
            "categories": top(self.by_category),
            "products": top(self.by_product),
        }


def build(user: User, flt: ReportFilters) -> Dashboard:
    require_view(user)
    monthly = flt.with_(bucket="month")
    return Dashboard(
        filters=monthly,
        by_category=reports.volumes(user, monthly.with_(group_by="category")),
        by_product=reports.volumes(user, monthly.with_(group_by="product"), with_trend=False),
        timeliness=reports.timeliness(user, monthly, with_percentile=False),
        outcomes=reports.outcomes(user, monthly),
    )
