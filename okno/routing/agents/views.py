"""Pages of agents and assignment: the status switcher in the navbar, the
supervisor board (live), and the administrators' settings under
/settings/routing/agents/. Every change goes through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.appeals.choices import Channel
from okno.core.auth import login_required
from okno.core.errors import InvalidInput, NotFound, OknoError
from okno.queues.models import Queue
from okno.routing.agents.forms import AgentForm, ChannelLimitsForm, agent_initial
from okno.routing.agents.services import board as board_service
from okno.routing.agents.services import limits, queries, statuses
from okno.routing.agents.services.common import can_read_board
from okno.routing.choices import AssignmentMode
from okno.routing.models import QueueRouting


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _with_messages(request: HttpRequest, html: str, status: int = 200) -> HttpResponse:
    html += render_to_string("_messages_oob.html", {}, request=request)
    response = HttpResponse(html, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the status switcher -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_status(request: HttpRequest) -> HttpResponse:
    """The navbar's switcher: GET re-renders it (a supervisor changed the status),
    POST sets the status; both answer with the switcher."""
    status = 200
    if request.method == "POST":
        user = _user(request)
        try:
            statuses.set_status(user, user, request.POST.get("status", ""))
        except (OknoError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", None) or str(exc) or _("You may not do this."))
            status = 400
        if not _htmx(request):
            return redirect(request.headers.get("Referer") or "appeals:inbox")
    html = render_to_string("agents/_status_switch.html", {}, request=request)
    return _with_messages(request, html, status)


# --- the board -------------------------------------------------------------------------------------


def _board_fragment(request: HttpRequest, status: int = 200) -> HttpResponse:
    data = board_service.board(_user(request))
    html = render_to_string("agents/_board.html", {"board": data}, request=request)
    return _with_messages(request, html, status)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_read_board(user):
        raise PermissionDenied(_("Only supervisors, dispatchers and administrators see the board."))
    if request.GET.get("wall"):
        return _wall(request)
    if _htmx(request):
        return _board_fragment(request)
    context = {"board": board_service.board(user), "nav_section": "board", "is_admin": is_admin(user)}
    response = render(request, "agents/board.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def wall(request: HttpRequest) -> HttpResponse:
    """The board for a screen in the contact centre: large numbers, no navbar, dark
    unless ``?theme=light``; live like the board."""
    user = _user(request)
    if not can_read_board(user):
        raise PermissionDenied(_("Only supervisors, dispatchers and administrators see the board."))
    return _wall(request)


def _wall(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {"board": board_service.board(user), "dark": request.GET.get("theme") != "light"}
    if _htmx(request):
        response = HttpResponse(render_to_string("agents/_wall.html", context, request=request))
    else:
        response = render(request, "agents/wall.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def set_agent_status(request: HttpRequest, user_id: int) -> HttpResponse:
    """A supervisor changes an agent's status from the board."""
    status = 200
    try:
        profile = statuses.set_status(_user(request), user_id, request.POST.get("status", ""))
        messages.success(
            request,
            _("%(agent)s: %(status)s.") % {"agent": profile.user.display_name, "status": profile.get_status_display()},
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        status = 403
    except OknoError as exc:
        messages.error(request, exc.message)
        status = exc.status_code
    if not _htmx(request):
        return redirect("agents:board")
    return _board_fragment(request, status)


# --- settings (administrators) ---------------------------------------------------------------------


def _admin(request: HttpRequest) -> User:
    user = _user(request)
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators change how appeals are assigned."))
    return user


def _settings_context(request: HttpRequest, channel_form: ChannelLimitsForm | None = None) -> dict[str, object]:
    user = _user(request)
    modes = dict(QueueRouting.objects.values_list("queue_id", "mode"))
    queue_rows = [
        {"queue": q, "mode": modes.get(q.pk, AssignmentMode.MANUAL)} for q in Queue.objects.filter(is_active=True)
    ]
    if channel_form is None:
        channel_form = ChannelLimitsForm(initial={f"limit_{c}": n for c, n in limits.channel_limits().items()})
    from okno.catalog.models import Product

    products = {p.pk: str(p.display_name) for p in Product.objects.all()}
    queue_names = {q.pk: q.display_name for q in Queue.objects.all()}
    channel_labels = {code: str(label) for code, label in Channel.choices}
    agents = [
        {
            "info": info,
            "products": [products.get(pk, "") for pk in info.products],
            "queues": [queue_names.get(pk, "") for pk in info.queues],
            "channel_limits": [(channel_labels.get(c, c), n) for c, n in sorted(info.channel_limits.items())],
        }
        for info in queries.agents(user)
    ]
    return {
        "nav_section": "routing_agents",
        "queue_rows": queue_rows,
        "modes": AssignmentMode.choices,
        "channel_form": channel_form,
        "agents": agents,
    }


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "agents/settings.html", _settings_context(request))


@login_required
@require_POST
def queue_mode(request: HttpRequest, queue_id: int) -> HttpResponse:
    user = _admin(request)
    try:
        routing = limits.set_queue_mode(user, queue_id, request.POST.get("mode", ""))
        messages.success(
            request,
            _("Queue «%(queue)s»: %(mode)s.")
            % {"queue": routing.queue.display_name, "mode": routing.get_mode_display()},
        )
    except OknoError as exc:
        messages.error(request, exc.message)
    return redirect("agents_settings:index")


@login_required
@require_POST
def channel_limits(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    form = ChannelLimitsForm(request.POST)
    if form.is_valid():
        try:
            limits.set_channel_limits(user, form.limits())
        except InvalidInput as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The channels' limits are saved."))
            return redirect("agents_settings:index")
    return render(request, "agents/settings.html", _settings_context(request, form), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def agent_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _admin(request)
    try:
        info = queries.agent(user, user_id)
    except NotFound:
        from django.http import Http404

        raise Http404(_("No such user.")) from None
    status = 200
    if request.method == "POST":
        form = AgentForm(request.POST)
        if form.is_valid():
            try:
                limits.update_agent(user, user_id, form.changes())
            except InvalidInput as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("%(agent)s: limits and skills saved.") % {"agent": info.user.display_name})
                return redirect("agents_settings:index")
        status = 400
    else:
        form = AgentForm(initial=agent_initial(info))
    context = {
        "nav_section": "routing_agents",
        "form": form,
        "info": info,
        "history": statuses.history(user_id, 20),
    }
    return render(request, "agents/agent_form.html", context, status=status)
