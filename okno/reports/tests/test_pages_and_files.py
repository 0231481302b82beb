"""The report page, its drill-down lists, the XLSX and CSV files (opened back with
openpyxl and the csv module) and the JSON API, on the March of ``month.py``."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from okno.reports.tests.month import MARCH, Month, build_month
from okno.testing import Org
from okno.testing_api import ApiClient

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def month(org: Org) -> Month:
    return build_month(org)


def browser(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page(user: Any, **params: str) -> Any:
    return browser(user).get("/reports/", {**MARCH, **params}, headers=ENGLISH)


def drill_links(html: str) -> dict[str, str]:
    """Each clickable number's link, by "row key/column"."""
    links: dict[str, str] = {}
    for row in re.finditer(r'<tr (?:data-key="([^"]*)"|id="report-total")[^>]*>(.*?)</tr>', html, re.S):
        key = "total" if row.group(1) is None else row.group(1)
        for href, column in re.findall(r'<a href="([^"]+)" class="js-drill" data-column="([^"]+)"', row.group(2)):
            links[f"{key}/{column}"] = href.replace("&amp;", "&")
    return links


def test_the_page_links_every_number_to_exactly_the_appeals_it_counts(org: Org, month: Month) -> None:
    response = page(org.kira, report="outcomes")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-chart-data"' in html and 'data-chart="main"' in html
    links = drill_links(html)
    assert set(links) >= {"total/total", "total/refused", f"{org.cards.pk}/total", f"{org.card_fees.pk}/satisfied"}
    client = browser(org.kira)
    refused = client.get(links["total/refused"], headers=ENGLISH)
    assert refused.status_code == 200
    listed = re.findall(r'<a href="/appeals/([\d-]+)/">', refused.content.decode())
    assert listed == [month.a2.number]
    everything = client.get(links["total/total"], headers=ENGLISH).content.decode()
    assert sorted(re.findall(r'<a href="/appeals/([\d-]+)/">', everything)) == sorted(
        [month.a1.number, month.a2.number, month.a4.number]
    )
    assert "3 appeals." in everything


def test_htmx_gets_the_region_and_bad_filters_say_which(org: Org, month: Month) -> None:
    client = browser(org.kira)
    fragment = client.get("/reports/", {**MARCH, "report": "volumes"}, headers={**ENGLISH, "HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.content.decode().startswith('\n<div id="reports-main">') or b"<html" not in fragment.content
    bad = client.get("/reports/", {"report": "volumes", "period": "custom", "date_from": "2026-03-05"}, headers=ENGLISH)
    assert bad.status_code == 400
    assert b'data-field="date_to"' in bad.content
    assert client.get("/reports/", {"report": "nonsense"}).status_code == 404


def test_only_report_readers_get_in_and_a_supervisor_sees_their_queues(org: Org, month: Month) -> None:
    assert page(org.anna).status_code == 403
    assert browser(org.anna).get("/reports/drill/", {**MARCH, "report": "volumes", "cell": "g=*"}).status_code == 403
    assert browser(org.anna).get("/reports/export/xlsx/", MARCH).status_code == 403
    assert ApiClient(org.anna).get("/reports/volumes", MARCH).status_code == 403
    html = page(org.sergey).content.decode()
    total = re.search(r'<tr id="report-total">.*?</tr>', html, re.S)
    assert total is not None and ">3</a>" in total.group(0)


def test_xlsx_opens_with_a_bold_frozen_header_and_numbers(org: Org, month: Month) -> None:
    response = browser(org.kira).get("/reports/export/xlsx/", {**MARCH, "report": "timeliness"}, headers=ENGLISH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="timeliness-2026-03-01-2026-03-31.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Deadline regime")
    assert rows[0][0] == "On time and late by deadline regime"
    header = sheet[header_at + 1]
    assert all(c.font.b for c in header if c.value)
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert rows[header_at + 1][:7] == ["Default term (no policy)", 3, 2, 1, 66.7, 104.0, 216.0]
    assert rows[-1][:4] == ["Total", 3, 2, 1]
    assert sheet.cell(row=header_at + 2, column=2).number_format == "#,##0"
    assert sheet.column_dimensions["A"].width >= len("Default term (no policy)")


def test_the_overdue_list_in_xlsx_and_csv(org: Org, month: Month) -> None:
    client = browser(org.kira)
    params = {"report": "overdue", "soon_days": "60"}
    workbook = load_workbook(io.BytesIO(client.get("/reports/export/xlsx/", params, headers=ENGLISH).content))
    assert workbook.sheetnames[1] == "Appeals"
    items = [[c.value for c in row] for row in workbook["Appeals"].iter_rows()]
    assert items[0] == ["Number", "Client", "Subject", "Queue", "Assignee", "Due", "Overdue by, h"]
    assert [r[0] for r in items[1:]] == [month.a3.number, month.a6.number]
    content = browser(org.kira, "ru").get("/reports/export/csv/", params).content
    assert content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))  # Russian Excel splits on ";"
    assert len(lines[0]) == 7
    assert [line[0] for line in lines[1:]] == [month.a3.number, month.a6.number]
    assert lines[1][1] == "Иванов Иван Иванович"


