"""The regulator report as files: the workbook read back with openpyxl, the PDF
rendered from the template's body, a template's old version reproducing an old
report, and the PDF's cap on the list of forwarded appeals."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from okno.reports.regulator.defaults import default_values
from okno.reports.regulator.services import export, layout
from okno.reports.regulator.services.export import build_regulator_files
from okno.reports.regulator.services.summary import build_summary
from okno.reports.regulator.tests.conftest import MARCH, NOW, March
from okno.testing import Org


def workbook(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


def rows(sheet) -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_one_call_makes_the_workbook_and_the_pdf(org: Org, march: March) -> None:
    xlsx, pdf = build_regulator_files(org.kira, *MARCH)
    assert pdf.startswith(b"%PDF")
    book = workbook(xlsx)
    assert book.sheetnames == ["Сводка", "Каналы", "Тематика", "Результаты", "Сроки", "От регулятора"]

    channels = book["Каналы"]
    assert channels["A2"].value == "Сведения о рассмотрении обращений (Банк России) — Банк России"
    assert channels["A3"].value.startswith("Period: 01.03.2026 – 31.03.2026.")
    table = rows(channels)[4:]
    assert table[0] == ("Поступившие обращения по каналам поступления", None, None)
    assert table[1] == ("Channel", "Received", "Forwarded by the regulator")
    assert table[2:] == [("E-mail", 1, 1), ("Portal", 1, 1), ("Phone", 2, 0), ("Total", 4, 2)]
    # The header is bold and frozen; totals are bold; numbers have a format; columns a width.
    assert channels["A6"].font.b and channels.freeze_panes == "A7"
    assert channels["B10"].font.b and channels["B7"].number_format == "#,##0"
    assert 40 <= channels.column_dimensions["A"].width < 41  # 40 characters, plus the padding Excel stores

    deadlines = rows(book["Сроки"])[6:]
    assert deadlines == [
        ("Жалобы (закон)", "15 working days", "yes", 2, 1, 1, 50, 0),
        ("Queue term (no policy matched)", "5 calendar days", "no", 2, 1, 1, 50, 1),
        ("Total", None, None, 4, 2, 2, 50, 1),
    ]
    summary = dict(rows(book["Сводка"])[6:])
    assert summary["Median answer time, days"] == 7
    assert summary["Average answer time, days"] == 10

    forwarded = rows(book["От регулятора"])[6:]
    assert [(r[1], r[2], r[9]) for r in forwarded] == [
        (march.appeals["a"].number, "ЦБ-1", "on time"),
        (march.appeals["c"].number, "ЦБ-2", "overdue"),
    ]
    assert isinstance(forwarded[0][3], datetime) and forwarded[0][3].date().isoformat() == "2026-02-27"
    assert forwarded[0][4] == datetime(2026, 3, 2, 10, 0)  # received, in Moscow time


def test_the_pdf_body_is_the_templates_layout_with_the_numbers(org: Org, march: March) -> None:
    summary = build_summary(org.kira, *MARCH, now=NOW)
    context = export.pdf_html_context(summary, layout.layout_of(None))
    body = str(context["body"])
    assert "Сведения о рассмотрении обращений<br>за March 2026" in body
    assert '<td>Поступило обращений за период</td><td class="num">4</td>' in body
    assert "<td>ЦБ-1</td>" in body and "<td>ЦБ-2</td>" in body
    assert "Жалобы (закон)" in body and "(установлен законом)" in body
    assert context["layout_style"].startswith(".header")


def test_an_adapted_template_chooses_the_sheets_and_an_old_version_reproduces_an_old_report(
    org: Org, march: March
) -> None:
    values = {
        **default_values(),
        "name": "Роспотребнадзор",
        "regulator": "Роспотребнадзор",
        "body_source": "<h1>Всего: {{ totals.received }}</h1>",
        "sections": [
            {"section": "channels", "title": "Каналы", "sheet": "Данные"},
            {"section": "outcomes", "title": "Итоги", "sheet": "Данные"},
        ],
    }
    template = layout.create_template(org.adam, values)
    layout.update_template(
        org.adam,
        template,
        {"body_source": "<h1>Поступило: {{ totals.received }}</h1>", "sections": values["sections"][:1]},
    )
    summary = build_summary(org.kira, *MARCH, now=NOW)

    now = export.pdf_html_context(summary, layout.layout_of(template.pk))
    then = export.pdf_html_context(summary, layout.layout_of(template.pk, version=1))
    assert str(now["body"]) == "<h1>Поступило: 4</h1>"
    assert str(then["body"]) == "<h1>Всего: 4</h1>"

    xlsx, pdf = build_regulator_files(org.kira, *MARCH, template=template.pk, version=1)
    book = workbook(xlsx)
    assert book.sheetnames == ["Данные"]
    titles = [r[0] for r in rows(book["Данные"]) if r and r[0] in ("Каналы", "Итоги")]
    assert titles == ["Каналы", "Итоги"]  # both sections, one after the other
    assert workbook(build_regulator_files(org.kira, *MARCH, template=template.pk)[0]).sheetnames == ["Данные"]
    assert pdf.startswith(b"%PDF")


def test_the_pdf_lists_a_limited_number_of_forwarded_appeals_and_the_workbook_all(
    org: Org, march: March, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "PDF_FORWARDED_LIMIT", 1)
    summary = build_summary(org.kira, *MARCH, now=NOW)
    body = str(export.pdf_html_context(summary, layout.layout_of(None))["body"])
    assert "<td>ЦБ-1</td>" in body and "ЦБ-2" not in body
    assert "… и ещё 1 (полный перечень — в файле XLSX)." in body
    sheet = workbook(export.build_xlsx(summary, layout.layout_of(None)))["От регулятора"]
    assert [r[2] for r in rows(sheet)[6:]] == ["ЦБ-1", "ЦБ-2"]


def test_both_files_in_one_archive(org: Org, march: March) -> None:
    summary = build_summary(org.kira, *MARCH, now=NOW)
    archive = zipfile.ZipFile(io.BytesIO(export.build_zip(summary, layout.layout_of(None))))
    assert archive.namelist() == ["regulator-report-20260301-20260331.xlsx", "regulator-report-20260301-20260331.pdf"]
    assert archive.read("regulator-report-20260301-20260331.pdf").startswith(b"%PDF")


def test_a_reference_number_that_looks_like_a_formula_stays_text(org: Org, march: March) -> None:
    from okno.appeals.models import Appeal

    Appeal.objects.filter(pk=march.appeals["a"].pk).update(regulator_reference='=HYPERLINK("http://x")')
    sheet = workbook(build_regulator_files(org.kira, *MARCH)[0])["От регулятора"]
    cell = next(row[2] for row in sheet.iter_rows() if row[2].value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"
