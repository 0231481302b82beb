"""The regulator report in a real browser (Debian's Chromium, headless) against a
real server: the compliance officer opens March, both charts are drawn from the
page's numbers, and a click on a bar opens the appeals behind it — the same list as
the number in the table. The console stays free of errors (CSP included)."""

from __future__ import annotations

import re

import pytest

from okno.reports.regulator.tests.conftest import build_march
from okno.reports.tests.test_ui_reports import chart
from okno.testing import build_org
from okno.testing_browser import BrowserPage, needs_chromium, sign_in

pytestmark = [pytest.mark.browser(viewport={"width": 1400, "height": 1000}), needs_chromium]

BAR = """([name, dataset, index]) => {
  const canvas = document.querySelector(`canvas[data-chart=${name}]`);
  const bar = window.Chart.getChart(canvas).getDatasetMeta(dataset).data[index];
  const box = canvas.getBoundingClientRect();
  // The middle of the bar, in the page's coordinates.
  return {x: box.left + (bar.x + bar.base) / 2, y: box.top + bar.y};
}"""


def test_the_charts_show_the_numbers_and_a_bar_opens_its_appeals(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    tab, problems = browser_page
    org = build_org()
    march = build_march(org)

    sign_in(tab, "kira")
    tab.goto("/reports/regulator/?period=custom&date_from=2026-03-01&date_to=2026-03-31")
    channels = chart(tab, "channels", [[1, 1, 2], [1, 1, 0]])  # received; forwarded by the regulator
    assert channels["labels"] == ["Эл. почта", "Портал", "Телефон"] and channels["painted"] > 1000
    regimes = chart(tab, "regimes", [[1, 1], [1, 1], [0, 1]])  # on time; late; deadline passed
    assert regimes["labels"][0].startswith("Жалобы (закон)")

    # The "late" bar of the statutory regime: the one late answer under it.
    point = tab.evaluate(BAR, ["regimes", 1, 0])
    tab.mouse.click(point["x"], point["y"])
    tab.wait_for_url(re.compile(r"/reports/regulator/appeals/\?.*on_time=0"))
    rows = tab.locator("table tbody tr td:first-child a")
    expect(rows).to_have_count(1)
    assert rows.inner_text() in {march.appeals["b"].number, march.appeals["e"].number}
    assert problems == []
