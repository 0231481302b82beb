"""Notification pages: the bell in the layout (count and latest), the full list,
and the preferences table. Views only call ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okno.accounts.models import User
from okno.appeals.access import visibility
from okno.core.auth import login_required
from okno.core.errors import InvalidInput
from okno.notifications import services
from okno.notifications.choices import NotificationKind
from okno.notifications.mailer import email_enabled
from okno.notifications.render import Rendered
from okno.notifications.render import render as render_one

MENU_SIZE = 10
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _rendered(user: User, *, unread_only: bool = False, limit: int, before: int | None = None) -> list[Rendered]:
    vis = visibility(user)
    return [render_one(n, vis) for n in services.list_for(user, unread_only=unread_only, limit=limit, before=before)]


def _bell(request: HttpRequest) -> HttpResponse:
    response = render(request, "notifications/_bell.html", {"unread": services.unread_count(_user(request))})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell button with the unread count (re-fetched on a live update)."""
    return _bell(request)


@login_required
@require_GET
def menu(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown: the latest notifications, loaded when it opens."""
    user = _user(request)
    response = render(request, "notifications/_menu.html", {"items": _rendered(user, limit=MENU_SIZE)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = request.GET.get("unread") == "1"
    before_raw = request.GET.get("before", "")
    before = int(before_raw) if before_raw.isdecimal() and len(before_raw) < 19 else None
    try:
        items = _rendered(user, unread_only=unread_only, limit=PAGE_SIZE + 1, before=before)
    except InvalidInput:
        return redirect(f"{request.path}?unread=1" if unread_only else request.path)
    context = {
        "nav_section": "notifications",
        "items": items[:PAGE_SIZE],
        "older": items[PAGE_SIZE - 1].id if len(items) > PAGE_SIZE else None,
        "paged": before is not None,
        "unread_only": unread_only,
        "unread": services.unread_count(user),
    }
    response = render(request, "notifications/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponseBase:
    """Follow a notification: it is read now; go to its appeal."""
    notification = services.open_notification(_user(request), notification_id)
    if notification is None:
        raise Http404(_("Notification not found."))
    shown = render_one(notification, visibility(_user(request)))
    return redirect(shown.url or "notifications:list")


def _back(request: HttpRequest) -> HttpResponseBase:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponseBase:
    services.mark_read(_user(request), [notification_id])
    return _back(request)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponseBase:
    services.mark_all_read(_user(request))
    if getattr(request, "htmx", None):
        return _bell(request)
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponseBase:
    """A table of kinds × (in the app, by e-mail)."""
    user = _user(request)
    if request.method == "POST":
        services.set_preferences(
            user,
            {
                kind: (request.POST.get(f"{kind}:in_app") == "on", request.POST.get(f"{kind}:by_email") == "on")
                for kind in NotificationKind.values
            },
        )
        messages.success(request, _("Notification settings saved."))
        return redirect("notifications:settings")
    chosen = services.preferences(user)
    rows = [
        {"kind": kind, "label": label, "in_app": chosen[kind][0], "by_email": chosen[kind][1]}
        for kind, label in NotificationKind.choices
    ]
    context = {
        "nav_section": "notifications",
        "rows": rows,
        "has_email": bool(user.email),
        "email_enabled": email_enabled(),
    }
    return render(request, "notifications/settings.html", context)
