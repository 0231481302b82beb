"""The administrators' page of background work: what is queued, running, failed
and recently done, and each periodic job's last and next run."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okno.accounts.models import User
from okno.background import queries, services
from okno.core.auth import login_required
from okno.core.errors import NotFound, OknoError

LIST_LIMIT = 50
RECENT_LIMIT = 20
REGION = "bg-tasks"


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    services.require_admin(user)
    return user


def _context() -> dict[str, object]:
    return {
        "nav_section": "system",
        "counts": queries.counts(),
        "queued": queries.records("READY", LIST_LIMIT),
        "running": queries.records("RUNNING", LIST_LIMIT),
        "failed": queries.records("FAILED", LIST_LIMIT),
        "successful": queries.records("SUCCESSFUL", RECENT_LIMIT),
        "jobs": queries.periodic_status(),
        "list_limit": LIST_LIMIT,
    }


def _region(request: HttpRequest) -> HttpResponse:
    """The refreshed region plus the flash messages, for htmx."""
    html = render_to_string("background/_tasks.html", _context(), request=request)
    html += render_to_string("_messages_oob.html", {}, request=request)
    return HttpResponse(html)


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == REGION and not htmx.history_restore_request:
        response = _region(request)
    else:
        response = render(request, "background/tasks.html", _context())
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def task_retry(request: HttpRequest, record_id: str) -> HttpResponse:
    user = _admin(request)
    status = 200
    try:
        services.retry_task(user, record_id)
    except NotFound:
        raise Http404(_("Task not found.")) from None
    except PermissionDenied:
        raise
    except OknoError as exc:
        messages.error(request, exc.message)
        status = exc.status_code
    else:
        messages.success(request, _("The task is queued again."))
    if getattr(request, "htmx", None):
        response = _region(request)
        response.status_code = status
        return response
    return redirect("background:tasks")
