"""The regulator report as files: the workbook (XlsxWriter, a sheet per section of the
template's layout) and the PDF (the template's body through ``okno.core.pdf``).

Both are made from one :class:`~okno.reports.regulator.services.summary.Summary`,
so they always agree. The PDF holds aggregates and at most
``PDF_FORWARDED_LIMIT`` forwarded appeals ("and N more"); the workbook lists them all.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.core.downloads import PDF_TYPE, XLSX_TYPE
from okno.core.pdf import render_pdf
from okno.core.spreadsheet import local_naive
from okno.reports.regulator.models import Layout, RegulatorReportTemplate
from okno.reports.regulator.services.layout import layout_of, render_body
from okno.reports.regulator.services.summary import PDF_FORWARDED_LIMIT, Summary, build_summary

ZIP_TYPE = "application/zip"
FILE_TYPES = {"xlsx": XLSX_TYPE, "pdf": PDF_TYPE, "zip": ZIP_TYPE}
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"


def _days(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 86400, 1) if value is not None else None


def _hours(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def report_context(summary: Summary, layout: Layout, *, forwarded_limit: int | None = None) -> dict[str, Any]:
    """What a layout's template sees: plain data only (numbers, text, dates)."""
    forwarded = summary.forwarded_list
    shown = forwarded if forwarded_limit is None else forwarded[:forwarded_limit]
    return {
        "organisation": summary.organisation,
        "regulator": layout.regulator,
        "report_name": layout.name,
        "period": {"label": summary.period_label, "date_from": summary.date_from, "date_to": summary.date_to},
        "generated_at": summary.generated_at,
        "totals": {
            "received": summary.received,
            "forwarded": summary.forwarded,
            "closed": summary.closed,
            "answered": summary.answered,
            "answered_on_time": summary.answered_on_time,
            "answered_late": summary.answered_late,
            "on_time_percent": summary.on_time_percent,
            "overdue_unanswered": summary.overdue_unanswered,
            "forwarded_answered": summary.forwarded_answered,
            "forwarded_on_time": summary.forwarded_on_time,
            "median_answer_days": _days(summary.median_answer),
            "average_answer_days": _days(summary.average_answer),
            "median_answer_hours": _hours(summary.median_answer),
            "average_answer_hours": _hours(summary.average_answer),
        },
        "channels": [_line(line) for line in summary.channels],
        "topics": [_line(line) for line in summary.topics],
        "outcomes": [_line(line) for line in summary.outcomes],
        "regimes": [
            {
                "key": r.key,
                "name": r.name,
                "term": r.term,
                "statutory": r.statutory,
                "answered": r.answered,
                "on_time": r.on_time,
                "late": r.late,
                "on_time_percent": r.on_time_percent,
                "overdue_unanswered": r.overdue_unanswered,
                "forwarded_answered": r.forwarded_answered,
                "forwarded_on_time": r.forwarded_on_time,
            }
            for r in summary.regimes
        ],
        "forwarded": [
            {
                "number": f.number,
                "reference": f.reference,
                "letter_date": f.letter_date,
                "received": f.received,
                "category": f.category,
                "status": f.status,
                "due_at": f.due_at,
                "answered_at": f.answered_at,
                "on_time": f.on_time,
                "overdue": f.overdue,
            }
            for f in shown
        ],
        "forwarded_total": len(forwarded),
        "forwarded_more": len(forwarded) - len(shown),
    }


def _line(line: Any) -> dict[str, Any]:
    return {
        "key": line.key,
        "name": line.name,
        "count": line.count,
        "forwarded": line.forwarded,
        "children": [_line(child) for child in line.children],
    }


# --- PDF -----------------------------------------------------------------------------


