"""Reference data of appeals an administrator edits: kinds, the category tree, tags.

Rows are never deleted here (appeals point at them); ``is_active=False`` retires one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.appeals.models import Category, Kind, Tag
from okno.core import reference
from okno.core.errors import InvalidInput

KIND_FIELDS = ("code", "name", "name_en", "requires_reply_approval", "is_active", "position")
CATEGORY_FIELDS = ("code", "name", "name_en", "parent", "is_active", "position")


def create_kind(actor: User, values: dict[str, Any]) -> Kind:
    return reference.create(actor, Kind, values, KIND_FIELDS)


@transaction.atomic
def update_kind(actor: User, kind: Kind | int, changes: dict[str, Any]) -> Kind:
    require_admin(actor)
    locked = reference.lock(Kind, kind.pk if isinstance(kind, Kind) else kind, _("Kind not found."))
    return reference.apply(locked, changes, KIND_FIELDS)


def _check_tree(category: Category, parent: Category | None) -> None:
    """Two levels only: a subcategory's parent is a top category, and a category
    with subcategories stays on top."""
    if parent is None:
        return
    if category.pk is not None and parent.pk == category.pk:
        raise InvalidInput(_("A category cannot be its own parent."), field="parent")
    if parent.parent_id is not None:
        raise InvalidInput(_("Subcategories cannot have subcategories of their own."), field="parent")
    if category.pk is not None and Category.objects.filter(parent_id=category.pk).exists():
        raise InvalidInput(_("A category with subcategories cannot become a subcategory."), field="parent")


@transaction.atomic
def create_category(actor: User, values: dict[str, Any]) -> Category:
    require_admin(actor)
    category = Category()
    _check_tree(category, values.get("parent"))
    return reference.apply(category, values, CATEGORY_FIELDS)


@transaction.atomic
def update_category(actor: User, category: Category | int, changes: dict[str, Any]) -> Category:
    require_admin(actor)
    pk = category.pk if isinstance(category, Category) else category
    locked = reference.lock(Category, pk, _("Category not found."))
    if "parent" in changes:
        _check_tree(locked, changes["parent"])
    return reference.apply(locked, changes, CATEGORY_FIELDS)


def _tag_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("The tag must not be empty."), field="name")
    if len(name) > 60:
        raise InvalidInput(_("A tag is at most 60 characters."), field="name")
    return name


@transaction.atomic
def create_tag(actor: User, name: str) -> Tag:
    require_admin(actor)
    name = _tag_name(name)
    if Tag.objects.filter(name=name).exists():
        raise InvalidInput(_("This tag already exists."), field="name")
    return Tag.objects.create(name=name)


@transaction.atomic
def rename_tag(actor: User, tag: Tag | int, name: str) -> Tag:
    """Rename a tag everywhere it is used (appeals keep it; their events keep the old name)."""
    require_admin(actor)
    locked = reference.lock(Tag, tag.pk if isinstance(tag, Tag) else tag, _("Tag not found."))
    name = _tag_name(name)
    if Tag.objects.filter(name=name).exclude(pk=locked.pk).exists():
        raise InvalidInput(_("This tag already exists."), field="name")
    locked.name = name
    locked.save(update_fields=["name"])
    return locked
