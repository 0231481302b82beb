"""The calendar year page in a real browser (headless Chromium) against a real
server: an administrator clicks a day, makes it a day off, and gives it back."""

from __future__ import annotations

import datetime as dt

import pytest

from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.models import CalendarDay
from okno.testing import build_org
from okno.testing_browser import BrowserPage, follow_menu, needs_chromium, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]


def test_an_administrator_corrects_a_day_in_the_year_view(browser_page: BrowserPage) -> None:
    from playwright.sync_api import expect

    tab, problems = browser_page
    build_org()
    install_default_calendar()
    sign_in(tab, "adam")

    follow_menu(tab, "settings", "/settings/calendars/")
    expect(tab.locator("#calendar-list tr[data-calendar='ru']")).to_contain_text("Europe/Moscow")
    tab.goto("/settings/calendars/ru/2025/")
    expect(tab.locator("#calendar-months .card")).to_have_count(12)
    day = tab.locator("#day-2025-03-12")
    expect(day).to_have_attribute("data-kind", "working")
    expect(tab.locator("#day-2025-11-01")).to_have_attribute("data-kind", "short")

    day.click()
    expect(tab.locator("#calendar-day-form")).to_be_visible()
    tab.select_option("#id_kind", "day_off")
    tab.fill("#id_note", "Субботник наоборот")
    tab.click("#calendar-day-save")
    expect(tab.locator("#calendar-day-saved")).to_be_visible()
    expect(day).to_have_attribute("data-kind", "day_off")
    expect(day).to_have_attribute("data-overridden", "")
    assert CalendarDay.objects.get(date=dt.date(2025, 3, 12)).note == "Субботник наоборот"

    tab.click("#calendar-day-clear")
    expect(day).to_have_attribute("data-kind", "working")
    expect(day).not_to_have_attribute("data-overridden", "")
    assert not CalendarDay.objects.filter(date=dt.date(2025, 3, 12)).exists()
    assert problems == []
