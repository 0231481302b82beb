"""The navbar in a real browser (Debian's Chromium, headless): whatever the width,
every item of the busiest menu (an administrator's, in Russian, the longer labels)
stays on one line — labels beside their icons where there is room, icons alone with
the label as tooltip and accessible name where there is not, the collapsed menu on
narrow screens."""

from __future__ import annotations

from typing import Any

import pytest

from okno.testing import build_org
from okno.testing_browser import BrowserPage, needs_chromium, sign_in

pytestmark = [needs_chromium]

LAYOUT = """() => {
  const nav = document.querySelector("nav.navbar");
  const items = [...nav.querySelectorAll(".navbar-nav > .nav-item > .nav-link")];
  const tops = new Set(items.map((a) => Math.round(a.getBoundingClientRect().top)));
  const label = (a) => a.querySelector(".okno-nav-label");
  return {
    height: nav.getBoundingClientRect().height,
    rows: tops.size,
    labelsShown: items.filter((a) => label(a) && label(a).getBoundingClientRect().width > 5).length,
    items: items.length,
    titled: items.filter((a) => a.title && a.title === label(a).textContent).length,
    // A label broken over two lines has two boxes.
    linesPerLabel: Math.max(...items.map((a) => label(a).getClientRects().length)),
  };
}"""


def layout_at(tab: Any, width: int) -> dict[str, Any]:
    tab.set_viewport_size({"width": width, "height": 900})
    tab.goto("/")
    result: dict[str, Any] = tab.evaluate(LAYOUT)
    return result


@pytest.mark.browser(viewport={"width": 1600, "height": 900})
def test_the_administrators_menu_stays_on_one_line_at_every_width(browser_page: BrowserPage) -> None:
    tab, problems = browser_page
    build_org()
    sign_in(tab, "adam")
    wide = layout_at(tab, 1600)
    assert wide["items"] == 8 and wide["labelsShown"] == 8 and wide["rows"] == 1 and wide["linesPerLabel"] == 1
    for width in (1000, 1200, 1400):
        middle = layout_at(tab, width)
        # Icons only, each named by its label (tooltip + screen readers), all in one row.
        assert (middle["labelsShown"], middle["rows"]) == (0, 1), width
        assert middle["titled"] == middle["items"] == 8
        assert middle["height"] < 70, width
    narrow = layout_at(tab, 800)
    assert narrow["rows"] == 1  # collapsed behind the toggler
    assert problems == []
