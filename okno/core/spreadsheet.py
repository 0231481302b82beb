"""Text that goes into a spreadsheet stays text.

Excel and LibreOffice run a cell that starts with "=" as a formula, and in a CSV
also one that starts with "+", "-" or "@" (CSV injection): a client who calls
themselves ``=HYPERLINK("http://…")`` must not put a live link or a command into the
report a supervisor opens. openpyxl writes such a string as a formula unless told
otherwise; XlsxWriter is told once per workbook (``strings_to_formulas``).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo
from typing import Any

from django.utils import formats, timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> str:
    """A text field for a CSV: with an apostrophe in front where a spreadsheet would
    read a formula (what OWASP recommends; the apostrophe shows, the formula does not run)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_text(ws: Any, value: Any) -> Any:
    """``value`` for an openpyxl write-only row: a string that starts with "=" as a
    cell typed as text, anything else as it is."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def local_naive(value: datetime | None, zone: tzinfo | None = None) -> datetime | None:
    """A moment for a workbook cell: workbooks have no time zones, so the reader's
    local time (``zone``, the current one by default), naive; a naive value as it is."""
    if value is None or timezone.is_naive(value):
        return value
    return value.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None)


def csv_writer(buffer: io.StringIO) -> Any:
    """A CSV writer for Excel: UTF-8 with a BOM (so it reads Cyrillic), and the list
    separator of the locale's Excel — ";" where the decimal separator is a comma
    (Russian), else ","."""
    buffer.write("\ufeff")
    decimal_comma = formats.get_format("DECIMAL_SEPARATOR") == ","
    return csv.writer(buffer, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
