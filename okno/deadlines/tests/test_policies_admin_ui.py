"""The deadline policies page in a real browser (headless Chromium) against a real
server: an administrator switches a law preset on and off, and changes a term in
the edit form, without a page reload."""

from __future__ import annotations

import re

import pytest

from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.models import DeadlinePolicy
from okno.deadlines.presets import load_presets
from okno.testing import build_org
from okno.testing_browser import BrowserPage, follow_menu, needs_chromium, reloaded, sign_in, watch_reloads

pytestmark = [pytest.mark.browser, needs_chromium]


def test_an_administrator_switches_a_policy_on_and_edits_its_term(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    tab, problems = browser_page
    build_org()
    install_default_calendar()
    load_presets()
    sign_in(tab, "adam")

    follow_menu(tab, "settings", "/deadlines/policies/")
    tab.wait_for_url("**/deadlines/policies/")
    watch_reloads(tab)
    card = tab.locator("#policy-fz442-financial")
    expect(card).to_have_attribute("data-active", "false")

    card.locator("button.policy-toggle").click()
    card = tab.locator("#policy-fz442-financial")
    expect(card).to_have_attribute("data-active", "true")
    expect(card.locator(".policy-state")).to_have_class(re.compile("text-bg-success"))
    expect(tab.locator("#messages .alert-success")).to_be_visible()
    assert DeadlinePolicy.objects.get(code="fz442-financial").is_active

    # The edit form opens in place of the card; a longer term is saved.
    card.locator("a.policy-edit").click()
    form = tab.locator("#policy-form-fz442-financial")
    expect(form).to_be_visible()
    form.locator("input[name='clocks-0-term_amount']").fill("20")
    form.locator("#policy-save").click()
    card = tab.locator("#policy-fz442-financial")
    expect(card.locator(".policy-term")).to_contain_text("20")
    expect(form).to_have_count(0)
    assert DeadlinePolicy.objects.get(code="fz442-financial").clocks.get().term_amount == 20

    # And off again.
    card.locator("button.policy-toggle").click()
    expect(tab.locator("#policy-fz442-financial")).to_have_attribute("data-active", "false")
    assert not DeadlinePolicy.objects.get(code="fz442-financial").is_active
    assert not reloaded(tab)
    assert problems == []
