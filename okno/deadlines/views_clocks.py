"""The deadlines card on the appeal page: every clock, live, and the extension form."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okno.appeals import access, queries
from okno.appeals.models import Appeal
from okno.appeals.views.common import current_user, is_htmx, messages_oob, run_service, vary_on_htmx
from okno.core.auth import login_required
from okno.core.errors import NotFound
from okno.deadlines.queries import clocks_of
from okno.deadlines.services import clocks as clock_service


def _visible(request: HttpRequest, appeal_id: int) -> Appeal:
    try:
        return queries.get_visible(current_user(request), pk=appeal_id)
    except NotFound:
        raise Http404(_("Appeal not found.")) from None


def _panel(request: HttpRequest, appeal: Appeal, status: int = 200) -> HttpResponse:
    user = current_user(request)
    context = {
        "appeal": appeal,
        "clocks": clocks_of(appeal),
        "can_extend": access.can(user, access.Action.EXTEND_DEADLINE, appeal) and not appeal.is_final,
    }
    response = render(request, "deadlines/_panel.html", context, status=status)
    if is_htmx(request):
        response.content += messages_oob(request).encode()
    return vary_on_htmx(response)


@login_required
@require_GET
def panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _panel(request, _visible(request, appeal_id))


@login_required
@require_POST
def extend(request: HttpRequest, appeal_id: int, clock_id: int) -> HttpResponse:
    appeal = _visible(request, appeal_id)
    reason = request.POST.get("reason", "")
    _clock, status = run_service(
        request,
        lambda: clock_service.extend(current_user(request), appeal, clock_id, reason=reason),
        _("The deadline is extended."),
    )
    if not is_htmx(request):
        return redirect("appeals:detail", appeal.number)
    fresh = queries.get_visible(current_user(request), pk=appeal.pk)
    return _panel(request, fresh, 200 if status == 200 else status)
