"""What the appeal views share: finding the appeal, turning service errors into
messages, answering htmx and plain requests alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import queries
from okno.appeals.models import Appeal
from okno.core.errors import NotFound, OknoError


def current_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def get_appeal(request: HttpRequest, number: str) -> Appeal:
    """The appeal if this user may see it; otherwise a 404 (never a 403 that
    would confirm it exists)."""
    try:
        return queries.get_visible(current_user(request), number=number.strip())
    except NotFound:
        raise Http404(_("Appeal not found.")) from None


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """The same URL answers with a page or a fragment: caches must keep them apart."""
    patch_vary_headers(response, ["HX-Request"])
    return response


def run_service(request: HttpRequest, call: Callable[[], Any], success: str = "") -> tuple[Any, int]:
    """Call a service, turning its refusals into a flash message and a status code:
    400 bad input, 403 not allowed, 409 does not fit the appeal's state."""
    try:
        result = call()
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return None, 403
    except NotFound as exc:
        # The appeal itself was checked before; this is about another one the
        # person named (merge, link), so it is their input that is wrong.
        messages.error(request, exc.message)
        return None, 400
    except OknoError as exc:
        messages.error(request, exc.message)
        return None, exc.status_code
    if success:
        messages.success(request, success)
    return result, 200


def messages_oob(request: HttpRequest) -> str:
    return render_to_string("_messages_oob.html", {}, request=request)
