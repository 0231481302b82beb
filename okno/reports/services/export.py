"""Reports as files: XLSX (openpyxl in write-only mode, so a list of a hundred
thousand appeals streams instead of building a workbook in memory) and CSV.

XLSX: a header block (title, period, filters, when), then the table with a bold,
frozen header row, number formats per column kind and widths that fit. List
reports (current and overdue appeals) get the list on a second sheet.

CSV: ``okno.core.spreadsheet.csv_writer`` (UTF-8 with a BOM, the locale's separator),
as the on-time performance CSV. Client-typed text never becomes a formula in either.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from okno.core.spreadsheet import csv_text, csv_writer, local_naive
from okno.reports.services.base import DATETIME, HOURS, INT, PERCENT, TEXT, Column, Line, Report

CSV_TYPE = "text/csv; charset=utf-8"

_FORMATS = {INT: "#,##0", PERCENT: "0.0", HOURS: "0.0", DATETIME: "dd.mm.yyyy hh:mm", TEXT: "@"}
_WIDTHS = {INT: 12, PERCENT: 11, HOURS: 14, DATETIME: 17}
_MAX_WIDTH = 60


def filename(report: Report, extension: str) -> str:
    flt = report.filters
    period = (
        f"{flt.date_from.isoformat()}-{flt.date_to.isoformat()}"
        if report.uses_period
        else timezone.localtime(report.generated_at).strftime("%Y-%m-%d-%H%M")
    )
    return f"{report.code}-{period}.{extension}"


def describe(report: Report) -> list[str]:
    """The lines above the table: what, for when, generated when."""
    flt = report.filters
    lines = [report.title]
    if report.uses_period:
        lines.append(
            _("Period: %(start)s – %(end)s")
            % {
                "start": formats.date_format(flt.date_from, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(flt.date_to, "SHORT_DATE_FORMAT"),
            }
        )
    lines.append(
        _("Generated: %(when)s")
        % {"when": formats.date_format(timezone.localtime(report.generated_at), "SHORT_DATETIME_FORMAT")}
    )
    if report.note:
        lines.append(report.note)
    return lines


def _excel_value(value: Any, kind: str) -> Any:
    if isinstance(value, datetime):
        return local_naive(value)
    if kind == TEXT and value is not None:
        return str(value)
    return value


def _header(ws: WriteOnlyWorksheet, columns: list[Column]) -> None:
    cells = []
    for column in columns:
        c = WriteOnlyCell(ws, value=column.label)
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(c)
    ws.append(cells)


def _widths(ws: WriteOnlyWorksheet, columns: list[Column], lines: list[Line]) -> None:
    for index, column in enumerate(columns, start=1):
        if column.kind == TEXT:
            longest = max([len(column.label), *(len(str(line.value(column) or "")) + 2 * line.level for line in lines)])
            width = min(_MAX_WIDTH, max(10, longest + 2))
        else:
            width = max(_WIDTHS.get(column.kind, 12), min(30, len(column.label) + 2))
        ws.column_dimensions[get_column_letter(index)].width = width


def _row(ws: WriteOnlyWorksheet, columns: list[Column], line: Line) -> list[Any]:
    cells = []
    for column in columns:
        value = line.value(column)
        if column.key == "label" and line.level:
            value = "    " * line.level + str(value)
        c = WriteOnlyCell(ws, value=_excel_value(value, column.kind))
        if column.kind == TEXT and isinstance(c.value, str):
            c.data_type = "s"  # text stays text, even "=…" (okno.core.spreadsheet)
        else:
            c.number_format = _FORMATS[column.kind]
        if line.is_total:
            c.font = Font(bold=True)
        cells.append(c)
    return cells


def _table(ws: WriteOnlyWorksheet, report: Report, columns: list[Column], lines: Iterable[Line], *, top: bool) -> None:
    materialised = list(lines)
    _widths(ws, columns, materialised[:2000])
    intro = describe(report) if top else []
    # Frozen: the header block and the header row stay in view.
    ws.freeze_panes = f"A{len(intro) + (1 if intro else 0) + 2}"
    for i, text in enumerate(intro):
        c = WriteOnlyCell(ws, value=text)
        if i == 0:
            c.font = Font(bold=True, size=13)
        ws.append([c])
    if intro:
        ws.append([])
    _header(ws, columns)
    for line in materialised:
        ws.append(_row(ws, columns, line))


def to_xlsx(report: Report) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(report.title))
    _table(ws, report, report.columns, report.all_rows(), top=True)
    if report.item_columns:
        items = wb.create_sheet(_sheet_title(_("Appeals")))
        _table(items, report, report.item_columns, report.items, top=False)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet_title(text: str) -> str:
    cleaned = "".join(ch for ch in text if ch not in "[]:*?/\\")
    return cleaned[:31] or "Report"


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if kind in (PERCENT, HOURS) and isinstance(value, int | float):
        return formats.number_format(value, decimal_pos=1)
    return csv_text(value) if kind == TEXT else str(value)


def to_csv(report: Report) -> bytes:
    """The table (list reports: the list of appeals) as CSV."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    columns, lines = (report.item_columns, report.items) if report.item_columns else (report.columns, report.all_rows())
    writer.writerow([c.label for c in columns])
    for line in lines:
        writer.writerow(
            [
                ("  " * line.level + csv_text(line.label)) if c.key == "label" else _csv_value(line.value(c), c.kind)
                for c in columns
            ]
        )
    return buffer.getvalue().encode("utf-8")
