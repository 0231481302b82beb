"""API: the product directory. Everyone reads; administrators create and change."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from okno.catalog import services
from okno.catalog.models import Product
from okno.core.apitools import (
    Code,
    Id,
    InputSchema,
    NamedOut,
    RefName,
    current_user,
    load,
    patch_values,
    require_admin,
)

router = Router(tags=["reference data"])


class ProductOut(NamedOut):
    group_id: int | None


class ProductIn(InputSchema):
    code: Code
    name: RefName
    name_en: RefName = ""
    group: Id | None = None
    is_active: bool = True


class ProductPatchIn(InputSchema):
    code: Code | None = None
    name: RefName | None = None
    name_en: RefName | None = None
    group: Id | None = None
    is_active: bool | None = None


class ProductQuery(Schema):
    active: bool | None = None
    group: Id | None = None


@router.get("/products", response=list[ProductOut], summary="Products and services")
def list_products(request: HttpRequest, q: Query[ProductQuery]) -> Any:
    qs = Product.objects.all()
    if q.active is not None:
        qs = qs.filter(is_active=q.active)
    if q.group is not None:
        qs = qs.filter(group_id=q.group)
    return qs


@router.post("/products", response={201: ProductOut}, summary="Add a product (administrators)")
def create_product(request: HttpRequest, payload: ProductIn) -> Status[Product]:
    require_admin(request)
    values = payload.model_dump()
    values["group"] = load(Product, payload.group, "group")
    return Status(201, services.create_product(current_user(request), values))


@router.patch("/products/{product_id}", response=ProductOut, summary="Change a product (administrators)")
def update_product(request: HttpRequest, product_id: Id, payload: ProductPatchIn) -> Product:
    require_admin(request)
    changes = patch_values(payload, nullable=("group",))
    if "group" in changes:
        changes["group"] = load(Product, changes["group"], "group")
    return services.update_product(current_user(request), product_id, changes)
