"""The product directory through the API."""

from __future__ import annotations

from okno.catalog.models import Product
from okno.testing_api import ApiClient


def test_staff_list_products_and_filter_by_group_and_state(org):
    group = Product.objects.create(code="cards", name="Карты")
    credit = Product.objects.create(code="credit", name="Кредитная карта", group=group, is_active=False)
    api = ApiClient(org.anna)
    assert {p["code"] for p in api.get("/products").json()} == {"cards", "credit", "debit"}
    assert [p["id"] for p in api.get("/products", {"group": group.pk}).json()] == [credit.pk]
    assert "credit" not in {p["code"] for p in api.get("/products", {"active": "true"}).json()}


def test_an_admin_adds_a_product_into_a_group_and_retires_it(org):
    admin = ApiClient(org.adam)
    group = admin.post("/products", {"code": "deposits", "name": "Вклады"}).json()
    created = admin.post("/products", {"code": "save-plus", "name": "Вклад «Плюс»", "group": group["id"]})
    assert created.status_code == 201
    assert created.json()["group_id"] == group["id"]
    retired = admin.patch(f"/products/{created.json()['id']}", {"is_active": False, "group": None})
    assert retired.json()["is_active"] is False and retired.json()["group_id"] is None


def test_products_refuse_duplicates_loops_and_unknown_groups(org):
    admin = ApiClient(org.adam)
    assert admin.post("/products", {"code": "debit", "name": "Дубль"}).json()["field"] == "code"
    assert admin.post("/products", {"code": "x", "name": "X", "group": 999999}).json()["field"] == "group"
    group = admin.post("/products", {"code": "g", "name": "Группа"}).json()
    admin.patch(f"/products/{org.debit_card.pk}", {"group": group["id"]})
    loop = admin.patch(f"/products/{group['id']}", {"group": org.debit_card.pk})
    assert loop.status_code == 400 and loop.json()["field"] == "group"
    assert admin.patch("/products/999999", {"name": "X"}).status_code == 404
