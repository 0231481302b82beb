"""The on-time performance page: who may open it and sees it in the menu, the table
and the chart's data, the filters (presets, custom dates, htmx), and the CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from okno.deadlines.tests.test_performance import Month, _shipped_calendar, a_month_of_work  # noqa: F401 - fixture
from okno.testing import Org

URL = "/deadlines/performance/"
HX = {"HX-Request": "true"}
MARCH = {"period": "custom", "date_from": "2026-03-01", "date_to": "2026-03-31"}


def signed_in(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def get(client: Client, month: Month | None, params: dict[str, str], **extra: Any) -> Any:
    if month is None:
        return client.get(URL, params, **extra)
    with time_machine.travel(month.now, tick=False):
        return client.get(URL, params, **extra)


def table(html: str) -> list[list[str]]:
    """The body rows of the report table as text cells."""
    body = html.split('id="performance-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def chart_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="performance-data" type="application/json">(.*?)</script>', html, flags=re.S)
    assert found, "no chart data on the page"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_the_url_is_under_deadlines() -> None:
    assert reverse("deadlines:performance") == URL


@pytest.mark.parametrize("who", ["anna", "boris", "spec", "dina"])
def test_other_roles_get_a_403_and_no_menu_link(org: Org, who: str) -> None:
    client = signed_in(getattr(org, who))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403
    assert URL not in client.get(reverse("appeals:inbox")).content.decode()


@pytest.mark.parametrize("who", ["sergey", "kira", "adam"])
def test_supervisors_compliance_and_administrators_have_it_in_the_menu(org: Org, who: str) -> None:
    client = signed_in(getattr(org, who))
    assert f'href="{URL}"' in client.get(reverse("appeals:inbox")).content.decode()
    assert client.get(URL).status_code == 200


def test_signed_out_people_are_sent_to_the_login_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_shows_the_table_the_total_and_the_chart_data(org: Org) -> None:
    month = a_month_of_work(org)
    response = get(signed_in(org.adam), month, {"group_by": "assignee", **MARCH})
    assert response.status_code == 200
    html = response.content.decode()
    assert table(html) == [
        # name, open, due today, overdue, answers, on time, late, on time %, breaches
        ["Кузнецов Б.", "1", "1", "0", "1", "1", "0", "100.0", "0"],
        ["Смирнова А.", "1", "0", "1", "2", "1", "1", "50.0", "2"],
        ["Unassigned", "2", "0", "0", "0", "0", "0", "—", "0"],
    ]
    total = html.split('id="performance-total"', 1)[1].split("</tr>", 1)[0]
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", total, re.S)] == [
        "Total",
        "4",
        "1",
        "1",
        "3",
        "2",
        "1",
        "66.7",
        "2",
    ]
    data = chart_data(html)
    assert data["labels"] == ["Кузнецов Б.", "Смирнова А.", "Unassigned"]
    assert data["on_time"] == [100.0, 50.0, None]
    assert data["open"] == [1, 1, 2] and data["overdue"] == [0, 1, 0]
    assert data["notes"] == ["1 of 1 answer on time", "1 of 2 answers on time", "nothing answered"]
    # The chart is drawn by files the app serves itself, never a CDN.
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/deadlines/performance.js" in html
    assert "cdn" not in html.lower()
    # Overdue and open counts lead to those appeals in the inbox.
    assert f"/?status=open&amp;assignee={org.anna.pk}&amp;deadline=overdue" in html


def test_the_vendored_chart_library_and_the_page_script_are_served(org: Org) -> None:
    client = signed_in(org.adam)
    library = client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert library.status_code == 200 and b"Chart.js v4." in library.content[:200]
    assert client.get("/static/vendor/chartjs/LICENSE").status_code == 200
    script = client.get("/static/deadlines/performance.js")
    assert script.status_code == 200 and b"performance-data" in script.content


def test_a_preset_decides_the_dates(org: Org) -> None:
    month = a_month_of_work(org)
    html = get(signed_in(org.adam), month, {"period": "last_month", "date_from": "2026-03-01"}).content.decode()
    assert 'name="date_from" value="2026-02-01"' in html and 'name="date_to" value="2026-02-28"' in html
    assert re.search(r'name="date_from" value="2026-02-01"[^>]*disabled', html)
    # February: Anna's one answer, on time; what is open is counted as of now.
    assert ["Смирнова А.", "1", "0", "1", "1", "1", "0", "100.0", "0"] in table(html)


def test_by_default_this_month_per_assignee(org: Org) -> None:
    month = a_month_of_work(org)
    html = get(signed_in(org.kira), month, {}).content.decode()
    assert 'name="date_from" value="2026-03-01"' in html and 'name="date_to" value="2026-03-31"' in html
    assert 'value="assignee" selected' in html
    assert len(table(html)) == 3


def test_a_supervisor_sees_only_their_queues(org: Org) -> None:
    month = a_month_of_work(org)
    html = get(signed_in(org.sergey), month, {"group_by": "queue", **MARCH}).content.decode()
    assert [row[0] for row in table(html)] == ["Claims"]


def test_htmx_gets_the_report_region_only(org: Org) -> None:
    month = a_month_of_work(org)
    response = get(signed_in(org.adam), month, {"group_by": "department", **MARCH}, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert html.lstrip().startswith('<div id="performance-report"')
    assert "<nav" not in html
    assert [row[0] for row in table(html)] == ["Претензионный отдел", "No department"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "custom", "date_from": "2026-03-01"}, "Give both dates of a custom period."),
        ({"period": "custom", "date_from": "2026-03-31", "date_to": "2026-03-01"}, "The period ends before it starts."),
        ({"period": "custom", "date_from": "2026-03-01", "date_to": "9999-12-31"}, "Dates must be between"),
        ({"group_by": "client"}, "Select a valid choice"),
        ({"period": "fortnight"}, "Select a valid choice"),
    ],
)
def test_bad_filters_are_explained_not_a_crash(org: Org, params: dict[str, str], message: str) -> None:
    response = signed_in(org.adam).get(URL, params, headers=HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="performance-errors"' in html and message in html
    assert 'id="performance-table"' not in html


def read_csv(response: Any, delimiter: str) -> list[list[str]]:
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8 Cyrillic right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_export_in_english(org: Org) -> None:
    month = a_month_of_work(org)
    response = get(signed_in(org.adam), month, {"group_by": "queue", "format": "csv", **MARCH})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="on-time-queue-2026-03-01-2026-03-31.csv"'
    assert read_csv(response, ",") == [
        ["Queue", "Open", "Due today", "Overdue", "Answers", "On time", "Late", "On time, %", "Breaches"],
        ["Claims", "2", "0", "1", "2", "1", "1", "50.0", "2"],
        ["Support", "1", "1", "0", "1", "1", "0", "100.0", "0"],
        ["No queue", "1", "0", "0", "0", "0", "0", "", "0"],
        ["Total", "4", "1", "1", "3", "2", "1", "66.7", "2"],
    ]


def test_csv_export_in_russian_uses_semicolons_and_decimal_commas(org: Org) -> None:
    month = a_month_of_work(org)
    response = get(signed_in(org.adam, "ru"), month, {"group_by": "department", "format": "csv", **MARCH})
    rows = read_csv(response, ";")
    assert rows[1][0] == "Претензионный отдел"
    assert rows[1][7] == "50,0" and rows[-1][7] == "66,7"
    assert [len(r) for r in rows] == [9, 9, 9, 9]


def test_the_csv_link_repeats_the_filters(org: Org) -> None:
    month = a_month_of_work(org)
    client = signed_in(org.adam)
    html = get(client, month, {"group_by": "queue", **MARCH}).content.decode()
    link = re.search(r'id="performance-csv" href="\?([^"]+)"', html)
    assert link
    query = link.group(1).replace("&amp;", "&")
    assert "format=csv" in query and "group_by=queue" in query and "date_from=2026-03-01" in query
    with time_machine.travel(month.now, tick=False):
        exported = client.get(f"{URL}?{query}")
    assert read_csv(exported, ",")[-1][0] == "Total"


def test_in_russian_the_page_and_the_csv_speak_russian(org: Org) -> None:
    month = a_month_of_work(org)
    client = signed_in(org.sergey, "ru")
    html = get(client, month, {"group_by": "assignee", **MARCH}).content.decode()
    assert "<title>Исполнительская дисциплина" in html
    assert f'href="{URL}"><i class="bi bi-stopwatch"></i> Исполнительская дисциплина</a>' in html  # the Reports menu
    assert chart_data(html)["notes"] == ["1 из 2 ответов в срок", "ответов не было"]
    rows = read_csv(get(client, month, {"group_by": "assignee", "format": "csv", **MARCH}), ";")
    assert rows == [
        [
            "Исполнитель",
            "Открыто",
            "Срок сегодня",
            "Просрочено",
            "Ответов",
            "В срок",
            "С опозданием",
            "В срок, %",
            "Нарушений срока",
        ],
        ["Смирнова А.", "1", "0", "1", "2", "1", "1", "50,0", "2"],
        ["Без исполнителя", "1", "0", "0", "0", "0", "0", "", "0"],
        ["Итого", "2", "0", "1", "2", "1", "1", "50,0", "2"],
    ]
