"""Pieces every app's ``api.py`` shares: bounded input types (so garbage is a 4xx,
never a database overflow), small reference schemas, and helpers that turn ids
from a request into objects."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from okno.core import refcache
from okno.core.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from okno.accounts.models import User

# Primary keys are 64-bit in the database; a larger number is not an id, and
# passing it on would overflow the driver instead of failing validation.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Field(ge=1, le=1_000_000_000)]

# Dates far outside any appeal's life cannot be converted to UTC at the edges of
# the calendar (year 1, year 9999): refuse them as input instead.
MIN_YEAR, MAX_YEAR = 1900, 2999


def _sane_datetime(value: datetime) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    # A time without an offset is read in the installation's time zone, as in the UI.
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _sane_date(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


ApiDateTime = Annotated[datetime, AfterValidator(_sane_datetime)]
ApiDate = Annotated[date, AfterValidator(_sane_date)]
# A day ("2026-03-01", the whole day) or a moment ("2026-03-01T10:00:00+03:00").
DayOrMoment = ApiDate | ApiDateTime

ShortText = Annotated[str, StringConstraints(max_length=500)]
Text = Annotated[str, StringConstraints(max_length=1_000_000)]
Comment = Annotated[str, StringConstraints(max_length=10_000)]


class InputSchema(Schema):
    """Request bodies reject unknown fields: a misspelt field in a PATCH must not
    be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: Any
    field: str | None = None


class Ref(Schema):
    """A reference object as lists show it: id and name in the interface language."""

    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(getattr(obj, "display_name", None) or obj)


class UserRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.display_name


def current_user(request: HttpRequest) -> User:
    """The user the API authenticated (token or session)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def load[M: models.Model](source: type[M] | models.QuerySet[M], pk: int | None, field: str) -> M | None:
    """The object ``pk`` names in a request body, or a 400 naming the field.

    ``None`` stays ``None`` (an optional reference left empty). ``source`` is a model
    or a queryset (to load what the response will show in the same query)."""
    if pk is None:
        return None
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise InvalidInput(_("Field “%(field)s”: nothing with id %(id)s.") % {"field": field, "id": pk}, field=field)
    return found


def load_reference[M: models.Model](model: type[M], pk: int | None, field: str) -> M | None:
    """``load`` for reference rows (queues, products …) a registration names: looked
    up through the short per-process cache (``okno.core.refcache``)."""
    if pk is None:
        return None
    found = refcache.get(model, pk=pk)
    if found is None:
        raise InvalidInput(_("Field “%(field)s”: nothing with id %(id)s.") % {"field": field, "id": pk}, field=field)
    return found


def get_or_404[M: models.Model](queryset: models.QuerySet[M], message: str, **lookup: Any) -> M:
    found = queryset.filter(**lookup).first()
    if found is None:
        raise NotFound(message)
    return found


Code = Annotated[str, StringConstraints(min_length=1, max_length=80)]
RefName = Annotated[str, StringConstraints(max_length=200)]
Position = Annotated[int, Field(ge=0, le=32767)]


class NamedOut(Schema):
    """A reference row in full: both names and the one for the interface language."""

    id: int
    code: str
    name: str
    name_en: str
    display_name: str
    is_active: bool


def require_admin(request: HttpRequest) -> None:
    """A 403 for non-administrators before any lookup (reference data is theirs)."""
    from okno.accounts.services import require_admin as check

    check(current_user(request))


def patch_values(payload: Schema, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields a PATCH sent. An explicit null is kept only where it means
    "clear" (``nullable``); elsewhere it means "leave as is"."""
    return {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None or k in nullable}
