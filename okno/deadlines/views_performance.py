"""The on-time performance page ("executive discipline"): filters, a chart, the
table, and the same table as CSV. Numbers come from ``services.performance``."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from okno.appeals.views.common import current_user, is_htmx, vary_on_htmx
from okno.core.auth import login_required
from okno.core.downloads import file_response
from okno.core.errors import InvalidInput
from okno.core.spreadsheet import csv_text, csv_writer
from okno.deadlines.services import performance as service
from okno.deadlines.services.performance import Row

DEFAULTS = {"group_by": "assignee", "period": "this_month"}
# The table's and the CSV's columns after the group's name.
COLUMNS = (
    gettext_lazy("Open"),
    gettext_lazy("Due today"),
    gettext_lazy("Overdue"),
    gettext_lazy("Answers"),
    gettext_lazy("On time"),
    gettext_lazy("Late"),
    gettext_lazy("On time, %"),
    gettext_lazy("Breaches"),
)


class PerformanceFilter(forms.Form):
    """The page's filters. A preset period fills in (and fixes) both dates, which
    are then shown but not sent; "custom" takes the dates as typed."""

    group_by = forms.ChoiceField(
        label=gettext_lazy("Group by"),
        choices=list(service.GROUP_LABELS.items()),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=list(service.PRESET_LABELS.items()),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: dict[str, Any], *, today: date) -> None:
        data = dict(data)
        period = data.get("period")
        preset = period in service.PRESETS and period != "custom"
        if preset:
            start, end = service.period_of(str(period), today)
            data["date_from"], data["date_to"] = start.isoformat(), end.isoformat()
        super().__init__(data)
        self.today = today
        for name in ("date_from", "date_to"):
            widget = self.fields[name].widget
            widget.attrs = {**widget.attrs, "disabled": preset}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            for name in ("date_from", "date_to"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give both dates of a custom period."))
            start, end = data.get("date_from"), data.get("date_to")
            if start is not None and end is not None and start > end:
                self.add_error("date_to", _("The period ends before it starts."))
        return data


def _filter(request: HttpRequest) -> PerformanceFilter:
    data = {**DEFAULTS, **{k: v for k, v in request.GET.items() if k in PerformanceFilter.base_fields and v}}
    return PerformanceFilter(data, today=timezone.localdate())


def _inbox_query(group_by: str, row: Row) -> str | None:
    """The inbox filter showing a row's open appeals (departments have no filter
    of their own in the inbox)."""
    if row.is_total:
        return "status=open"
    if group_by in ("assignee", "queue"):
        return f"status=open&{group_by}={'none' if row.key is None else row.key}"
    return None


def _number(value: float | None) -> str:
    return "" if value is None else formats.number_format(value, decimal_pos=1)


def _csv(rows: list[Row], group_by: str, date_from: date, date_to: date) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([str(service.GROUP_LABELS[group_by]), *(str(label) for label in COLUMNS)])
    for r in rows:
        writer.writerow(
            [
                csv_text(r.name),
                r.open,
                r.due_today,
                r.overdue,
                r.answered,
                r.answered_on_time,
                r.answered_late,
                _number(r.on_time_percent),
                r.breaches,
            ]
        )
    name = f"on-time-{group_by}-{date_from.isoformat()}-{date_to.isoformat()}.csv"
    return file_response(buffer.getvalue().encode("utf-8"), name, "text/csv; charset=utf-8")


def answers_note(row: Row) -> str:
    """A line like "3 of 4 answers on time", or that nothing was answered."""
    if not row.answered:
        return _("nothing answered")
    return ngettext(
        "%(on_time)s of %(answered)s answer on time",
        "%(on_time)s of %(answered)s answers on time",
        row.answered,
    ) % {"on_time": row.answered_on_time, "answered": row.answered}


def _chart_data(rows: list[Row]) -> dict[str, Any]:
    groups = [r for r in rows if not r.is_total]
    return {
        "labels": [r.name for r in groups],
        "on_time": [r.on_time_percent for r in groups],
        "notes": [answers_note(r) for r in groups],
        "open": [r.open for r in groups],
        "overdue": [r.overdue for r in groups],
        "text": {"on_time": _("On time, %"), "open": _("Open"), "overdue": _("Overdue")},
    }


@login_required
@require_GET
def performance(request: HttpRequest) -> HttpResponse:
    """GET: the page (or, for htmx, the report region); ``?format=csv``: the table."""
    user = current_user(request)
    service.require_view(user)
    form = _filter(request)
    context: dict[str, Any] = {"nav_section": "performance", "form": form, "lines": None}
    status = 200
    rows = None
    if form.is_valid():
        params = form.cleaned_data
        try:
            rows = service.on_time_performance(
                user, group_by=params["group_by"], date_from=params["date_from"], date_to=params["date_to"]
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    if rows is not None:
        if request.GET.get("format") == "csv":
            return _csv(rows, params["group_by"], params["date_from"], params["date_to"])
        query = QueryDict(mutable=True)
        query.update({"group_by": params["group_by"], "period": params["period"], "format": "csv"})
        if params["period"] == "custom":
            query.update({"date_from": params["date_from"].isoformat(), "date_to": params["date_to"].isoformat()})
        context.update(
            lines=[{"row": r, "inbox": _inbox_query(params["group_by"], r)} for r in rows[:-1]],
            total=rows[-1],
            total_inbox=_inbox_query(params["group_by"], rows[-1]),
            group_by=params["group_by"],
            group_label=service.GROUP_LABELS[params["group_by"]],
            date_from=params["date_from"],
            date_to=params["date_to"],
            csv_query=query.urlencode(),
            chart=_chart_data(rows),
            columns=COLUMNS,
            total_note=answers_note(rows[-1]),
        )
    else:
        status = 400
    template = "deadlines/performance_report.html" if is_htmx(request) else "deadlines/performance.html"
    return vary_on_htmx(render(request, template, context, status=status))