def pdf_html_context(summary: Summary, layout: Layout) -> dict[str, Any]:
    """The context of ``regulator/report_pdf.html``: the body rendered by the
    sandboxed engine, the layout's style sheet and page orientation."""
    context = report_context(summary, layout, forwarded_limit=PDF_FORWARDED_LIMIT)
    return {
        "title": f"{layout.name} — {summary.period_label}",
        "body": render_body(layout, context),
        "layout_style": layout.style,
        "landscape": layout.landscape,
    }


def build_pdf(summary: Summary, layout: Layout) -> bytes:
    return render_pdf("regulator/report_pdf.html", pdf_html_context(summary, layout))


# --- XLSX ----------------------------------------------------------------------------


@dataclass
class Table:
    """One section as a table: headers, rows, an optional total row, how to show it."""

    headers: list[str]
    widths: list[int]
    rows: Iterable[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    formats: dict[int, str] = field(default_factory=dict)  # column index -> number format
    bold_rows: set[int] = field(default_factory=set)


def _summary_table(ctx: dict[str, Any]) -> Table:
    t = ctx["totals"]
    rows = [
        [_("Appeals received"), t["received"]],
        [_("of them forwarded by the regulator"), t["forwarded"]],
        [_("Answered in the period"), t["answered"]],
        [_("of them on time"), t["answered_on_time"]],
        [_("of them late"), t["answered_late"]],
        [_("Answered on time, %"), t["on_time_percent"]],
        [_("Deadline passed in the period, no answer"), t["overdue_unanswered"]],
        [_("Closed with an outcome"), t["closed"]],
        [_("Forwarded by the regulator: answered"), t["forwarded_answered"]],
        [_("Forwarded by the regulator: answered on time"), t["forwarded_on_time"]],
        [_("Median answer time, days"), t["median_answer_days"]],
        [_("Average answer time, days"), t["average_answer_days"]],
    ]
    table = Table(headers=[_("Indicator"), _("Value")], widths=[52, 14], rows=rows)
    table.formats = {1: "#,##0.0##"}
    return table


def _lines_table(lines: list[dict[str, Any]], name: str, t: dict[str, Any]) -> Table:
    table = Table(
        headers=[name, _("Received"), _("Forwarded by the regulator")],
        widths=[40, 12, 16],
        formats={1: "#,##0", 2: "#,##0"},
    )
    table.rows = [[line["name"], line["count"], line["forwarded"]] for line in lines]
    table.total = [_("Total"), t["received"], t["forwarded"]]
    return table


def _topics_table(ctx: dict[str, Any]) -> Table:
    table = Table(
        headers=[_("Topic"), _("Subtopic"), _("Received"), _("Forwarded by the regulator")],
        widths=[32, 36, 12, 16],
        formats={2: "#,##0", 3: "#,##0"},
    )
    rows: list[list[Any]] = []
    for top in ctx["topics"]:
        table.bold_rows.add(len(rows))
        rows.append([top["name"], "", top["count"], top["forwarded"]])
        rows.extend([top["name"], child["name"], child["count"], child["forwarded"]] for child in top["children"])
    table.rows = rows
    table.total = [_("Total"), "", ctx["totals"]["received"], ctx["totals"]["forwarded"]]
    return table


def _outcomes_table(ctx: dict[str, Any]) -> Table:
    table = Table(headers=[_("Outcome"), _("Appeals")], widths=[40, 12], formats={1: "#,##0"})
    table.rows = [[line["name"], line["count"]] for line in ctx["outcomes"]]
    table.total = [_("Total closed"), ctx["totals"]["closed"]]
    return table


def _deadlines_table(ctx: dict[str, Any]) -> Table:
    table = Table(
        headers=[
            _("Deadline regime"),
            _("Term"),
            _("Set by law"),
            _("Answered"),
            _("On time"),
            _("Late"),
            _("On time, %"),
            _("Deadline passed, no answer"),
        ],
        widths=[40, 22, 10, 11, 11, 11, 11, 16],
        formats={3: "#,##0", 4: "#,##0", 5: "#,##0", 6: "0.0", 7: "#,##0"},
    )
    yes, no = _("yes"), _("no")
    table.rows = [
        [
            r["name"],
            r["term"],
            yes if r["statutory"] else no,
            r["answered"],
            r["on_time"],
            r["late"],
            r["on_time_percent"],
            r["overdue_unanswered"],
        ]
        for r in ctx["regimes"]
    ]
    t = ctx["totals"]
    table.total = [
        _("Total"),
        "",
        "",
        t["answered"],
        t["answered_on_time"],
        t["answered_late"],
        t["on_time_percent"],
        t["overdue_unanswered"],
    ]
    return table


def _forwarded_table(ctx: dict[str, Any]) -> Table:
    table = Table(
        headers=[
            _("No."),
            _("Appeal"),
            _("Regulator's reference number"),
            _("Letter date"),
            _("Received"),
            _("Topic"),
            _("Status"),
            _("Answer due"),
            _("Answered"),
            _("Deadline"),
        ],
        widths=[6, 14, 22, 12, 17, 34, 16, 17, 17, 16],
        formats={3: DATE_FORMAT, 4: DATETIME_FORMAT, 7: DATETIME_FORMAT, 8: DATETIME_FORMAT},
    )
    table.rows = _forwarded_rows(ctx["forwarded"])
    return table


def _forwarded_rows(forwarded: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """The forwarded appeals as rows, made while the sheet is written (the workbook
    lists them all: thousands of rows at a million appeals)."""
    on_time, late, overdue, pending = _("on time"), _("late"), _("overdue"), _("pending")
    zone = timezone.get_current_timezone()
    for index, f in enumerate(forwarded, start=1):
        yield [
            index,
            f["number"],
            f["reference"],
            f["letter_date"],
            local_naive(f["received"], zone),
            f["category"],
            f["status"],
            local_naive(f["due_at"], zone),
            local_naive(f["answered_at"], zone),
            on_time if f["on_time"] else late if f["on_time"] is False else overdue if f["overdue"] else pending,
        ]


TABLES: dict[str, Callable[[dict[str, Any]], Table]] = {
    "summary": _summary_table,
    "channels": lambda ctx: _lines_table(ctx["channels"], _("Channel"), ctx["totals"]),
    "topics": _topics_table,
    "outcomes": _outcomes_table,
    "deadlines": _deadlines_table,
    "forwarded": _forwarded_table,
}


def build_xlsx(summary: Summary, layout: Layout) -> bytes:
    """A sheet per sheet name of the layout's sections (in their order); on each, the
    organisation, report and period on top, then its sections' tables: bold header
    (the first one frozen), number formats, column widths, a bold total row.

    Written with XlsxWriter rather than openpyxl (which the other reports use): the
    list of forwarded appeals runs to ten thousand rows at a million appeals, and
    XlsxWriter writes them in half the time (``bench/reports.py``)."""
    import xlsxwriter

    ctx = report_context(summary, layout)
    sheets: dict[str, list[tuple[str, Table]]] = {}
    for section in layout.sections:
        sheets.setdefault(section["sheet"], []).append((section["title"], TABLES[section["section"]](ctx)))

    out = io.BytesIO()
    # Text stays text: a topic or reference number that starts with "=" or looks
    # like an address is not turned into a formula or a link.
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    styles = _Styles(wb)
    period = _("Period: %(from)s – %(to)s") % {
        "from": summary.date_from.strftime("%d.%m.%Y"),
        "to": summary.date_to.strftime("%d.%m.%Y"),
    }
    generated = _("Generated %(at)s") % {"at": local_naive(summary.generated_at).strftime("%d.%m.%Y %H:%M")}  # type: ignore[union-attr]
    top = [
        (summary.organisation or layout.regulator, styles.heading),
        (f"{layout.name} — {layout.regulator}", styles.bold),
        (f"{period}. {generated}.", None),
    ]
    for sheet_name, tables in sheets.items():
        ws = wb.add_worksheet(sheet_name)
        widths: dict[int, int] = {}
        for _title, table in tables:
            for index, width in enumerate(table.widths):
                widths[index] = max(widths.get(index, 0), width)
        for index, width in widths.items():
            ws.set_column(index, index, width)
        for row, (text, style) in enumerate(top):
            ws.write_string(row, 0, text, style)
        # The first table's header stays in view: the top lines, a blank line, its title, itself.
        ws.freeze_panes(len(top) + 3, 0)
        row = len(top)
        for title, table in tables:
            row += 1
            ws.write_string(row, 0, title, styles.heading)
            row += 1
            for column, text in enumerate(table.headers):
                ws.write_string(row, column, text, styles.header)
            row += 1
            for index, values in enumerate(table.rows):
                _write_row(ws, row, values, table, styles, bold=index in table.bold_rows)
                row += 1
            if table.total is not None:
                _write_row(ws, row, table.total, table, styles, bold=True)
                row += 1
    wb.close()
    return out.getvalue()


class _Styles:
    """The workbook's cell formats, each made once (XlsxWriter keeps one per use)."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.heading = wb.add_format({"bold": True, "font_size": 12})
        self.bold = wb.add_format({"bold": True})
        self.header = wb.add_format({"bold": True, "bg_color": "#E7E6E6", "text_wrap": True, "valign": "top"})
        self._made: dict[tuple[str | None, bool], Any] = {(None, True): self.bold, (None, False): None}

    def of(self, number_format: str | None, bold: bool) -> Any:
        key = (number_format, bold)
        if key not in self._made:
            self._made[key] = self.wb.add_format({"num_format": number_format, "bold": bold})
        return self._made[key]


def _write_row(ws: Any, row: int, values: list[Any], table: Table, styles: _Styles, *, bold: bool) -> None:
    formats = table.formats
    for column, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            ws.write_string(row, column, value, styles.bold if bold else None)
        elif isinstance(value, (date, datetime)):
            ws.write_datetime(row, column, value, styles.of(formats.get(column, DATE_FORMAT), bold))
        else:
            ws.write_number(row, column, value, styles.of(formats.get(column), bold))


# --- both ----------------------------------------------------------------------------


def resolve_layout(template: RegulatorReportTemplate | Layout | int | None, version: int | None = None) -> Layout:
    if isinstance(template, Layout) and not isinstance(template, RegulatorReportTemplate):
        return template
    return layout_of(template, version)


def build_regulator_files(
    user: User,
    date_from: date,
    date_to: date,
    *,
    template: RegulatorReportTemplate | Layout | int | None = None,
    version: int | None = None,
) -> tuple[bytes, bytes]:
    """The report for ``[date_from, date_to]`` as (XLSX bytes, PDF bytes), laid out by
    ``template`` (a template, its id, or a saved version; the default template when
    ``None``) at ``version`` (its latest when ``None``). Counts the appeals ``user``
    may see; ``PermissionDenied`` for readers the report is not for."""
    layout = resolve_layout(template, version)
    summary = build_summary(user, date_from, date_to)
    return build_xlsx(summary, layout), build_pdf(summary, layout)


def file_name(summary: Summary, extension: str) -> str:
    return f"regulator-report-{summary.date_from:%Y%m%d}-{summary.date_to:%Y%m%d}.{extension}"


def build_file(summary: Summary, layout: Layout, kind: str) -> bytes:
    """The report as one of ``FILE_TYPES``: the workbook, the PDF or both zipped."""
    builders = {"xlsx": build_xlsx, "pdf": build_pdf, "zip": build_zip}
    return builders[kind](summary, layout)


def build_zip(summary: Summary, layout: Layout) -> bytes:
    """Both files in one archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(file_name(summary, "xlsx"), build_xlsx(summary, layout))
        archive.writestr(file_name(summary, "pdf"), build_pdf(summary, layout))
    return out.getvalue()
