"""The classifier page in a real browser (headless Chromium) against a real server:
an administrator sees the versions and the per-class chart, rolls back a bad model,
sets a queue's threshold and starts a training, without a page reload."""

from __future__ import annotations

import pytest

from okno.routing.classifier.models import ClassifierModel
from okno.routing.models import QueueRouting
from okno.testing import build_org
from okno.testing_browser import BrowserPage, follow_menu, needs_chromium, reloaded, sign_in, watch_reloads

from .conftest import train_csv

pytestmark = [pytest.mark.browser, needs_chromium]


def test_an_administrator_rolls_back_a_model_and_sets_a_threshold(browser_page: BrowserPage, tmp_path) -> None:
    from playwright.sync_api import expect

    tab, problems = browser_page
    org = build_org()
    train_csv(tmp_path, activate=True)
    train_csv(tmp_path, activate=True, features="lemmas")
    sign_in(tab, "adam")

    follow_menu(tab, "settings", "/settings/classifier/")
    tab.wait_for_url("**/settings/classifier/")
    watch_reloads(tab)
    versions = tab.locator("#target-category table.classifier-versions")
    expect(versions.locator("tr[data-version='2']")).to_have_attribute("data-active", "true")
    expect(versions.locator("tr[data-version='1']")).to_have_attribute("data-active", "false")
    expect(tab.locator("canvas[data-f1-chart='category']")).to_have_attribute("data-drawn", "")
    expect(tab.locator("#target-category table.classifier-confusion tbody tr")).to_have_count(4)

    # Roll back (after the confirmation): v1 is active again; the chart is drawn anew.
    tab.once("dialog", lambda dialog: dialog.accept())
    tab.locator("#target-category button.classifier-rollback").click()
    expect(versions.locator("tr[data-version='1']")).to_have_attribute("data-active", "true")
    expect(versions.locator("tr[data-version='2']")).to_have_attribute("data-active", "false")
    expect(tab.locator("#messages .alert-success")).to_be_visible()
    expect(tab.locator("canvas[data-f1-chart='category']")).to_have_attribute("data-drawn", "")
    assert ClassifierModel.objects.get(is_active=True).version == 1

    # A threshold for the claims queue.
    row = tab.locator(f"#threshold-{org.claims.pk}")
    row.locator("input[name=threshold]").fill("0.8")
    row.locator("button[type=submit]").click()
    expect(tab.locator(f"#threshold-{org.claims.pk} input[name=threshold]")).to_have_value("0.80")
    expect(tab.locator(f"#threshold-{org.claims.pk} .threshold-state")).to_have_count(0)
    assert QueueRouting.objects.get(queue=org.claims).auto_apply_threshold == 0.8

    # Train now: no closed appeals yet, and the page says so when the task is done.
    tab.locator("#train-now").click()
    expect(tab.locator("#training-state [data-status='SUCCESSFUL']")).to_be_visible(
        timeout=30_000
    )  # training in the worker: slow on a busy runner
    expect(tab.locator("#training-state .training-outcome")).to_have_attribute("data-outcome", "skipped")
    assert ClassifierModel.objects.count() == 2
    assert not reloaded(tab)
    assert problems == []
