"""The operator window in a real browser (Debian's Chromium, headless) against a
real server: sign in, register an appeal through the form, reply, and see
changes made by another process arrive by server push, without a reload."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from okno.appeals import services
from okno.appeals.choices import Direction, Status
from okno.appeals.models import Appeal, Message
from okno.testing import PASSWORD, Org, build_org

CHROMIUM = os.environ.get("OKNO_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long a change made elsewhere may take to show (the budget is about a second).
LIVE_BUDGET_S = 2.0

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]

# Playwright's sync API keeps an event loop running in this thread; the ORM calls
# the test makes between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser_page(okno_server: str) -> Iterator[tuple[object, list[str]]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(base_url=okno_server, locale="ru-RU", viewport={"width": 1400, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error" and "Security Policy" in message.text
                else None
            ),
        )
        try:
            yield page, problems
        finally:
            context.close()
            browser.close()


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def wait_live(page) -> None:  # type: ignore[no-untyped-def]
    """Until the page's server-push connection is open (and the hub has settled)."""
    page.wait_for_selector("body[data-live=open]", timeout=10_000)
    page.wait_for_timeout(400)


def test_register_an_appeal_and_reply(browser_page: tuple[object, list[str]]) -> None:
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


def test_changes_from_another_process_arrive_live(browser_page: tuple[object, list[str]]) -> None:
    from playwright.sync_api import expect

    page, problems = browser_page
    org: Org = build_org()
    appeal = org.appeal()
    sign_in(page, "anna")

    page.goto(f"/appeals/{appeal.number}/")
    wait_live(page)
    page.evaluate("window.__oknoNoReload = true")
    started = time.monotonic()
    services.add_note(org.sergey, appeal, body_text="Клиент перезвонит после обеда")
    expect(page.locator("#appeal-timeline")).to_contain_text("Клиент перезвонит после обеда", timeout=5_000)
    assert time.monotonic() - started < LIVE_BUDGET_S
    services.assign(org.sergey, appeal, org.anna)
    expect(page.locator("#appeal-assignee")).to_contain_text(org.anna.display_name, timeout=5_000)
    assert page.evaluate("window.__oknoNoReload") is True

    page.goto("/")
    wait_live(page)
    started = time.monotonic()
    fresh = org.appeal(actor=org.sergey, subject="Новое обращение из другого процесса")
    expect(page.locator(f"#inbox-results tr[data-number='{fresh.number}']")).to_be_visible(timeout=5_000)
    assert time.monotonic() - started < LIVE_BUDGET_S
    assert problems == []
