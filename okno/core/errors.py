"""Errors services raise. The UI shows their message; the API maps them to a 4xx
with that message in a JSON body (see ``okno.core.api``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

__all__ = ["Conflict", "InvalidInput", "NotFound", "OknoError", "PermissionDenied", "choice_of"]


class OknoError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(OknoError):
    """The request is well-formed but a value is not acceptable."""

    status_code = 400


class NotFound(OknoError):
    """Nothing there, or nothing this user may see (we do not say which)."""

    status_code = 404


class Conflict(OknoError):
    """The operation does not fit the current state (closing a closed appeal …)."""

    status_code = 409


def choice_of(value: Any, choices: type[models.TextChoices], field: str) -> str:
    """``value`` as one of ``choices``, or an ``InvalidInput`` naming the known ones."""
    try:
        return str(choices(value))
    except ValueError:
        raise InvalidInput(
            _("Unknown value “%(value)s”; known: %(known)s.") % {"value": value, "known": ", ".join(choices.values)},
            field=field,
        ) from None
