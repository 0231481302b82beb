"""The report page in a real browser (Debian's Chromium, headless) against a real
server: a compliance officer opens March's volumes, switches the grouping (htmx
swaps the report, Chart.js draws it from the page's data), downloads the XLSX,
follows a number to the appeals behind it, and the console stays free of errors
(CSP included). The dashboard draws its charts too."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from okno.reports.tests.month import build_month
from okno.testing import build_org
from okno.testing_browser import BrowserPage, needs_chromium, sign_in

pytestmark = [pytest.mark.browser(viewport={"width": 1400, "height": 1000}), needs_chromium]

CHART = """([name, want]) => {
  const canvas = document.querySelector(`canvas[data-chart=${name}]`);
  const chart = canvas && window.Chart && window.Chart.getChart(canvas);
  if (!chart) return null;
  const data = chart.data.datasets.map((d) => d.data);
  if (want !== null && JSON.stringify(data) !== JSON.stringify(want)) return null;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {labels: chart.data.labels, data, painted};
}"""


def chart(tab: Any, name: str, want: Any = None) -> dict[str, Any]:
    got: dict[str, Any] = tab.wait_for_function(CHART, arg=[name, want], timeout=10_000).json_value()
    return got


def test_report_page_filters_chart_export_and_drill_down(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    tab, problems = browser_page
    org = build_org()
    month = build_month(org)

    sign_in(tab, "kira")
    tab.goto("/reports/?report=volumes&period=custom&date_from=2026-03-01&date_to=2026-03-31")
    expect(tab.locator("#id_date_from")).to_be_enabled()
    by_channel = chart(tab, "main", [[2, 2, 1]])
    assert by_channel["painted"] > 1000
    trend = chart(tab, "trend")
    assert len(trend["labels"]) == 31

    # Another grouping: htmx swaps the report and the chart is drawn again.
    tab.select_option("#id_group_by", "category")
    tab.wait_for_url(re.compile(r"group_by=category"))
    by_category = chart(tab, "main", [[4, 1]])
    assert by_category["labels"][0] == "Карты"
    expect(tab.locator("#report-table tbody tr")).to_have_count(4)

    # A preset period disables the dates; March is not this month, so nothing counts.
    tab.select_option("#id_period", "this_month")
    expect(tab.locator("#id_date_from")).to_be_disabled()
    expect(tab.locator("#report-empty")).to_be_visible()
    tab.go_back()
    tab.wait_for_url(re.compile(r"group_by=category&"))
    chart(tab, "main", [[4, 1]])

    with tab.expect_download() as download:
        tab.click("#report-xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert [c.value for c in list(sheet.iter_rows())[-1]][:2] == ["Итого", 5]

    # The subcategory's number opens exactly its two appeals.
    tab.locator(f'#report-table tr[data-key="{org.card_fees.pk}"] a.js-drill').click()
    tab.wait_for_url(re.compile(r"/reports/drill/"))
    numbers = tab.locator("#drill-table tbody tr td:first-child a")
    expect(numbers).to_have_count(2)
    assert sorted(numbers.all_inner_texts()) == sorted([month.a1.number, month.a3.number])
    tab.click("#drill-back")
    tab.wait_for_url(re.compile(r"/reports/\?"))
    chart(tab, "main", [[4, 1]])

    tab.goto("/reports/dashboard/?period=last_12_months")
    for name in ("volume", "on_time", "outcomes", "categories", "products"):
        chart(tab, name)
    assert problems == []
