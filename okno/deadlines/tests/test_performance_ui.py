"""The on-time performance page in a real browser (Debian's Chromium, headless)
against a real server: the compliance officer opens it from the menu, picks a custom
period and another grouping (htmx swaps the report), the charts are drawn from the
page's data by the vendored Chart.js, the table sorts by a clicked header, the CSV
downloads with a BOM, and the console stays free of errors (CSP included)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.tests.test_performance import a_month_of_work
from okno.testing import build_org
from okno.testing_browser import BrowserPage, follow_menu, needs_chromium, sign_in

pytestmark = [pytest.mark.browser(viewport={"width": 1400, "height": 1000}), needs_chromium]

# What a chart on the page shows, read from Chart.js itself.
CHART_VALUES = """(id) => {
  const canvas = document.querySelector(`canvas[data-chart=${id}]`);
  const chart = canvas && window.Chart && window.Chart.getChart(canvas);
  if (!chart) return null;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {labels: chart.data.labels, data: chart.data.datasets.map((d) => d.data), width: canvas.width, painted};
}"""
# The chart's values once it shows what is wanted (read in the same step: htmx may
# swap the report again between two separate reads).
SHOWS = (
    "([id, want]) => { const got = ("
    + CHART_VALUES
    + ")(id); return got !== null && JSON.stringify([got.labels, got.data]) === "
    "JSON.stringify([want.labels, want.data]) ? got : null; }"
)


def chart(tab: Any, name: str, expected: dict[str, Any]) -> dict[str, Any]:
    """Wait until the chart ``name`` shows ``expected`` labels and data."""
    got: dict[str, Any] = tab.wait_for_function(SHOWS, arg=[name, expected], timeout=10_000).json_value()
    return got


def test_the_report_page_draws_its_charts_and_follows_the_filters(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    tab, problems = browser_page
    install_default_calendar()
    org = build_org()
    a_month_of_work(org)

    sign_in(tab, "kira")
    follow_menu(tab, "reports", "/deadlines/performance/")
    tab.wait_for_url("**/deadlines/performance/")

    # This month (the real one): nothing answered yet, but the open appeals are there.
    expect(tab.locator("#id_date_from")).to_be_disabled()
    expect(tab.locator("#performance-table tbody tr")).to_have_count(3)
    expect(tab.locator("canvas[data-chart=on-time]")).to_have_attribute("data-drawn", "")

    # March 2026 by custom dates: htmx swaps the report, the charts are redrawn.
    tab.select_option("#id_period", "custom")
    expect(tab.locator("#id_date_from")).to_be_enabled()
    tab.fill("#id_date_from", "2026-03-01")
    tab.fill("#id_date_to", "2026-03-31")
    tab.wait_for_url(re.compile(r"date_from=2026-03-01&date_to=2026-03-31"))
    on_time = chart(
        tab,
        "on-time",
        {"labels": ["Кузнецов Б.", "Смирнова А.", "Без исполнителя"], "data": [[100, 50, None]]},
    )
    assert on_time["width"] > 100 and on_time["painted"] > 1000  # bars, axes and labels are on the canvas
    open_now = tab.evaluate(CHART_VALUES, "open")
    assert open_now["data"] == [[1, 1, 2], [1, 1, 2]]  # today every open appeal is long overdue
    expect(tab.locator("#performance-total")).to_contain_text("66,7")

    # Per queue, same period.
    tab.select_option("#id_group_by", "queue")
    chart(
        tab,
        "on-time",
        {"labels": ["Поддержка", "Претензии", "Без очереди"], "data": [[100, 50, None]]},
    )

    # Sorting by the "open" column: most first, the total stays at the bottom.
    names = tab.locator("#performance-table tbody th")
    tab.locator("#performance-table thead th").nth(1).locator("button").click()
    expect(names).to_have_text(["Претензии", "Поддержка", "Без очереди"])
    expect(tab.locator("#performance-table thead th").nth(1)).to_have_attribute("aria-sort", "descending")
    tab.locator("#performance-table thead th").nth(0).locator("button").click()
    expect(names).to_have_text(["Без очереди", "Поддержка", "Претензии"])

    with tab.expect_download() as download:
        tab.click("#performance-csv")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[1].split(";")[:8] == ["Поддержка", "1", "0", "1", "1", "1", "0", "100,0"]
    assert lines[-1].split(";")[-2] == "66,7"

    assert problems == []
