"""Deadlines in a real browser: the inbox's countdown and deadline filter, the
appeal page's deadlines card, and a supervisor extending a deadline from it."""

from __future__ import annotations

import pytest

from okno.appeals.models import Message
from okno.deadlines.models import AppealClock
from okno.deadlines.tests.test_clocks import activate
from okno.testing import Org, build_org
from okno.testing_browser import BrowserPage, needs_chromium, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]


def test_the_inbox_counts_down_and_a_supervisor_extends_a_deadline(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    page, problems = browser_page
    org: Org = build_org()
    activate("fz442-financial")
    appeal = org.appeal(subject="Не пришёл перевод", assignee=org.anna)
    sign_in(page, "sergey")

    page.goto("/?deadline=&status=open&sort=due")
    cell = page.locator(f"#inbox-results tr:has(a:text('{appeal.number}')) td.col-due")
    expect(cell).to_have_attribute("data-risk", "ok")
    expect(cell).to_contain_text("рабоч")  # "15 рабочих дней" (or 14 late in the day)

    page.goto(f"/appeals/{appeal.number}/")
    card = page.locator("#appeal-deadlines")
    expect(card).to_contain_text("442-ФЗ")
    expect(card.locator("[data-clock='answer']")).to_have_attribute("data-state", "running")
    card.locator("summary.link-primary").click()
    card.locator("textarea[name=reason]").fill("Запрошены сведения у банка-получателя")
    card.locator("button[type=submit]").click()
    expect(page.locator("#appeal-deadlines")).to_contain_text("Запрошены сведения у банка-получателя")
    answer = AppealClock.objects.get(appeal=appeal, clock="answer")
    assert answer.extended_amount == 10
    notice = Message.objects.get(appeal=appeal)
    assert "Запрошены сведения у банка-получателя" in notice.body_text
    expect(page.locator("#appeal-timeline")).to_contain_text("продлён", timeout=5_000)
    assert problems == []
