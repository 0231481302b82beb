"""The quarantine, /settings/mail/quarantine/: mail that could not be processed,
newest first, with the reason. An administrator downloads the raw message, sends it
through intake again after a fix, or makes an appeal of it by hand
(``services.intake`` does both)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okno.appeals.queries import paginate
from okno.appeals.views.common import is_htmx
from okno.channels.mail import queries
from okno.channels.mail.choices import InboundOutcome, InboundState
from okno.channels.mail.models import InboundMail, Mailbox
from okno.channels.mail.services import intake
from okno.channels.mail.views import admin_user, htmx_target
from okno.core.auth import login_required
from okno.core.downloads import file_response
from okno.core.errors import OknoError

LIST = "quarantine-list"
PAGE_SIZE = 50


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page") or request.POST.get("page") or "1"
    return max(1, min(int(value), 1_000_000)) if value.isdecimal() else 1


def _mailbox_filter(request: HttpRequest) -> int | None:
    value = request.GET.get("mailbox") or request.POST.get("mailbox") or ""
    return int(value) if value.isdecimal() and len(value) < 19 else None


def _context(request: HttpRequest) -> dict[str, object]:
    mailbox_id = _mailbox_filter(request)
    page = paginate(queries.quarantine(mailbox_id), _page_number(request), PAGE_SIZE)
    page.items = queries.with_subjects(page.items)
    return {
        "nav_section": "mail",
        "page": page,
        "mailbox_id": mailbox_id,
        "mailboxes": Mailbox.objects.order_by("name").only("id", "name"),
    }


def _list_response(request: HttpRequest, status: int = 200) -> HttpResponse:
    if not is_htmx(request):
        return redirect("mail:quarantine")
    html = render_to_string("mail/_quarantine_list.html", _context(request), request=request)
    html += render_to_string("_messages_oob.html", {}, request=request)
    response = HttpResponse(html, status=status)
    response["HX-Retarget"] = f"#{LIST}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _inbound(pk: int) -> InboundMail:
    found = InboundMail.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("Mail not found."))
    return found


@login_required
@require_GET
def quarantine(request: HttpRequest) -> HttpResponse:
    admin_user(request)
    template = "mail/_quarantine_list.html" if htmx_target(request) == LIST else "mail/quarantine.html"
    response = render(request, template, _context(request))
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@login_required
@require_GET
def raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored message exactly as received, as an .eml file."""
    admin_user(request)
    row = _inbound(pk)
    return file_response(bytes(row.raw), f"mail-{row.pk}.eml", "message/rfc822")


@login_required
@require_POST
def reprocess(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    try:
        row = intake.reprocess(user, pk)
    except OknoError as exc:
        messages.error(request, exc.message)
        return _list_response(request, exc.status_code)
    if row.state == InboundState.QUARANTINED:
        messages.warning(request, _("The mail is still quarantined: %(reason)s") % {"reason": row.reason})
    elif row.outcome == InboundOutcome.APPEAL and row.appeal is not None:
        messages.success(request, _("The mail became the appeal %(number)s.") % {"number": row.appeal.number})
    elif row.outcome == InboundOutcome.THREADED and row.appeal is not None:
        messages.success(request, _("The mail was added to the appeal %(number)s.") % {"number": row.appeal.number})
    else:
        messages.success(
            request, _("The mail is processed: %(outcome)s.") % {"outcome": row.get_outcome_display().lower()}
        )
    return _list_response(request)


@login_required
@require_POST
def make_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    try:
        appeal = intake.register_by_hand(user, pk)
    except OknoError as exc:
        messages.error(request, exc.message)
        return _list_response(request, exc.status_code)
    messages.success(request, _("The appeal %(number)s is registered from the mail.") % {"number": appeal.number})
    return _list_response(request)
