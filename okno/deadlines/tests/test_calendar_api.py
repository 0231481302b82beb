"""Working calendars through the API: everyone reads and computes, administrators
change days and settings."""

from __future__ import annotations

import pytest

from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.models import Calendar, CalendarDay
from okno.testing_api import ApiClient


@pytest.fixture(autouse=True)
def _shipped_calendar(db) -> None:
    """Transactional tests elsewhere flush what the data migration shipped."""
    install_default_calendar()


def test_staff_list_calendars_and_read_a_year(org) -> None:
    api = ApiClient(org.anna)
    listed = api.get("/calendars").json()
    assert [(c["code"], c["is_default"], c["time_zone"], c["day_start"]) for c in listed] == [
        ("ru", True, "Europe/Moscow", "09:00:00")
    ]
    days = api.get("/calendars/ru/days", {"year": 2025}).json()
    assert len(days) == 365
    by_date = {d["date"]: d for d in days}
    assert by_date["2025-01-01"] == {
        "date": "2025-01-01",
        "kind": "day_off",
        "is_working_day": False,
        "is_short_day": False,
        "overridden": False,
        "note": "",
        "starts": None,
        "ends": None,
    }
    assert by_date["2025-11-01"]["kind"] == "short"
    assert by_date["2025-11-01"]["ends"] == "2025-11-01T17:00:00+03:00"
    assert by_date["2025-03-12"]["starts"] == "2025-03-12T09:00:00+03:00"
    assert api.get("/calendars/ru/days", {"year": 1800}).status_code == 422
    assert api.get("/calendars/nowhere/days").status_code == 404
    assert len(api.get("/calendars/ru/days").json()) in (365, 366)  # this year


def test_an_admin_sets_and_clears_a_day_and_others_may_not(org) -> None:
    admin, agent = ApiClient(org.adam), ApiClient(org.anna)
    assert agent.put("/calendars/ru/days/2025-03-12", {"kind": "day_off"}).status_code == 403
    put = admin.put("/calendars/ru/days/2025-03-12", {"kind": "day_off", "note": "Субботник наоборот"})
    assert put.status_code == 200
    assert put.json() | {"starts": None} == {
        "date": "2025-03-12",
        "kind": "day_off",
        "is_working_day": False,
        "is_short_day": False,
        "overridden": True,
        "note": "Субботник наоборот",
        "starts": None,
        "ends": None,
    }
    assert CalendarDay.objects.get(date="2025-03-12").changed_by == org.adam
    due = agent.post(
        "/calendars/ru/compute", {"start": "2025-03-11T10:00:00+03:00", "amount": 1, "unit": "working_days"}
    )
    assert due.json()["due"] == "2025-03-13T23:59:59.999+03:00"

    assert agent.delete("/calendars/ru/days/2025-03-12").status_code == 403
    assert admin.delete("/calendars/ru/days/2025-03-12").status_code == 204
    assert not CalendarDay.objects.filter(date="2025-03-12").exists()
    assert admin.put("/calendars/ru/days/2025-03-12", {"kind": "holiday"}).status_code == 422
    assert admin.put("/calendars/ru/days/2025-03-12", {"kind": "day_off", "extra": 1}).status_code == 422
    assert admin.put("/calendars/nowhere/days/2025-03-12", {"kind": "day_off"}).status_code == 404


def test_compute_a_deadline_and_working_time(org) -> None:
    api = ApiClient(org.anna)
    start = "2025-03-12T15:00:00+03:00"  # Wednesday
    out = api.post("/calendars/ru/compute", {"start": start, "amount": 3, "unit": "calendar_days"}).json()
    assert out == {
        "calendar": "ru",
        "start": "2025-03-12T15:00:00+03:00",
        "due": "2025-03-17T23:59:59.999+03:00",
        "end": None,
        "working_seconds": None,
    }
    previous = {"start": start, "amount": 3, "unit": "calendar_days", "rule": "previous"}
    assert api.post("/calendars/ru/compute", previous).json()["due"] == "2025-03-14T23:59:59.999+03:00"
    hours = {"start": "2025-03-12T12:00:00Z", "amount": 4.5, "unit": "working_hours"}
    assert api.post("/calendars/ru/compute", hours).json()["due"] == "2025-03-13T10:30:00+03:00"
    between = api.post("/calendars/ru/compute", {"start": start, "end": "2025-03-17T10:00:00+03:00"}).json()
    assert between["working_seconds"] == (3 + 9 + 9 + 1) * 3600 and between["due"] is None
    for bad in (
        {"start": start},
        {"start": start, "amount": 3},
        {"start": start, "amount": 1.5, "unit": "working_days"},
        {"start": start, "amount": -1, "unit": "working_days"},
        {"start": start, "amount": 1, "unit": "fortnights"},
        {"start": "2025-03-12", "amount": 1, "unit": "working_days", "surprise": True},
    ):
        response = api.post("/calendars/ru/compute", bad)
        assert response.status_code in (400, 422), bad
    assert api.post("/calendars/nowhere/compute", {"start": start, "end": start}).status_code == 404


def test_an_admin_adds_and_changes_a_calendar(org) -> None:
    admin = ApiClient(org.adam)
    body = {"code": "partner", "name": "Партнёр", "name_en": "Partner", "base": "none", "time_zone": "Asia/Omsk"}
    assert ApiClient(org.sergey).post("/calendars", body).status_code == 403
    created = admin.post("/calendars", {**body, "lunch_start": "13:00", "lunch_end": "14:00"})
    assert created.status_code == 201 and created.json()["lunch_start"] == "13:00:00"
    changed = admin.patch("/calendars/partner", {"lunch_start": None, "lunch_end": None, "is_default": True})
    assert changed.status_code == 200
    assert changed.json()["lunch_start"] is None and changed.json()["is_default"] is True
    assert Calendar.objects.get(code="ru").is_default is False
    assert admin.patch("/calendars/partner", {"time_zone": "Nowhere/Else"}).json()["field"] == "time_zone"
    assert admin.patch("/calendars/partner", {"is_default": False}).status_code == 400
    assert ApiClient(org.anna).patch("/calendars/partner", {"name": "X"}).status_code == 403
