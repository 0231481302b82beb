"""GET /api/v1/reports/on-time: the report's rows as JSON, the same numbers as the
page, refused to roles it is not for, 4xx with a message for bad parameters."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from okno.deadlines.tests.test_performance import _shipped_calendar, a_month_of_work  # noqa: F401 - fixture
from okno.testing import Org
from okno.testing_api import ApiClient

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


ENGLISH = {"Accept-Language": "en"}


def get(user, params: dict[str, Any], month=None) -> Any:  # type: ignore[no-untyped-def]
    """The report as ``user`` sees it in English, at the scenario's "now" if given."""
    if month is None:
        return ApiClient(user).get("/reports/on-time", params, headers=ENGLISH)
    with time_machine.travel(month.now, tick=False):
        return ApiClient(user).get("/reports/on-time", params, headers=ENGLISH)


def test_rows_and_total_per_agent(org: Org) -> None:
    month = a_month_of_work(org)
    response = get(org.kira, {"group_by": "assignee", **MARCH}, month)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["group_by"], body["date_from"], body["date_to"]) == ("assignee", "2026-03-01", "2026-03-31")
    assert [(r["key"], r["name"]) for r in body["rows"]] == [
        (org.boris.pk, "Кузнецов Б."),
        (org.anna.pk, "Смирнова А."),
        (None, "Unassigned"),
    ]
    anna = body["rows"][1]
    assert anna == {
        "key": org.anna.pk,
        "name": "Смирнова А.",
        "open": 1,
        "due_today": 0,
        "overdue": 1,
        "answered": 2,
        "answered_on_time": 1,
        "answered_late": 1,
        "on_time_percent": 50.0,
        "breaches": 2,
    }
    assert body["rows"][2]["on_time_percent"] is None
    total = body["total"]
    assert (total["key"], total["open"], total["due_today"], total["overdue"]) == (None, 4, 1, 1)
    assert (total["answered"], total["answered_on_time"], total["on_time_percent"], total["breaches"]) == (
        3,
        2,
        66.7,
        2,
    )


def test_departments_are_keyed_by_name(org: Org) -> None:
    month = a_month_of_work(org)
    body = get(org.adam, {"group_by": "department", **MARCH}, month).json()
    assert [(r["key"], r["open"], r["answered"]) for r in body["rows"]] == [
        ("Претензионный отдел", 2, 2),
        (None, 2, 1),
    ]


def test_a_supervisor_gets_the_numbers_of_their_queues_only(org: Org) -> None:
    month = a_month_of_work(org)
    body = get(org.sergey, {"group_by": "queue", **MARCH}, month).json()
    assert [(r["key"], r["open"]) for r in body["rows"]] == [(org.claims.pk, 2)]
    assert body["total"]["open"] == 2


def test_without_dates_the_period_is_this_month_so_far(org: Org) -> None:
    month = a_month_of_work(org)
    body = get(org.adam, {"group_by": "queue"}, month).json()
    assert (body["date_from"], body["date_to"]) == ("2026-03-01", "2026-03-17")
    assert body["total"]["answered"] == 3


@pytest.mark.parametrize("who", ["anna", "dina", "spec"])
def test_other_roles_get_a_403_with_a_message(org: Org, who: str) -> None:
    response = get(getattr(org, who), {"group_by": "queue", **MARCH})
    assert response.status_code == 403
    assert "supervisors" in response.json()["detail"]


def test_no_credentials_is_a_401(db) -> None:  # type: ignore[no-untyped-def]
    response = ApiClient().get("/reports/on-time", {})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"group_by": "client"}, 422, None),
        ({"group_by": "queue", "date_from": "2026-03-31", "date_to": "2026-03-01"}, 400, "date_to"),
        ({"group_by": "queue", "date_from": "1 March"}, 422, None),
        ({"group_by": "queue", "date_to": "9999-12-31"}, 422, None),
    ],
)
def test_bad_parameters_are_a_4xx_with_a_message(org: Org, params: dict[str, str], status: int, field: str) -> None:
    response = get(org.adam, params)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"]
    assert body["field"] == field
