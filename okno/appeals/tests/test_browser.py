"""The operator window in a real browser (Debian's Chromium, headless) against a
real server: sign in, register an appeal through the form, reply, and see
changes made by another process arrive by server push, without a reload."""

from __future__ import annotations

import re
import time

import pytest

from okno.appeals import services
from okno.appeals.choices import Direction, Status
from okno.appeals.models import Appeal, Message
from okno.testing import Org, build_org
from okno.testing_browser import BrowserPage, needs_chromium, reloaded, sign_in, wait_live, watch_reloads

# How long a change made elsewhere may take to show (the budget is about a second).
LIVE_BUDGET_S = 2.0

pytestmark = [pytest.mark.browser, needs_chromium]


def test_register_an_appeal_and_reply(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    page, problems = browser_page
    org: Org = build_org()
    sign_in(page, "anna")
    expect(page.locator("#inbox-results")).to_be_visible()

    page.click("a.nav-link[href='/appeals/new/']")
    page.wait_for_url("**/appeals/new/")
    page.fill("#new-client-picker .okno-picker-search", "иванов")
    page.click(f"#new-client-picker [data-pick-value='{org.ivan.pk}']")
    expect(page.locator("#new-client-picker .okno-picker-label")).to_have_text(org.ivan.name)
    page.select_option("#id_kind", str(org.complaint.pk))
    page.fill("#id_subject", "Двойное списание за покупку")
    page.fill("#id_description", "Клиент позвонил: покупку списали дважды.")
    page.select_option("#id_queue", str(org.claims.pk))
    page.select_option("#id_category", str(org.cards.pk))
    expect(page.locator(f"#id_subcategory option[value='{org.card_fees.pk}']")).to_have_count(1)
    page.select_option("#id_subcategory", str(org.card_fees.pk))
    page.click("#register-appeal")
    page.wait_for_url(re.compile(r"/appeals/\d{4}-\d+/$"))

    appeal = Appeal.objects.get(subject="Двойное списание за покупку")
    assert (appeal.client, appeal.category, appeal.queue) == (org.ivan, org.card_fees, org.claims)
    expect(page.locator("#appeal-number")).to_have_text(appeal.number)

    page.fill("#reply-text", "Здравствуйте! Второе списание отменено, деньги вернутся за 3 дня.")
    page.click("#reply-form button[type=submit]")
    reply = page.locator("#appeal-timeline article[data-direction='outbound']")
    expect(reply).to_contain_text("Второе списание отменено")
    expect(page.locator("#reply-text")).to_have_value("")
    expect(page.locator("#appeal-header")).to_have_attribute("data-status", Status.ANSWERED)
    assert Message.objects.filter(appeal=appeal, direction=Direction.OUTBOUND).count() == 1
    assert problems == []


def test_changes_from_another_process_arrive_live(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    page, problems = browser_page
    org: Org = build_org()
    appeal = org.appeal()
    sign_in(page, "anna")

    page.goto(f"/appeals/{appeal.number}/")
    wait_live(page)
    watch_reloads(page)
    started = time.monotonic()
    services.add_note(org.sergey, appeal, body_text="Клиент перезвонит после обеда")
    expect(page.locator("#appeal-timeline")).to_contain_text("Клиент перезвонит после обеда", timeout=5_000)
    assert time.monotonic() - started < LIVE_BUDGET_S
    services.assign(org.sergey, appeal, org.anna)
    expect(page.locator("#appeal-assignee")).to_contain_text(org.anna.display_name, timeout=5_000)
    assert not reloaded(page)

    page.goto("/")
    wait_live(page)
    started = time.monotonic()
    fresh = org.appeal(actor=org.sergey, subject="Новое обращение из другого процесса")
    expect(page.locator(f"#inbox-results tr[data-number='{fresh.number}']")).to_be_visible(timeout=5_000)
    assert time.monotonic() - started < LIVE_BUDGET_S
    assert problems == []