def test_text_that_looks_like_a_formula_stays_text_in_both_files(org: Org, month: Month) -> None:
    """A client can type anything into a subject: opening the report must not run it."""
    from okno.appeals.models import Appeal

    formula = '=HYPERLINK("http://example.org/steal","Open")'
    Appeal.objects.filter(pk=month.a3.pk).update(subject=formula)
    client = browser(org.kira)
    params = {"report": "overdue", "soon_days": "60"}
    workbook = load_workbook(io.BytesIO(client.get("/reports/export/xlsx/", params, headers=ENGLISH).content))
    cell = workbook["Appeals"]["C2"]
    assert (cell.value, cell.data_type) == (formula, "s")  # a formula would load with data_type "f"
    content = client.get("/reports/export/csv/", params, headers=ENGLISH).content
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=","))
    assert lines[1][2] == "'" + formula  # the apostrophe keeps Excel from reading a formula


def test_csv_of_a_table_with_percentages(org: Org, month: Month) -> None:
    russian = browser(org.kira, "ru").get("/reports/export/csv/", {**MARCH, "report": "volumes"}).content
    lines = list(csv.reader(io.StringIO(russian.decode("utf-8-sig")), delimiter=";"))
    assert [line[1:] for line in lines[1:]] == [["2", "40,0"], ["2", "40,0"], ["1", "20,0"], ["5", "100,0"]]
    assert lines[-1][0] == "Итого"
    english = browser(org.kira).get("/reports/export/csv/", {**MARCH, "report": "volumes"}).content
    lines = list(csv.reader(io.StringIO(english.decode("utf-8-sig")), delimiter=","))
    assert lines == [
        ["Channel", "Appeals", "Share, %"],
        ["E-mail", "2", "40.0"],  # equal counts: by name
        ["Phone", "2", "40.0"],
        ["API", "1", "20.0"],
        ["Total", "5", "100.0"],
    ]


def test_the_api_gives_the_same_numbers_and_files(org: Org, month: Month) -> None:
    api = ApiClient(org.kira)
    body = api.get("/reports/volumes", {**MARCH, "group_by": "category"}, headers=ENGLISH).json()
    assert [(r["label"], r["level"], r["values"]["count"]) for r in body["rows"]] == [
        ("Cards", 0, 4),
        ("without a subcategory", 1, 2),
        ("Fees", 1, 2),
        ("No category", 0, 1),
    ]
    assert body["total"]["values"]["count"] == 5 and body["filters"]["group_by"] == "category"
    assert body["trend"]["step"] == "day"
    bad = api.get("/reports/volumes", {"channel": "pigeon"})
    assert bad.status_code == 400 and bad.json()["field"] == "channel"
    overdue = api.get("/reports/overdue", {"soon_days": "60"}).json()
    assert overdue["items_total"] == 2
    export = api.get("/reports/agents/export", {**MARCH, "format": "csv"})
    assert export.status_code == 200 and export.content.startswith("\ufeff".encode())
