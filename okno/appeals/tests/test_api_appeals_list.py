"""GET /api/v1/appeals: the inbox's filters, sorts and paging, over the same queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from okno.appeals import services
from okno.appeals.choices import Channel, Outcome, Priority, Status
from okno.appeals.models import Appeal
from okno.appeals.queries import SORTS
from okno.clients.services import create_client
from okno.testing_api import ApiClient


def numbers(api: ApiClient, **params) -> list[str]:
    response = api.get("/appeals", params)
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


@pytest.fixture
def api(org) -> ApiClient:
    return ApiClient(org.dina)  # a dispatcher sees every appeal


def test_a_list_item_carries_what_the_inbox_shows(org, api):
    appeal = org.appeal(category=org.card_fees, product=org.debit_card, tags=["vip"], assignee=org.anna)
    [item] = api.get("/appeals").json()["items"]
    assert item["id"] == appeal.pk and item["number"] == appeal.number
    assert item["status"] == "new" and item["priority"] == "normal" and item["channel"] == "phone"
    assert item["kind"]["code"] == "complaint"
    assert item["queue"] == {"id": org.claims.pk, "name": org.claims.display_name}
    assert item["assignee"]["username"] == "anna"
    assert item["client"]["id"] == org.ivan.pk
    assert item["category"]["full_name"].endswith(org.card_fees.display_name)
    assert item["product"]["id"] == org.debit_card.pk
    assert item["tags"] == ["vip"]
    assert item["due_at"] and item["is_overdue"] is False
    assert "description" not in item  # lists do not load it


def test_the_page_tells_count_page_and_pages(org, api):
    for _ in range(5):
        org.appeal()
    body = api.get("/appeals", {"page_size": 2, "page": 3}).json()
    assert (body["count"], body["page"], body["pages"], body["page_size"]) == (5, 3, 3, 2)
    assert len(body["items"]) == 1
    assert api.get("/appeals", {"page_size": 2, "page": 9}).json()["items"] == []


@pytest.mark.parametrize("params", [{"page_size": 0}, {"page_size": 201}, {"page": 0}, {"page": -1}])
def test_page_bounds_are_enforced(org, api, params):
    assert api.get("/appeals", params).status_code == 422


def test_the_number_of_queries_does_not_grow_with_the_page(org, api):
    for i in range(50):
        org.appeal(tags=[f"t{i % 3}"], assignee=org.anna if i % 2 else None, category=org.card_fees)

    api.get("/me")  # the token's first use writes last_used_at; not part of the list

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert len(api.get("/appeals", {"page_size": size}).json()["items"]) == size
        return len(ctx.captured_queries)

    assert count(5) == count(50)


def test_status_filters_are_repeatable_and_open_means_still_in_progress(org, api):
    new = org.appeal()
    waiting = services.change_status(org.anna, org.appeal(), Status.WAITING_CLIENT)
    closed = services.close(org.anna, org.appeal(), Outcome.SATISFIED)
    assert set(numbers(api, status="open")) == {new.number, waiting.number}
    assert set(numbers(api, status=["new", "closed"])) == {new.number, closed.number}
    assert api.get("/appeals", {"status": "lost"}).status_code == 422


def test_queue_filter_takes_ids_and_none(org, api):
    claims = org.appeal()
    support = org.appeal(queue=org.support)
    nowhere = org.appeal(queue=None)
    assert numbers(api, queue=org.support.pk) == [support.number]
    assert set(numbers(api, queue=[org.claims.pk, "none"])) == {claims.number, nowhere.number}
    assert api.get("/appeals", {"queue": "claims"}).status_code == 422


def test_assignee_filter_takes_me_none_and_ids(org):
    api = ApiClient(org.anna)
    mine = org.appeal(assignee=org.anna)
    sergeys = org.appeal(assignee=org.sergey)
    nobodys = org.appeal()
    assert numbers(api, assignee="me") == [mine.number]
    assert numbers(api, assignee="none") == [nobodys.number]
    assert set(numbers(api, assignee=["me", str(org.sergey.pk)])) == {mine.number, sergeys.number}
    assert api.get("/appeals", {"assignee": "someone"}).status_code == 422


def test_channel_priority_and_kind_filters(org, api):
    mail = org.appeal(channel=Channel.MAIL, priority=Priority.HIGH)
    request = org.appeal(kind=org.request)
    assert numbers(api, channel="mail") == [mail.number]
    assert numbers(api, priority="high") == [mail.number]
    assert numbers(api, kind="request") == [request.number]
    assert numbers(api, kind=str(org.request.pk)) == [request.number]
    assert api.get("/appeals", {"channel": "pigeon"}).status_code == 422
    assert api.get("/appeals", {"priority": "urgent!"}).status_code == 422
    assert api.get("/appeals", {"kind": "no-such-kind"}).status_code == 400


def test_category_filter_includes_subcategories(org, api):
    top = org.appeal(category=org.cards)
    sub = org.appeal(category=org.card_fees)
    org.appeal()
    assert set(numbers(api, category=org.cards.pk)) == {top.number, sub.number}
    assert numbers(api, category=org.card_fees.pk) == [sub.number]


def test_product_client_and_tag_filters(org, api):
    other = create_client(None, name="Петров Пётр")
    with_product = org.appeal(product=org.debit_card)
    petrov = org.appeal(client=other)
    tagged = org.appeal(tags=["срочно"])
    assert numbers(api, product=org.debit_card.pk) == [with_product.number]
    assert numbers(api, client=other.pk) == [petrov.number]
    assert numbers(api, tag="срочно") == [tagged.number]
    assert numbers(api, tag="nothing") == []


def test_overdue_filter(org, api):
    late = org.appeal(created_at=timezone.now() - timedelta(days=40))
    org.appeal()
    assert numbers(api, overdue="true") == [late.number]


def test_created_and_updated_ranges_take_days_and_moments(org, api):
    now = timezone.now()
    old = org.appeal(created_at=now - timedelta(days=10))
    recent = org.appeal()
    day = timezone.localdate(now - timedelta(days=10)).isoformat()  # days are local, as in the inbox
    assert numbers(api, created_to=day) == [old.number]
    assert numbers(api, created_from=(now - timedelta(days=1)).isoformat()) == [recent.number]
    assert set(numbers(api, updated_from=(now - timedelta(minutes=5)).isoformat())) == {old.number, recent.number}
    assert numbers(api, updated_to=timezone.localdate(now - timedelta(days=1)).isoformat()) == []
    for bad in ("yesterday", "2026-02-30", "0001-01-01", "31.12.2025"):
        assert api.get("/appeals", {"created_from": bad}).status_code == 422, bad


def test_text_finds_by_number_and_words(org, api):
    appeal = org.appeal(subject="Не работает мобильный банк")
    org.appeal(subject="Другое")
    assert numbers(api, text=appeal.number) == [appeal.number]
    assert numbers(api, text="мобильного банка") == [appeal.number]
    assert api.get("/appeals", {"text": "x" * 201}).status_code == 422


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_the_inbox_offers_works(org, api, sort):
    org.appeal(priority=Priority.LOW)
    org.appeal(priority=Priority.CRITICAL)
    body = api.get("/appeals", {"sort": sort}).json()
    assert body["count"] == 2


def test_sorting_changes_the_order_and_unknown_sorts_are_refused(org, api):
    first, second = org.appeal(), org.appeal()
    assert numbers(api, sort="number") == [first.number, second.number]
    assert numbers(api, sort="-number") == [second.number, first.number]
    assert api.get("/appeals", {"sort": "subject"}).status_code == 422


def test_an_agent_lists_only_what_access_lets_them_see(org):
    claims = org.appeal()
    org.appeal(queue=org.support)
    mine_elsewhere = org.appeal(org.dina, queue=org.support, assignee=org.anna)
    assert set(numbers(ApiClient(org.anna))) == {claims.number, mine_elsewhere.number}
    assert Appeal.objects.count() == 3


def test_one_appeal_by_id_and_by_number(org, api):
    appeal = org.appeal(description="Подробности")
    by_id = api.get(f"/appeals/{appeal.pk}")
    by_number = api.get(f"/appeals/by-number/{appeal.number}")
    assert by_id.status_code == by_number.status_code == 200
    assert by_id.json() == by_number.json()
    assert by_id.json()["description"] == "Подробности"
    assert api.get("/appeals/by-number/2026-999999").status_code == 404
    assert api.get("/appeals/by-number/not a number!").status_code == 404
    assert api.get("/appeals/999999").status_code == 404
