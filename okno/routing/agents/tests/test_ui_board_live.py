"""The board and its wall display in a real browser (Debian's Chromium, headless)
against a real server: appeals registered elsewhere (here, through the service in
the test's process) show up without a reload; a burst of registrations is
coalesced into a few refreshes, not one per appeal; the waiting clocks tick with no
server call; the wall display has no navbar, stays live and lights up a call for
help."""

from __future__ import annotations

import itertools
import re

import pytest

from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services import statuses
from okno.routing.agents.tests.helpers import arrive
from okno.testing import Org, build_org
from okno.testing_browser import BrowserPage, needs_chromium, reloaded, sign_in, wait_live, watch_reloads

pytestmark = [pytest.mark.browser, needs_chromium]

BURST = 40


def refreshes_since(page, since: float) -> list[float]:  # type: ignore[no-untyped-def]
    """When (ms on the page's clock) the page asked for the board's region after ``since``:
    the browser's own record, not when the test got round to hearing of it."""
    return list(
        page.evaluate(
            """since => performance.getEntriesByType("resource")
                .filter(e => e.initiatorType === "xmlhttprequest" && e.name.includes("/routing/board/"))
                .map(e => e.startTime).filter(t => t > since)""",
            since,
        )
    )


def page_now(page) -> float:  # type: ignore[no-untyped-def]
    return float(page.evaluate("performance.now()"))


def test_registrations_show_on_the_board_live_and_a_burst_is_coalesced(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    board, problems = browser_page
    org: Org = build_org()
    sign_in(board, "sergey")
    board.goto("/routing/board/")
    unassigned = board.locator('#queues-table tr[data-queue="claims"] .queue-unassigned')
    expect(unassigned).to_have_text("0")
    wait_live(board)
    watch_reloads(board)
    start = page_now(board)

    # One appeal registered elsewhere: the waiting count and the longest wait follow.
    arrive(org)
    expect(unassigned).to_have_text("1", timeout=5_000)
    expect(board.locator('#board-totals [data-total="unassigned"]')).to_have_text("1")
    longest = board.locator('#queues-table tr[data-queue="claims"] .queue-longest .js-since')
    assert refreshes_since(board, start)
    board.wait_for_timeout(2_500)  # let the push settle: no refresh is pending any more
    quiet = page_now(board)
    before = longest.text_content()
    board.wait_for_timeout(1_600)
    assert longest.text_content() != before  # the clock ticked …
    assert refreshes_since(board, quiet) == []  # … without asking the server

    # A burst: each registration pushes a message, the board refreshes at most every 2 s.
    burst = page_now(board)
    for _ in range(BURST):
        arrive(org)
    expect(unassigned).to_have_text(str(BURST + 1), timeout=10_000)
    board.wait_for_timeout(2_500)  # a trailing refresh, if one was due, has happened
    elapsed = (page_now(board) - burst) / 1000
    refreshes = refreshes_since(board, burst)
    assert 1 <= len(refreshes) <= elapsed / 2 + 2, (len(refreshes), elapsed)
    gaps = [b - a for a, b in itertools.pairwise(sorted(refreshes))]
    assert all(gap >= 1_990 for gap in gaps), gaps
    expect(unassigned).to_have_text(str(BURST + 1))
    assert not reloaded(board)
    assert problems == []


def test_the_wall_display_is_large_live_and_lights_up_a_call_for_help(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    wall, problems = browser_page
    org: Org = build_org()
    statuses.set_status(org.anna, org.anna, AgentStatus.AVAILABLE)
    sign_in(wall, "sergey")
    wall.goto("/routing/board/wall/")
    expect(wall.locator("#agents-wall")).to_have_attribute("data-bs-theme", "dark")
    assert wall.locator("nav.navbar").count() == 0
    waiting = wall.locator('#wall-totals [data-total="unassigned"]')
    expect(waiting).to_have_text("0")
    expect(wall.locator('#wall-agents [data-agent="anna"]')).to_have_attribute("data-status", "available")
    wait_live(wall)
    watch_reloads(wall)

    arrive(org)
    expect(waiting).to_have_text("1", timeout=5_000)
    expect(wall.locator('#wall-queues tr[data-queue="claims"] .queue-unassigned')).to_have_text("1")

    # Anna asks for help: the consultation tile turns red, her name shows with a clock.
    statuses.set_status(org.anna, org.anna, AgentStatus.CONSULTATION)
    tile = wall.locator('[data-status-tile="consultation"]')
    expect(tile).to_have_class(re.compile(r"\btext-bg-danger\b"), timeout=5_000)
    expect(wall.locator('#wall-consultations [data-consultation="anna"] .js-since')).to_have_text(
        re.compile(r"^0:0\d$")
    )
    assert not reloaded(wall)
    assert problems == []
