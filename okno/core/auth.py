"""Signing-in checks for views that htmx also calls."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import resolve_url

View = Callable[..., HttpResponseBase]


def login_required(view: View) -> View:
    """Like Django's, but an htmx request whose session has expired gets the whole
    page sent to the login page (``HX-Redirect``) instead of a login form swapped
    into a table."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return view(request, *args, **kwargs)
        if request.headers.get("HX-Request") == "true":
            current = request.headers.get("HX-Current-URL", "")
            path = urlsplit(current).path if current else "/"
            query = urlsplit(current).query if current else ""
            target = redirect_to_login(f"{path}?{query}" if query else path, resolve_url(settings.LOGIN_URL))
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target["Location"]
            return response
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))

    return wrapper
