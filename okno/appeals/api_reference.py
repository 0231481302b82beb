"""API: the reference data of appeals (kinds, categories, tags). Everyone reads;
administrators create and change (``okno.appeals.services.reference``)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import StringConstraints

from okno.appeals.models import Category, Kind, Tag
from okno.appeals.services import reference
from okno.core.apitools import (
    Code,
    Id,
    InputSchema,
    NamedOut,
    Position,
    RefName,
    current_user,
    load,
    patch_values,
    require_admin,
)

router = Router(tags=["reference data"])


class KindOut(NamedOut):
    requires_reply_approval: bool
    position: int


class KindIn(InputSchema):
    code: Code
    name: RefName
    name_en: RefName = ""
    requires_reply_approval: bool = False
    is_active: bool = True
    position: Position = 0


class KindPatchIn(InputSchema):
    code: Code | None = None
    name: RefName | None = None
    name_en: RefName | None = None
    requires_reply_approval: bool | None = None
    is_active: bool | None = None
    position: Position | None = None


class SubcategoryOut(NamedOut):
    parent_id: int | None
    position: int


class CategoryOut(SubcategoryOut):
    children: list[SubcategoryOut]


class CategoryIn(InputSchema):
    code: Code
    name: RefName
    name_en: RefName = ""
    parent: Id | None = None
    is_active: bool = True
    position: Position = 0


class CategoryPatchIn(InputSchema):
    code: Code | None = None
    name: RefName | None = None
    name_en: RefName | None = None
    parent: Id | None = None
    is_active: bool | None = None
    position: Position | None = None


class ActiveQuery(Schema):
    active: bool | None = None


class TagOut(Schema):
    id: int
    name: str


class TagIn(InputSchema):
    name: Annotated[str, StringConstraints(max_length=200)]


@router.get("/kinds", response=list[KindOut], summary="Kinds of appeal")
def list_kinds(request: HttpRequest, q: Query[ActiveQuery]) -> Any:
    qs = Kind.objects.all()
    return qs if q.active is None else qs.filter(is_active=q.active)


@router.post("/kinds", response={201: KindOut}, summary="Add a kind (administrators)")
def create_kind(request: HttpRequest, payload: KindIn) -> Status[Kind]:
    return Status(201, reference.create_kind(current_user(request), payload.model_dump()))


@router.patch("/kinds/{kind_id}", response=KindOut, summary="Change a kind (administrators)")
def update_kind(request: HttpRequest, kind_id: Id, payload: KindPatchIn) -> Kind:
    return reference.update_kind(current_user(request), kind_id, patch_values(payload))


@router.get("/categories", response=list[CategoryOut], summary="The category tree (top level with children)")
def list_categories(request: HttpRequest, q: Query[ActiveQuery]) -> Any:
    rows = list(Category.objects.all() if q.active is None else Category.objects.filter(is_active=q.active))
    children: dict[int, list[Category]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    tops = [row for row in rows if row.parent_id is None]
    return [{**_category(top), "children": [_category(c) for c in children.get(top.pk, [])]} for top in tops]


def _category(row: Category) -> dict[str, Any]:
    return {**SubcategoryOut.from_orm(row).model_dump(), "children": []}


@router.post("/categories", response={201: CategoryOut}, summary="Add a category (administrators)")
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[dict[str, Any]]:
    require_admin(request)
    user = current_user(request)
    values = payload.model_dump()
    values["parent"] = load(Category, payload.parent, "parent")
    return Status(201, _category(reference.create_category(user, values)))


@router.patch("/categories/{category_id}", response=CategoryOut, summary="Change a category (administrators)")
def update_category(request: HttpRequest, category_id: Id, payload: CategoryPatchIn) -> dict[str, Any]:
    require_admin(request)
    changes = patch_values(payload, nullable=("parent",))
    if "parent" in changes:
        changes["parent"] = load(Category, changes["parent"], "parent")
    category = reference.update_category(current_user(request), category_id, changes)
    result = _category(category)
    result["children"] = [_category(c) for c in Category.objects.filter(parent=category)]
    return result


@router.get("/tags", response=list[TagOut], summary="Tags")
def list_tags(request: HttpRequest) -> Any:
    return Tag.objects.all()


@router.post("/tags", response={201: TagOut}, summary="Add a tag (administrators)")
def create_tag(request: HttpRequest, payload: TagIn) -> Status[Tag]:
    return Status(201, reference.create_tag(current_user(request), payload.name))


@router.patch("/tags/{tag_id}", response=TagOut, summary="Rename a tag (administrators)")
def rename_tag(request: HttpRequest, tag_id: Id, payload: TagIn) -> Tag:
    return reference.rename_tag(current_user(request), tag_id, payload.name)
