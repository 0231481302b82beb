"""The routing card on the appeal page (suggestions, rules that fired, re-run)
and the dispatcher's list of appeals waiting to be routed by a person."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okno.appeals import access, queries
from okno.appeals.models import Appeal
from okno.appeals.views.common import current_user, is_htmx, messages_oob, run_service, vary_on_htmx
from okno.core.auth import login_required
from okno.core.errors import NotFound
from okno.routing.classifier.models import Target
from okno.routing.services import dispatch

PAGE = 100


def _visible(request: HttpRequest, appeal_id: int) -> Appeal:
    try:
        return queries.get_visible(current_user(request), pk=appeal_id)
    except NotFound:
        raise Http404(_("Appeal not found.")) from None


def _panel(request: HttpRequest, appeal: Appeal, status: int = 200) -> HttpResponse:
    user = current_user(request)
    routing = dispatch.routing_of(appeal)
    may_route = access.can_assign_anyone(user) and access.can(user, access.Action.WORK, appeal) and not appeal.is_final
    suggestions = []
    if routing is not None:
        for target, s in (routing.suggestions or {}).items():
            current = getattr(appeal, f"{target}_id", None)
            label = Target(target).label if target in Target.values else target
            suggestions.append({"target": target, "target_label": label, **s, "current": current == s.get("value")})
    context = {"appeal": appeal, "routing": routing, "suggestions": suggestions, "may_route": may_route}
    response = render(request, "routing/_panel.html", context, status=status)
    if is_htmx(request):
        response.content += messages_oob(request).encode()
    return vary_on_htmx(response)


@login_required
@require_GET
def panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _panel(request, _visible(request, appeal_id))


@login_required
@require_POST
def apply_suggestion(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = _visible(request, appeal_id)
    target = request.POST.get("target", "")
    if target not in dispatch.TARGET_MODELS:
        raise Http404
    _result, status = run_service(
        request,
        lambda: dispatch.apply_suggestion(current_user(request), appeal, target),
        _("The suggestion is applied."),
    )
    if not is_htmx(request):
        return redirect("appeals:detail", appeal.number)
    return _panel(request, _visible(request, appeal_id), status)


@login_required
@require_POST
def reroute(request: HttpRequest, appeal_id: int) -> HttpResponse:
    from okno.routing.services.rules import rerun

    appeal = _visible(request, appeal_id)
    _result, status = run_service(
        request, lambda: rerun(current_user(request), appeal), _("The routing rules have run again.")
    )
    if not is_htmx(request):
        return redirect("appeals:detail", appeal.number)
    return _panel(request, _visible(request, appeal_id), status)


@login_required
@require_POST
def release(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = _visible(request, appeal_id)
    run_service(
        request,
        lambda: dispatch.release_to_queue(current_user(request), appeal),
        _("The appeal is left to the queue's automatic assignment."),
    )
    return redirect(request.POST.get("next") or "routing_dispatch:waiting")


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not access.can_assign_anyone(user):
        raise PermissionDenied
    appeals = dispatch.waiting_for_dispatcher(user)
    total = appeals.count()
    rows = []
    for appeal in appeals[:PAGE]:
        routing = getattr(appeal, "routing", None)
        rows.append({"appeal": appeal, "routing": routing, "suggestions": (routing.suggestions if routing else {})})
    context = {"nav_section": "dispatch", "rows": rows, "total": total, "page": PAGE}
    return render(request, "routing/waiting.html", context)
