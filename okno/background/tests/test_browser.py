"""The background tasks page in a real browser (headless Chromium) against a real
server: an administrator finds it in the menu, reads a failure's traceback and
retries it; the page keeps to the Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.tasks import TaskResultStatus

from okno.background.models import TaskRecord
from okno.background.tests import sample_tasks
from okno.testing import build_org
from okno.testing_browser import BrowserPage, follow_menu, needs_chromium, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]


def test_an_administrator_retries_a_failed_task(browser_page: BrowserPage, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page, problems = browser_page
    build_org()
    # Fails the first time, here (tasks run inline at commit); the retry runs in the server.
    failed = sample_tasks.fail_once.enqueue(str(tmp_path / "marker"))
    assert TaskRecord.objects.get(pk=failed.id).status == TaskResultStatus.FAILED

    sign_in(page, "adam")
    follow_menu(page, "settings", "/system/tasks/")
    page.wait_for_url("**/system/tasks/")
    row = page.locator(f"#bg-failed tr[data-task='{failed.id}']")
    expect(row).to_be_visible()
    expect(row.locator("pre.okno-traceback")).to_be_hidden()
    row.locator("summary").click()
    expect(row.locator("pre.okno-traceback")).to_contain_text("first attempt fails")
    expect(page.locator("#bg-periodic tr[data-job='okno.background.tasks.prune_task_records']")).to_be_visible()

    row.locator("button[type=submit]").click()
    expect(page.locator(f"#bg-successful tr[data-task='{failed.id}']")).to_be_visible()
    expect(page.locator(f"#bg-failed tr[data-task='{failed.id}']")).to_have_count(0)
    expect(page.locator("#messages .alert-success")).to_be_visible()
    record = TaskRecord.objects.get(pk=failed.id)
    assert record.status == TaskResultStatus.SUCCESSFUL and record.attempts == 2
    assert problems == []
