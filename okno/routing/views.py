"""Administrators' routing pages under /settings/routing/: the rules in order (with
what each asks and does, in words; move, switch, delete through htmx, plain posts
work too), the form to add or change a rule, and the dry run. Every change goes
through ``services.rule_admin``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.appeals.views.common import is_htmx
from okno.core.auth import login_required
from okno.core.errors import InvalidInput, OknoError
from okno.core.forms import save_through_service
from okno.routing.forms import NEW_RULE_INITIAL, DryRunForm, RuleForm, rule_initial
from okno.routing.models import RoutingRule
from okno.routing.services import rule_admin as services
from okno.routing.services import rules as engine
from okno.routing.services.describe import RuleText, describe

TABLE = "rule-table"


def admin_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may configure routing."))
    return user


@dataclass
class RuleRow:
    rule: RoutingRule
    number: int
    text: RuleText
    is_first: bool
    is_last: bool


def rows() -> list[RuleRow]:
    found = list(RoutingRule.objects.order_by("position", "id"))
    texts = describe(found)
    return [
        RuleRow(rule=r, number=n, text=texts[r.pk], is_first=n == 1, is_last=n == len(found))
        for n, r in enumerate(found, start=1)
    ]


def _rule(pk: int) -> RoutingRule:
    found = RoutingRule.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such routing rule."))
    return found


def _table_response(request: HttpRequest, status: int = 200) -> HttpResponse:
    """The rule table with the flash messages (htmx), or back to the page."""
    if not is_htmx(request):
        return redirect("routing:rules")
    html = render_to_string("routing/_rule_table.html", {"rows": rows()}, request=request)
    html += render_to_string("_messages_oob.html", {}, request=request)
    response = HttpResponse(html, status=status)
    response["HX-Retarget"] = f"#{TABLE}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _run(request: HttpRequest, call: Callable[[], Any], success: str) -> HttpResponse:
    try:
        call()
    except OknoError as exc:
        messages.error(request, exc.message)
        return _table_response(request, exc.status_code)
    messages.success(request, success)
    return _table_response(request)


# --- the list ---------------------------------------------------------------------------------------


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    admin_user(request)
    response = render(request, "routing/rules.html", {"nav_section": "routing", "rows": rows()})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    rule = _rule(pk)
    active = not rule.is_active
    success = (_("The rule “%(name)s” is switched on.") if active else _("The rule “%(name)s” is switched off.")) % {
        "name": rule.name
    }
    return _run(request, lambda: services.set_active(user, rule, active), success)


@login_required
@require_POST
def rule_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    user = admin_user(request)
    if direction not in ("up", "down"):
        raise Http404
    rule = _rule(pk)
    return _run(
        request,
        lambda: services.move(user, rule, direction),  # type: ignore[arg-type]
        _("The order of the rules is changed."),
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    rule = _rule(pk)
    success = _("The rule “%(name)s” is deleted.") % {"name": rule.name}
    return _run(request, lambda: services.delete_rule(user, rule), success)


# --- the form ------------------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: RuleForm, rule: RoutingRule | None, status: int = 200) -> HttpResponse:
    context = {"nav_section": "routing", "form": form, "rule": rule}
    return render(request, "routing/rule_form.html", context, status=status)


def _save(request: HttpRequest, user: User, rule: RoutingRule | None) -> HttpResponse:
    form = RuleForm(request.POST)

    def save() -> str:
        if rule is None:
            saved = services.create_rule(user, form.values())
            return _("The rule “%(name)s” is added.") % {"name": saved.name}
        saved = services.update_rule(user, rule, form.values())
        return _("The rule “%(name)s” is saved.") % {"name": saved.name}

    return save_through_service(request, form, save, "routing:rules") or _form_page(request, form, rule, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    user = admin_user(request)
    if request.method == "POST":
        return _save(request, user, None)
    return _form_page(request, RuleForm(initial=NEW_RULE_INITIAL), None)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    rule = _rule(pk)
    if request.method == "POST":
        return _save(request, user, rule)
    return _form_page(request, RuleForm(initial=rule_initial(rule)), rule)


# --- the dry run -------------------------------------------------------------------------------------------


def _client(user: User, text: str) -> Any:
    from okno.clients.services import search

    text = text.strip()
    if not text:
        return None
    found = search(user, text).first()
    if found is None:
        raise InvalidInput(_("No client matches “%(text)s”.") % {"text": text}, field="client")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def dry_run(request: HttpRequest) -> HttpResponse:
    """GET: the form (``?appeal=`` fills in a number). POST: the rules' verdict,
    as a fragment for htmx or the whole page."""
    user = admin_user(request)
    result = None
    status = 200
    if request.method == "POST":
        form = DryRunForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = engine.dry_run(
                    user,
                    appeal=(data.get("appeal") or "").strip() or None,
                    subject=data.get("subject") or "",
                    text=data.get("text") or "",
                    channel=data["channel"],
                    sender=data.get("sender") or "",
                    mailbox_id=data["mailbox"].pk if data.get("mailbox") else None,
                    client=_client(user, data.get("client") or ""),
                    attachments=data.get("attachments") or 0,
                    claim_amount=data.get("claim_amount"),
                )
            except InvalidInput as exc:
                form.add_service_error(exc)
                status = 400
            except OknoError as exc:  # an appeal not found
                form.add_error("appeal" if exc.status_code == 404 else None, exc.message)
                status = 400
        else:
            status = 400
    else:
        form = DryRunForm(initial={"appeal": request.GET.get("appeal", "")[:20]})
    context = {"nav_section": "routing", "form": form, "result": result}
    if is_htmx(request) and request.method == "POST":
        response = render(request, "routing/_dry_run.html", context, status=status)
    else:
        response = render(request, "routing/dry_run.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
