"""The product directory an administrator edits. Products are retired with
``is_active=False``, never deleted (appeals point at them)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.catalog.models import Product
from okno.core import reference
from okno.core.errors import InvalidInput

PRODUCT_FIELDS = ("code", "name", "name_en", "group", "is_active")


def _check_group(product: Product, group: Product | None) -> None:
    node = group
    depth = 0
    while node is not None:
        if product.pk is not None and node.pk == product.pk:
            raise InvalidInput(_("A product cannot be inside itself."), field="group")
        node = node.group
        depth += 1
        if depth > 10:
            raise InvalidInput(_("The product groups are nested too deep."), field="group")


@transaction.atomic
def create_product(actor: User, values: dict[str, Any]) -> Product:
    require_admin(actor)
    product = Product()
    _check_group(product, values.get("group"))
    return reference.apply(product, values, PRODUCT_FIELDS)


@transaction.atomic
def update_product(actor: User, product: Product | int, changes: dict[str, Any]) -> Product:
    require_admin(actor)
    pk = product.pk if isinstance(product, Product) else product
    locked = reference.lock(Product, pk, _("Product not found."))
    if "group" in changes:
        _check_group(locked, changes["group"])
    return reference.apply(locked, changes, PRODUCT_FIELDS)
