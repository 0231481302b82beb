"""Signing in and out, and the profile page (language, personal API tokens)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from okno.accounts import services
from okno.accounts.forms import LanguageForm, TokenForm
from okno.accounts.models import User
from okno.core.auth import login_required
from okno.core.errors import NotFound, OknoError


class LoginView(auth_views.LoginView):
    """Django's login with our page; the user's chosen language follows them."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.get_user()
        if user.language:
            _set_language_cookie(response, user.language)
        return response


class LogoutView(auth_views.LogoutView):
    pass


def _set_language_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


def _profile(
    request: HttpRequest, *, token_form: TokenForm | None = None, new_token: str = "", status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "nav_section": "profile",
        "queues": user.queues.order_by("position", "name"),
        "tokens": user.api_tokens.order_by("-created_at", "-id"),
        "language_form": LanguageForm(initial={"language": user.language}),
        "token_form": token_form or TokenForm(),
        "new_token": new_token,
        "now": timezone.now(),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _profile(request)


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponseBase:
    """Switch the interface language and remember it on the account."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown language."))
        return redirect("accounts:profile")
    code = form.cleaned_data["language"]
    services.set_language(request.user, code)  # type: ignore[arg-type]
    if code:
        return set_language(request)
    response = redirect(request.POST.get("next") or "accounts:profile")
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    return response


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue a token and show it once, on this response only (never stored or redirected)."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, token_form=form, status=400)
    expires_on = form.cleaned_data["expires_on"]
    expires_at = timezone.make_aware(datetime.combine(expires_on, time.max)) if expires_on else None
    try:
        _token, raw = services.issue_token(request.user, form.cleaned_data["name"], expires_at=expires_at)  # type: ignore[arg-type]
    except OknoError as exc:
        form.add_error(None, exc.message)
        return _profile(request, token_form=form, status=400)
    response = _profile(request, new_token=raw)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponseBase:
    try:
        token = services.revoke_token(request.user, token_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:profile")
