"""Routing rules in a real browser (headless Chromium) against a real server: an
administrator adds a rule with the form's controls, switches it off and on in the
list without a reload, and dry-runs a text that makes it fire."""

from __future__ import annotations

import pytest

from okno.routing.models import RoutingRule
from okno.testing import build_org
from okno.testing_browser import BrowserPage, follow_menu, needs_chromium, reloaded, sign_in, watch_reloads

pytestmark = [pytest.mark.browser, needs_chromium]


def test_an_administrator_adds_a_rule_and_dry_runs_a_text_that_fires_it(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    tab, problems = browser_page
    org = build_org()
    sign_in(tab, "adam")

    follow_menu(tab, "settings", "/settings/routing/")
    tab.wait_for_url("**/settings/routing/")
    expect(tab.locator("#rule-none")).to_be_visible()
    tab.click("#rule-add")
    tab.wait_for_url("**/settings/routing/new/")

    tab.fill("#id_name", "Кредиты в поддержку")
    tab.check("#id_channels input[value='mail']")
    tab.fill("#id_text", 'кредит\n"Банк России"')
    tab.select_option("#id_set_queue", str(org.support.pk))
    tab.select_option("#id_set_priority", "high")
    tab.fill("#id_add_tags", "кредит")
    tab.check("#id_regulator_forwarded")
    tab.click("#rule-save")
    tab.wait_for_url("**/settings/routing/")

    saved = RoutingRule.objects.get()
    assert saved.conditions == {"channels": ["mail"], "text": ["кредит", '"Банк России"']}
    assert saved.actions == {
        "queue": org.support.pk,
        "priority": "high",
        "tags": ["кредит"],
        "regulator_forwarded": True,
    }
    row = tab.locator(f"#rule-{saved.pk}")
    expect(row.locator(".rule-when")).to_contain_text("кредит")
    expect(row.locator(".rule-then")).to_contain_text("Поддержка")

    # Off and on again, in place.
    watch_reloads(tab)
    row.locator("button.rule-toggle").click()
    expect(tab.locator(f"#rule-{saved.pk}")).to_have_attribute("data-active", "false")
    tab.locator(f"#rule-{saved.pk} button.rule-toggle").click()
    expect(tab.locator(f"#rule-{saved.pk}")).to_have_attribute("data-active", "true")
    assert not reloaded(tab)

    tab.click("#routing-dry-run-link")
    tab.wait_for_url("**/settings/routing/dry-run/")
    watch_reloads(tab)
    tab.fill("#id_text", "Здравствуйте! Не могу погасить кредиты, прошу реструктуризацию.")
    tab.click("#dry-run-submit")
    trace = tab.locator(f"#dry-run-rules tr[data-rule='{saved.pk}']")
    expect(trace).to_have_attribute("data-matched", "true")
    expect(trace.locator(".dry-run-change").first).to_contain_text("Поддержка")
    expect(tab.locator("#dry-run-final tr[data-field='queue'] .dry-run-after")).to_have_text("Поддержка")
    expect(tab.locator("#dry-run-final tr[data-field='priority'] .dry-run-after")).to_have_text("Высокий")
    marked = tab.locator("#dry-run-final tr[data-field='regulator_forwarded']")
    expect(marked).to_have_class("table-warning")
    expect(marked.locator(".dry-run-after")).to_have_text("да")

    # A text on another subject: the rule does not hold, and the page says why.
    tab.fill("#id_text", "Хочу открыть вклад")
    tab.click("#dry-run-submit")
    expect(trace).to_have_attribute("data-matched", "false")
    expect(trace.locator(".dry-run-failed")).to_contain_text("кредит")
    assert not reloaded(tab)
    assert problems == []
