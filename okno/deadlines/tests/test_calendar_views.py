"""The administrators' calendar pages: the list, a year, and the htmx day form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from okno.deadlines.calendar import get_calendar
from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.models import CalendarDay


@pytest.fixture(autouse=True)
def _shipped_calendar(db) -> None:
    """Transactional tests elsewhere flush what the data migration shipped."""
    install_default_calendar()


HX = {"HX-Request": "true"}


@pytest.fixture
def admin_client(client: Client, org) -> Client:
    client.force_login(org.adam)
    return client


@pytest.mark.parametrize("persona", ["anna", "sergey", "dina", "kira"])
def test_only_administrators_open_the_calendar_pages(client: Client, org, persona: str) -> None:
    client.force_login(getattr(org, persona))
    day = reverse("calendars:day", args=["ru", "2025-03-12"])
    assert client.get(reverse("calendars:list")).status_code == 403
    assert client.get(reverse("calendars:year", args=["ru", 2025])).status_code == 403
    assert client.get(day, headers=HX).status_code == 403
    assert client.post(day, {"kind": "day_off"}, headers=HX).status_code == 403
    assert client.post(reverse("calendars:day_clear", args=["ru", "2025-03-12"]), headers=HX).status_code == 403
    assert not CalendarDay.objects.filter(date=dt.date(2025, 3, 12)).exists()
    assert "/settings/calendars/" not in client.get("/").content.decode()


def test_signed_out_people_are_sent_to_the_login_page(client: Client, db) -> None:
    response = client.get(reverse("calendars:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_shows_calendars_with_their_zone_and_hours(admin_client: Client) -> None:
    html = admin_client.get(reverse("calendars:list")).content.decode()
    assert "Россия (московское время)" in html and "Europe/Moscow" in html and "09:00–18:00" in html
    assert reverse("calendars:year", args=["ru", dt.date.today().year]) in html
    assert "/settings/calendars/" in admin_client.get("/").content.decode()  # the navbar link


def test_a_year_shows_twelve_months_with_coloured_days(admin_client: Client) -> None:
    response = admin_client.get(reverse("calendars:year", args=["ru", 2025]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card h-100 shadow-sm"') == 12
    assert html.count('data-kind="') == 365
    assert html.count('data-kind="short"') == 4
    assert 'id="day-2025-01-01"' in html and 'id="day-2025-11-01"' in html
    # 118 days off, 247 working days in Russia in 2025 (4 of them shortened).
    assert html.count('data-kind="day_off"') == 118
    assert admin_client.get(reverse("calendars:year", args=["ru", 1800])).status_code == 404
    assert admin_client.get(reverse("calendars:year", args=["nowhere", 2025])).status_code == 404


def test_clicking_a_day_sets_and_clears_its_override(admin_client: Client, org) -> None:
    url = reverse("calendars:day", args=["ru", "2025-03-12"])
    form = admin_client.get(url, headers=HX).content.decode()
    assert 'id="calendar-day-form"' in form and 'value="working" selected' in form
    assert "hx-swap-oob" not in form

    saved = admin_client.post(url, {"kind": "day_off", "note": "Выборы"}, headers=HX)
    html = saved.content.decode()
    assert saved.status_code == 200 and 'id="calendar-day-saved"' in html
    assert 'id="day-2025-03-12" hx-swap-oob="true"' in html and 'data-kind="day_off" data-overridden' in html
    row = CalendarDay.objects.get(date=dt.date(2025, 3, 12))
    assert (row.kind, row.note, row.changed_by) == ("day_off", "Выборы", org.adam)
    assert not get_calendar().is_working_day(dt.date(2025, 3, 12))

    bad = admin_client.post(url, {"kind": "holiday"}, headers=HX)
    assert bad.status_code == 400 and "is-invalid" in bad.content.decode()

    cleared = admin_client.post(reverse("calendars:day_clear", args=["ru", "2025-03-12"]), headers=HX)
    assert 'data-kind="working"' in cleared.content.decode()
    assert not CalendarDay.objects.filter(date=dt.date(2025, 3, 12)).exists()
    assert get_calendar().is_working_day(dt.date(2025, 3, 12))
    assert admin_client.get(reverse("calendars:day", args=["ru", "2025-02-30"]), headers=HX).status_code == 404


def test_calendar_settings_are_edited_in_the_admin_through_the_services(admin_client: Client, org) -> None:
    page = admin_client.get(reverse("admin:deadlines_calendar_add"))
    assert page.status_code == 200
    data = {
        "code": "partner",
        "name": "Партнёр",
        "name_en": "",
        "time_zone": "Asia/Omsk",
        "base": "none",
        "day_start": "08:00",
        "day_end": "17:00",
        "lunch_start": "",
        "lunch_end": "",
        "short_day_minutes": "60",
        "is_default": "on",
    }
    response = admin_client.post(reverse("admin:deadlines_calendar_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert get_calendar().code == "partner"  # the old default stepped down, the cache was dropped
