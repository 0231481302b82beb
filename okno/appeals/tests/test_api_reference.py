"""Kinds, the category tree and tags: everyone reads, administrators change."""

from __future__ import annotations

import pytest

from okno.appeals.models import Category, Kind, Tag
from okno.testing_api import ApiClient


@pytest.fixture
def admin(org) -> ApiClient:
    return ApiClient(org.adam)


def test_staff_read_kinds_and_may_ask_for_active_ones_only(org):
    api = ApiClient(org.anna)
    codes = [k["code"] for k in api.get("/kinds").json()]
    assert {"complaint", "request"} <= set(codes)
    org.request.is_active = False
    org.request.save()
    assert "request" not in [k["code"] for k in api.get("/kinds", {"active": "true"}).json()]
    assert "request" in [k["code"] for k in api.get("/kinds", {"active": "false"}).json()]


def test_an_admin_adds_and_changes_a_kind(org, admin):
    created = admin.post("/kinds", {"code": "warranty", "name": "Гарантия", "name_en": "Warranty claim"})
    assert created.status_code == 201, created.content
    assert created.json()["display_name"] in {"Гарантия", "Warranty claim"}
    changed = admin.patch(f"/kinds/{created.json()['id']}", {"requires_reply_approval": True, "is_active": False})
    assert changed.status_code == 200
    kind = Kind.objects.get(code="warranty")
    assert kind.requires_reply_approval and not kind.is_active and kind.name == "Гарантия"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"code": "complaint", "name": "Дубль"}, 400, "code"),
        ({"code": "not a slug!", "name": "X"}, 400, "code"),
        ({"code": "x", "name": ""}, 400, "name"),
        ({"code": "x", "name": "X", "position": 40000}, 422, None),
        ({"code": "x", "name": "X", "colour": "red"}, 422, None),
    ],
)
def test_bad_kinds_are_refused(org, admin, payload, status, field):
    response = admin.post("/kinds", payload)
    assert response.status_code == status, response.content
    if field:
        assert response.json()["field"] == field


@pytest.mark.parametrize("persona", ["anna", "sergey", "dina", "kira"])
def test_only_administrators_change_reference_data(org, persona):
    api = ApiClient(getattr(org, persona))
    assert api.post("/kinds", {"code": "x", "name": "X"}).status_code == 403
    assert api.patch(f"/kinds/{org.complaint.pk}", {"name": "Y"}).status_code == 403
    assert api.post("/categories", {"code": "x", "name": "X", "parent": org.cards.pk}).status_code == 403
    assert api.patch(f"/categories/{org.cards.pk}", {"name": "Y"}).status_code == 403
    assert api.post("/tags", {"name": "x"}).status_code == 403
    assert api.post("/products", {"code": "x", "name": "X"}).status_code == 403
    assert api.patch(f"/products/{org.debit_card.pk}", {"name": "Y"}).status_code == 403
    assert api.post("/queues", {"code": "x", "name": "X"}).status_code == 403
    assert api.patch(f"/queues/{org.claims.pk}", {"name": "Y"}).status_code == 403
    assert not Kind.objects.filter(code="x").exists()


def test_a_superuser_counts_as_an_administrator(org):
    org.anna.is_superuser = True
    org.anna.save()
    assert ApiClient(org.anna).post("/tags", {"name": "суперпользователь"}).status_code == 201


def test_categories_come_as_a_tree(org):
    tree = ApiClient(org.anna).get("/categories").json()
    assert [c["code"] for c in tree] == ["cards"]
    assert [c["code"] for c in tree[0]["children"]] == ["card-fees"]


def test_an_admin_grows_the_tree_two_levels_deep_only(org, admin):
    sub = admin.post("/categories", {"code": "card-limits", "name": "Лимиты", "parent": org.cards.pk})
    assert sub.status_code == 201 and sub.json()["parent_id"] == org.cards.pk
    deeper = admin.post("/categories", {"code": "deeper", "name": "Глубже", "parent": org.card_fees.pk})
    assert deeper.status_code == 400 and deeper.json()["field"] == "parent"
    top = admin.post("/categories", {"code": "loans", "name": "Кредиты"}).json()
    moving_a_parent = admin.patch(f"/categories/{org.cards.pk}", {"parent": top["id"]})
    assert moving_a_parent.status_code == 400
    assert admin.patch(f"/categories/{top['id']}", {"parent": top["id"]}).status_code == 400
    assert admin.patch(f"/categories/{org.card_fees.pk}", {"parent": None}).json()["parent_id"] is None
    assert admin.patch("/categories/999999", {"name": "X"}).status_code == 404
    assert Category.objects.filter(code="card-limits", parent=org.cards).exists()


def test_tags_are_listed_added_and_renamed(org, admin):
    org.appeal(tags=["старое"])
    assert [t["name"] for t in ApiClient(org.anna).get("/tags").json()] == ["старое"]
    created = admin.post("/tags", {"name": "  новый   тег "})
    assert created.status_code == 201 and created.json()["name"] == "новый тег"
    assert admin.post("/tags", {"name": "новый тег"}).status_code == 400
    assert admin.post("/tags", {"name": " "}).status_code == 400
    old = Tag.objects.get(name="старое")
    assert admin.patch(f"/tags/{old.pk}", {"name": "переименованный"}).json()["name"] == "переименованный"
    assert admin.patch(f"/tags/{old.pk}", {"name": "новый тег"}).status_code == 400
    assert admin.patch("/tags/999999", {"name": "x"}).status_code == 404
