"""Creating and changing reference rows (kinds, categories, products, queues, tags):
administrators only, validated by the model itself, errors as ``InvalidInput``.

Each owning app's ``services`` wraps these with its own rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.core import refcache
from okno.core.errors import InvalidInput, NotFound

NAME_FIELDS = ("name", "name_en", "code")


def _tidy(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def check(obj: models.Model) -> None:
    """Run the model's own validation (lengths, slugs, uniqueness, ``clean``)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(" ".join(messages), field=None if field == "__all__" else field) from None


def apply[M: models.Model](obj: M, values: dict[str, Any], editable: tuple[str, ...]) -> M:
    unknown = set(values) - set(editable)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    for field, value in values.items():
        setattr(obj, field, _tidy(value) if field in NAME_FIELDS else value)
    check(obj)
    obj.save()
    refcache.forget(type(obj))
    return obj


def lock[M: models.Model](model: type[M], pk: int, message: str) -> M:
    found = model._default_manager.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(message)
    return found


@transaction.atomic
def create[M: models.Model](actor: User, model: type[M], values: dict[str, Any], editable: tuple[str, ...]) -> M:
    require_admin(actor)
    return apply(model(), values, editable)
