"""The supervisor board in a real browser (Debian's Chromium, headless) against a
real server: an agent switching status in the navbar of their own browser takes a
waiting appeal, and the supervisor's board shows both without a reload; the
supervisor puts the agent on a break from the board and the agent's switcher
follows."""

from __future__ import annotations

import pytest

from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services import limits
from okno.routing.agents.services.common import profile_of
from okno.routing.agents.tests.helpers import arrive, assignee_of, automatic
from okno.testing import Org, build_org
from okno.testing_browser import BrowserPage, needs_chromium, reloaded, sign_in, wait_live, watch_reloads

pytestmark = [pytest.mark.browser, needs_chromium]


def test_the_board_follows_statuses_and_assignments_live(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    board, problems = browser_page
    org: Org = build_org()
    automatic(org, org.claims)
    limits.update_agent(org.adam, org.anna, {"max_open": 2})
    waiting = arrive(org)

    sign_in(board, "sergey")
    board.goto("/routing/board/")
    anna_row = board.locator('#agents-table tr[data-agent="anna"]')
    expect(anna_row).to_have_attribute("data-status", "offline")
    expect(board.locator('#queues-table tr[data-queue="claims"] .queue-waiting')).to_have_text("1")
    wait_live(board)
    watch_reloads(board)

    # Anna, in her own browser, becomes available from the navbar.
    context = board.context.browser.new_context(base_url=board.url.split("/routing")[0], locale="ru-RU")  # type: ignore[union-attr]
    anna = context.new_page()
    anna.on("pageerror", lambda error: problems.append(f"anna's page error: {error}"))
    try:
        sign_in(anna, "anna")
        wait_live(anna)
        anna.click("#okno-agent-status-button")
        anna.click('#okno-agent-status .dropdown-item[data-status="available"]')
        expect(anna.locator("#okno-agent-status")).to_have_attribute("data-status", "available")
        assert assignee_of(waiting) == "anna"

        # The supervisor's board follows: her status, her load, the queue's waiting count.
        expect(anna_row).to_have_attribute("data-status", "available", timeout=5_000)
        expect(anna_row.locator(".agent-open")).to_have_text("1 / 2", timeout=5_000)
        expect(board.locator('#queues-table tr[data-queue="claims"] .queue-waiting')).to_have_text("0")

        # The supervisor sends her on a break from the board; her switcher follows.
        anna_row.locator("select.agent-status-select").select_option(AgentStatus.BREAK)
        expect(board.locator('#agents-table tr[data-agent="anna"]')).to_have_attribute("data-status", "break")
        expect(anna.locator("#okno-agent-status")).to_have_attribute("data-status", "break", timeout=5_000)
        assert profile_of(org.anna).status == AgentStatus.BREAK
        assert not reloaded(board)
    finally:
        context.close()
    assert problems == []
