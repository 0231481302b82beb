"""Paper letters in a real browser against a real server: a supervisor answers an
appeal by a paper letter from the appeal page, opens the "to post" list, forms the
registry and gets its PDF and workbook links."""

from __future__ import annotations

import re

import pytest

from okno.appeals.choices import Channel
from okno.channels.post.choices import LetterStatus
from okno.channels.post.models import PaperLetter
from okno.channels.post.tests.helpers import configure
from okno.testing import Org, build_org
from okno.testing_browser import BrowserPage, needs_chromium, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]


def test_reply_by_paper_letter_then_form_the_registry(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    page, problems = browser_page
    org: Org = build_org()
    configure(org)
    appeal = org.appeal(channel=Channel.MAIL)

    sign_in(page, "sergey")
    page.goto(f"/appeals/{appeal.number}/")
    page.fill("#reply-text", "Уважаемый Иван Иванович! Комиссия возвращена на ваш счёт.")
    page.check(f"#deliver-paper-{appeal.pk}")
    expect(page.locator("#paper-postcode")).to_be_visible()
    page.fill("#paper-addressee", "Иванов Иван Иванович")
    page.fill("#paper-address", "ул. Ленина, д. 5, кв. 12")
    page.fill("#paper-locality", "г. Екатеринбург")
    page.fill("#paper-postcode", "620014")
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#appeal-timeline")).to_contain_text("Комиссия возвращена", timeout=10_000)
    letter = PaperLetter.objects.get(appeal=appeal)
    assert letter.status == LetterStatus.TO_PRINT and letter.postcode == "620014"

    page.goto("/post/")
    row = page.locator(f'#post-letters tr[data-letter="{letter.pk}"]')
    expect(row).to_contain_text("Иванов Иван Иванович")
    row.locator("input[name=ids]").check()
    page.click("#form-registry-chosen")
    expect(page.locator("#registry-pdf")).to_be_visible()
    expect(page.locator("#registry-xlsx")).to_have_attribute("href", re.compile(r"^/post/registries/\d+/xlsx/$"))
    expect(page.locator(".post-list")).to_contain_text("620014")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.IN_REGISTRY and len(letter.tracking_number) == 14
    pdf = page.request.get(page.locator("#registry-pdf").get_attribute("href") or "")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert problems == []
