"""The inbox page: roles, filters, remembered settings, counts, query budget, bulk."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from okno.accounts.models import ListSettings
from okno.appeals import services
from okno.appeals.choices import Outcome, Priority, Status
from okno.appeals.models import Appeal
from okno.testing import Org

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "inbox-results"}


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def numbers_in(html: str) -> set[str]:
    return set(re.findall(r'data-number="([\d-]+)"', html))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anna", "boris", "sergey", "dina", "kira", "adam", "spec"])
def test_inbox_renders_for_every_role(client: Client, org: Org, persona: str) -> None:
    org.appeal()
    response = logged_in(client, getattr(org, persona)).get(reverse("appeals:inbox"))
    assert response.status_code == 200
    assert b'id="inbox-results"' in response.content
    assert b'sse-connect="/live/stream"' in response.content


def test_anonymous_is_sent_to_login(client: Client, db: None) -> None:
    response = client.get(reverse("appeals:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_inbox_shows_only_visible_appeals(client: Client, org: Org) -> None:
    mine = org.appeal()
    other = org.appeal(actor=org.boris, queue=org.support)
    html = logged_in(client, org.anna).get(reverse("appeals:inbox")).content.decode()
    assert mine.number in numbers_in(html)
    assert other.number not in numbers_in(html)


def test_default_inbox_shows_open_appeals(client: Client, org: Org) -> None:
    open_one = org.appeal()
    closed = org.appeal()
    services.close(org.anna, closed, Outcome.EXPLAINED)
    found = numbers_in(logged_in(client, org.anna).get(reverse("appeals:inbox")).content.decode())
    assert open_one.number in found
    assert closed.number not in found


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("status=closed", {"closed"}),
        ("status=open", {"open", "mine", "critical"}),
        ("assignee=me&status=open", {"mine"}),
        ("assignee=none&status=open", {"open", "critical"}),
        ("priority=critical", {"critical"}),
        ("q=протечка", {"critical"}),
    ],
)
def test_filters(client: Client, org: Org, params: str, expected: set[str]) -> None:
    appeals = {
        "open": org.appeal(),
        "mine": org.appeal(assignee=org.anna),
        "critical": org.appeal(subject="Протечка кондиционера", priority=Priority.CRITICAL),
        "closed": org.appeal(),
    }
    services.close(org.anna, appeals["closed"], Outcome.REFUSED)
    html = logged_in(client, org.anna).get(f"/?{params}&sort=-created").content.decode()
    assert numbers_in(html) == {appeals[name].number for name in expected}


def test_queue_filter_and_no_queue(client: Client, org: Org) -> None:
    claims = org.appeal()
    support = org.appeal(queue=org.support)
    orphan = org.appeal(queue=None)
    logged_in(client, org.dina)
    assert numbers_in(client.get(f"/?queue={org.support.pk}&sort=-created").content.decode()) == {support.number}
    assert numbers_in(client.get("/?queue=none&sort=-created").content.decode()) == {orphan.number}
    both = numbers_in(client.get(f"/?queue={org.claims.pk}&queue=none&sort=-created").content.decode())
    assert both == {claims.number, orphan.number}


@pytest.mark.parametrize(
    "params",
    [
        "status=bogus",
        "queue=abc",
        "assignee=x",
        "sort=nope",
        "page=zero",
        "page_size=100000",
        "created_from=31-31-2026",
    ],
)
def test_invalid_parameters_give_a_message_not_an_error(client: Client, org: Org, params: str) -> None:
    org.appeal()
    response = logged_in(client, org.anna).get(f"/?{params}")
    assert response.status_code == 200
    assert b"alert-warning" in response.content


def test_filter_change_returns_only_the_table_and_is_remembered(client: Client, org: Org) -> None:
    org.appeal()
    logged_in(client, org.anna)
    response = client.get("/?status=closed&sort=-created&page_size=25", **HTMX)
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<div id="inbox-results"')
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]
    assert response["HX-Push-Url"] == "/?status=closed&sort=-created&page_size=25"
    stored = ListSettings.objects.get(user=org.anna, list_name="inbox")
    assert stored.filters == {"status": ["closed"]}
    assert stored.sort == "-created"
    assert stored.page_size == 25


def test_bare_inbox_restores_what_was_remembered(client: Client, org: Org) -> None:
    closed = org.appeal()
    services.close(org.anna, closed, Outcome.EXPLAINED)
    open_one = org.appeal()
    logged_in(client, org.anna)
    client.get("/?status=closed&assignee=none&sort=created&page_size=25")
    html = client.get("/").content.decode()
    assert numbers_in(html) == {closed.number}
    assert 'value="closed" id="st-closed" checked' in html
    assert '<option value="created" selected>' in html
    # A search from the navbar (no sort) is a one-off: it does not overwrite the filters.
    client.get(f"/?q={open_one.number}")
    assert ListSettings.objects.get(user=org.anna).filters == {"status": ["closed"], "assignee": ["none"]}
    # Reset goes back to the defaults.
    assert client.get("/?reset=1").status_code == 302
    assert numbers_in(client.get("/").content.decode()) == {open_one.number}


def test_columns_are_chosen_and_remembered(client: Client, org: Org) -> None:
    org.appeal()
    logged_in(client, org.anna)
    response = client.post(
        reverse("appeals:inbox_columns"),
        {"columns": ["number", "subject", "updated", "bogus"], "status": "open", "sort": "-created"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert ListSettings.objects.get(user=org.anna).columns == ["number", "subject", "updated"]
    html = client.get("/").content.decode()
    assert 'class="col-updated"' in html
    assert 'class="col-assignee"' not in html


def test_sidebar_counts_open_appeals_per_queue(client: Client, org: Org) -> None:
    for _ in range(3):
        org.appeal()
    org.appeal(queue=org.support)
    closed = org.appeal()
    services.close(org.sergey, closed, Outcome.SATISFIED)
    html = logged_in(client, org.dina).get(reverse("appeals:inbox_sidebar")).content.decode()
    counts = dict(re.findall(r'<span class="me-auto">([^<]+)</span>\s*<span class="badge[^"]*">(\d+)</span>', html))
    assert counts[org.claims.name] == "3"
    assert counts[org.support.name] == "1"
    assert 'data-shortcut="unassigned"' in html


def test_sidebar_my_and_overdue(client: Client, org: Org) -> None:
    org.appeal(assignee=org.anna)
    late = org.appeal()
    Appeal.objects.filter(pk=late.pk).update(due_at="2020-01-01T00:00:00Z")
    html = logged_in(client, org.anna).get(reverse("appeals:inbox_sidebar")).content.decode()
    badge = r'data-shortcut="{}".*?<span class="badge[^"]*">(\d+)</span>'
    assert re.search(badge.format("mine"), html, re.S).group(1) == "1"
    assert re.search(badge.format("overdue"), html, re.S).group(1) == "1"
    table = client.get("/?overdue=1&sort=-created").content.decode()
    assert numbers_in(table) == {late.number}
    assert "okno-overdue" in table


def _table_queries(client: Client, rows: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{reverse('appeals:inbox_table')}?status=open&sort=-created&page_size={rows}")
    assert response.status_code == 200
    assert len(numbers_in(response.content.decode())) == rows
    return len(ctx.captured_queries)


def test_table_queries_do_not_grow_with_the_page(client: Client, org: Org) -> None:
    for i in range(50):
        appeal = org.appeal(subject=f"Обращение {i}", assignee=org.anna if i % 2 else None, category=org.card_fees)
        if i % 3 == 0:
            services.update_fields(org.anna, appeal, {"tags": ["срочно", f"метка {i}"]})
    logged_in(client, org.anna)
    assert _table_queries(client, 10) == _table_queries(client, 50)


def test_bulk_assign_reports_each_failure(client: Client, org: Org) -> None:
    ours = [org.appeal(), org.appeal()]
    closed = org.appeal()
    services.close(org.anna, closed, Outcome.EXPLAINED)
    foreign = org.appeal(actor=org.boris, queue=org.support)
    logged_in(client, org.anna)
    response = client.post(
        reverse("appeals:bulk"),
        {
            "ids": [a.pk for a in [*ours, closed, foreign]],
            "action": "assign",
            "assignee": "me",
            "next": "status=open&sort=-created",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2" in html and closed.number in html
    assert f"#{foreign.pk}" in html  # never named: Anna cannot see it
    assert {a.assignee_id for a in Appeal.objects.filter(pk__in=[a.pk for a in ours])} == {org.anna.pk}
    assert Appeal.objects.get(pk=foreign.pk).assignee_id is None


def test_bulk_close_needs_an_outcome_then_closes(client: Client, org: Org) -> None:
    appeals = [org.appeal(), org.appeal()]
    logged_in(client, org.anna)
    ids = [a.pk for a in appeals]
    response = client.post(reverse("appeals:bulk"), {"ids": ids, "action": "close"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert Appeal.objects.filter(pk__in=ids, status=Status.CLOSED).count() == 0
    response = client.post(reverse("appeals:bulk"), {"ids": ids, "action": "close", "outcome": "explained"})
    assert response.status_code == 302
    assert Appeal.objects.filter(pk__in=ids, status=Status.CLOSED).count() == 2


def test_compliance_sees_the_inbox_without_bulk_tools(client: Client, org: Org) -> None:
    appeal = org.appeal()
    html = logged_in(client, org.kira).get("/").content.decode()
    assert appeal.number in numbers_in(html)
    assert "js-row-select" not in html
    response = client.post(reverse("appeals:bulk"), {"ids": [appeal.pk], "action": "assign", "assignee": "me"})
    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).assignee_id is None


def test_pagination_links_keep_the_filters(client: Client, org: Org) -> None:
    for _ in range(3):
        org.appeal()
    html = logged_in(client, org.anna).get("/?status=open&sort=-created&page_size=2").content.decode()
    assert "page=2" in html
    page2 = client.get("/?status=open&sort=-created&page_size=2&page=2").content.decode()
    assert len(numbers_in(page2)) == 1
    # The live refresh stays on the page shown.
    assert "/inbox/table/?status=open&amp;sort=-created&amp;page_size=2&amp;page=2" in page2
    empty = client.get("/?status=open&sort=-created&page_size=2&page=9").content.decode()
    assert numbers_in(empty) == set()


def test_expired_session_sends_htmx_to_the_login_page(client: Client, db: None) -> None:
    response = client.get(
        reverse("appeals:inbox_table"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/?status=open"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/%3Fstatus%3Dopen"


def test_a_huge_list_says_more_than_instead_of_counting(client, org, monkeypatch):
    from okno.appeals.views import inbox as inbox_views

    monkeypatch.setattr(inbox_views, "INBOX_COUNT_CAP", 3)
    for _ in range(30):
        org.appeal()
    client.force_login(org.anna)
    client.cookies["okno_language"] = "en"
    query = {"status": "open", "page_size": 25, "sort": "-priority"}
    first = client.get("/", query).content.decode()
    assert "more than 25 appeals" in first
    assert first.count("js-row-select") == 25
    last = client.get("/", {**query, "page": 2}).content.decode()
    assert "30 appeals" in last and "more than" not in last  # the end reached: now it is known
