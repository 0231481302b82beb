"""API: the reports as JSON with the page's filters, their XLSX/CSV files, and saved
reports with their delivery schedules. Supervisors, compliance officers and
administrators; each counts only the appeals they may open."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import StringConstraints

from okno.core.apitools import Id, InputSchema, current_user
from okno.reports.choices import ReportCode, Schedule
from okno.reports.models import DeliveryRun, SavedReport
from okno.reports.services import reports as service
from okno.reports.services import saved
from okno.reports.services.base import Line, Report, require_view
from okno.reports.services.filters import parse_filters
from okno.reports.views import file_response

router = Router(tags=["reports"])

Param = Annotated[str, StringConstraints(max_length=40)]


class ReportQuery(Schema):
    """The filters; all optional. ``period``: this_month (default), last_month, quarter,
    last_quarter, this_year, last_year, last_12_months or custom (then ``date_from``
    and ``date_to``, both included, in the installation's time zone)."""

    period: Param | None = None
    date_from: Param | None = None
    date_to: Param | None = None
    queue: Param | None = None
    channel: Param | None = None
    kind: Param | None = None
    category: Param | None = None
    product: Param | None = None
    segment: Param | None = None
    group_by: Param | None = None
    bucket: Param | None = None
    repeat_days: Param | None = None
    soon_days: Param | None = None


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class LineOut(Schema):
    key: str
    label: str
    level: int
    values: dict[str, Any]
    cells: dict[str, str]


class ReportOut(Schema):
    code: str
    title: str
    filters: dict[str, str]
    date_from: dt.date
    date_to: dt.date
    generated_at: dt.datetime
    note: str
    columns: list[ColumnOut]
    rows: list[LineOut]
    total: LineOut | None
    chart: dict[str, Any]
    trend: dict[str, Any] | None
    item_columns: list[ColumnOut]
    items: list[LineOut]
    items_total: int


def _filters(code: str, q: ReportQuery) -> Any:
    spec = service.spec_of(code)
    return parse_filters(q.model_dump(exclude_none=True), group_choices=tuple(spec.groups))


def _line(line: Line) -> dict[str, Any]:
    return {"key": line.key, "label": line.label, "level": line.level, "values": line.values, "cells": line.cells}


def _out(report: Report) -> dict[str, Any]:
    return {
        "code": report.code,
        "title": report.title,
        "filters": report.filters.to_params(),
        "date_from": report.filters.date_from,
        "date_to": report.filters.date_to,
        "generated_at": report.generated_at,
        "note": report.note,
        "columns": report.columns,
        "rows": [_line(line) for line in report.rows],
        "total": _line(report.total) if report.total else None,
        "chart": report.chart,
        "trend": report.trend,
        "item_columns": report.item_columns,
        "items": [_line(line) for line in report.items],
        "items_total": report.items_total,
    }


def _register(code: str) -> None:
    title = str(service.REPORTS[code].title)

    def get_report(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
        user = current_user(request)
        require_view(user)
        return _out(service.run(user, code, _filters(code, q)))

    def export_report(
        request: HttpRequest, q: Query[ReportQuery], format: Literal["xlsx", "csv"] = "xlsx"
    ) -> HttpResponse:
        user = current_user(request)
        require_view(user)
        options = {"limit": None} if code == "overdue" else {}
        return file_response(service.run(user, code, _filters(code, q), **options), format)

    router.add_api_operation(
        f"/reports/{code}",
        ["GET"],
        get_report,
        response=ReportOut,
        summary=f"Report: {title}",
        operation_id=f"report_{code}",
        description=(
            "Rows, a total row and chart series. `cells` holds, per column, the drill-down key of the "
            "number: `/reports/drill/?report=<code>&cell=<key>&<filters>` lists the appeals behind it."
        ),
    )
    router.add_api_operation(
        f"/reports/{code}/export",
        ["GET"],
        export_report,
        summary=f"Report as a file: {title}",
        operation_id=f"report_{code}_export",
        description="`format=xlsx` (default) or `csv` (UTF-8 with a BOM).",
    )


for _code in service.CODES:
    _register(_code)


# --- saved reports ----------------------------------------------------------------------------

Name = Annotated[str, StringConstraints(max_length=200)]
Email = Annotated[str, StringConstraints(max_length=320)]


class RunOut(Schema):
    started_at: dt.datetime
    ok: bool
    recipients: list[str]
    attachment: str
    size: int
    rows: int
    error: str
    manual: bool


class SavedOut(Schema):
    id: int
    owner_id: int
    name: str
    report: str
    filters: dict[str, Any]
    recipients: list[str]
    schedule: str
    weekday: int | None
    day_of_month: int | None
    send_hour: int
    next_run_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    last_error: str
    failures: int


class SavedIn(InputSchema):
    name: Name
    report: ReportCode
    filters: dict[str, Param] = {}
    recipients: list[Email] = []
    schedule: Schedule = Schedule.OFF
    weekday: int | None = None
    day_of_month: int | None = None
    send_hour: int = 8


class SavedPatch(InputSchema):
    name: Name | None = None
    filters: dict[str, Param] | None = None
    recipients: list[Email] | None = None
    schedule: Schedule | None = None
    weekday: int | None = None
    day_of_month: int | None = None
    send_hour: int | None = None


@router.get("/reports/saved", response=list[SavedOut], summary="Saved reports (yours; administrators: all)")
def list_saved(request: HttpRequest) -> Any:
    return list(saved.visible_saved(current_user(request)))


@router.post("/reports/saved", response={201: SavedOut}, summary="Save a report, optionally with a schedule")
def create_saved(request: HttpRequest, payload: SavedIn) -> Status[SavedReport]:
    item = saved.create(current_user(request), **payload.model_dump())
    return Status(201, item)


@router.get("/reports/saved/{saved_id}", response=SavedOut, summary="One saved report")
def get_saved(request: HttpRequest, saved_id: Id) -> SavedReport:
    return saved.get(current_user(request), saved_id)


@router.patch("/reports/saved/{saved_id}", response=SavedOut, summary="Change a saved report or its schedule")
def update_saved(request: HttpRequest, saved_id: Id, payload: SavedPatch) -> SavedReport:
    user = current_user(request)
    item = saved.get(user, saved_id)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("name", "filters", "recipients", "schedule", "send_hour"):
        if name in changes and changes[name] is None:
            del changes[name]
    return saved.update(user, item, **changes)


@router.delete("/reports/saved/{saved_id}", response={204: None}, summary="Delete a saved report")
def delete_saved(request: HttpRequest, saved_id: Id) -> Status[None]:
    user = current_user(request)
    saved.delete(user, saved.get(user, saved_id))
    return Status(204, None)


@router.get(
    "/reports/saved/{saved_id}/runs", response=list[RunOut], summary="Deliveries of a saved report, newest first"
)
def saved_runs(request: HttpRequest, saved_id: Id) -> list[DeliveryRun]:
    item = saved.get(current_user(request), saved_id)
    return list(item.runs.all()[:100])


@router.post("/reports/saved/{saved_id}/send", response=RunOut, summary="Mail a saved report now")
def send_saved(request: HttpRequest, saved_id: Id) -> DeliveryRun:
    user = current_user(request)
    return saved.send_now(user, saved.get(user, saved_id))
