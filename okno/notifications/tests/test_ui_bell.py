"""The bell in a real browser (Debian's Chromium, headless) against a real server:
a notification made by another process rings it without a reload; following it
opens the appeal and the count drops; "mark all read" quiets it."""

from __future__ import annotations

import pytest

from okno.notifications import services
from okno.notifications.choices import NotificationKind
from okno.testing import Org, build_org
from okno.testing_browser import BrowserPage, needs_chromium, reloaded, sign_in, wait_live, watch_reloads

pytestmark = [pytest.mark.browser, needs_chromium]


def test_the_bell_rings_live_and_quiets_when_read(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    page, problems = browser_page
    org: Org = build_org()
    appeal = org.appeal()
    sign_in(page, "anna")
    wait_live(page)
    count = page.locator("#okno-bell-count")
    expect(count).to_be_hidden()
    watch_reloads(page)

    # Boris's notification is not Anna's; hers rings her bell at once.
    services.notify(NotificationKind.BREACH, [org.boris.pk], appeal_id=appeal.pk)
    services.notify(NotificationKind.BREACH, [org.anna.pk], appeal_id=appeal.pk, params={"clock": "answer"})
    expect(count).to_have_text("1", timeout=5_000)
    assert not reloaded(page)

    page.click("#okno-bell-button")
    item = page.locator("#okno-bell-menu a[data-notification]")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(appeal.number)
    item.click()
    page.wait_for_url(f"**/appeals/{appeal.number}/")
    expect(page.locator("#appeal-number")).to_have_text(appeal.number)
    expect(count).to_be_hidden()
    assert services.unread_count(org.anna) == 0

    # Two more arrive while the appeal page is open; "mark all read" quiets the bell.
    wait_live(page)
    services.notify(NotificationKind.REMINDER, [org.anna.pk], appeal_id=appeal.pk, params={"percent": 80})
    services.notify(NotificationKind.ASSIGNED, [org.anna.pk], appeal_id=appeal.pk)
    expect(count).to_have_text("2", timeout=5_000)
    page.click("#okno-bell-button")
    expect(page.locator("#okno-bell-menu a[data-notification]")).to_have_count(3)
    page.click("#okno-bell-read-all")
    expect(count).to_be_hidden()
    assert services.unread_count(org.anna) == 0
    assert services.unread_count(org.boris) == 1
    assert problems == []
