"""Administrators' pages of the mail channel under /settings/mail/: the mailboxes
with their live state and counts, the form to add or change one (with "Test
connection"), and a mailbox's supervision page. Every change goes through
``services.mailboxes``; quarantine and templates have their own modules."""

from __future__ import annotations

from collections.abc import Callable
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
from okno.channels.mail import queries
from okno.channels.mail.forms import NEW_MAILBOX_INITIAL, MailboxForm, mailbox_initial
from okno.channels.mail.models import Mailbox
from okno.channels.mail.services import mailboxes as services
from okno.core.auth import login_required
from okno.core.errors import InvalidInput, OknoError
from okno.core.forms import save_through_service

TABLE = "mailbox-table"
STATUS = "mailbox-status"


def admin_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may configure mailboxes."))
    return user


def htmx_target(request: HttpRequest) -> str:
    return request.headers.get("HX-Target", "") if is_htmx(request) else ""


def _mailbox(pk: int) -> Mailbox:
    found = (
        Mailbox.objects.select_related("queue", "kind", "category", "acknowledgement_template").filter(pk=pk).first()
    )
    if found is None:
        raise Http404(_("No such mailbox."))
    return found


def _table_response(request: HttpRequest, status: int = 200) -> HttpResponse:
    """The mailbox table with the flash messages (htmx), or back to the page."""
    if not is_htmx(request):
        return redirect("mail:mailboxes")
    html = render_to_string("mail/_mailbox_table.html", {"rows": queries.mailbox_rows()}, request=request)
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


# --- the list ---------------------------------------------------------------------------------


@login_required
@require_GET
def mailboxes(request: HttpRequest) -> HttpResponse:
    admin_user(request)
    context = {"nav_section": "mail", "rows": queries.mailbox_rows()}
    if htmx_target(request) == TABLE:
        response = render(request, "mail/_mailbox_table.html", context)
    else:
        response = render(request, "mail/mailboxes.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@login_required
@require_POST
def mailbox_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    mailbox = _mailbox(pk)
    active = not mailbox.is_active
    success = (
        _("The mailbox “%(name)s” is switched on.") if active else _("The mailbox “%(name)s” is switched off.")
    ) % {"name": mailbox.name}
    return _run(request, lambda: services.set_active(user, mailbox, active), success)


@login_required
@require_POST
def mailbox_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    mailbox = _mailbox(pk)
    success = _("The mailbox “%(name)s” is deleted.") % {"name": mailbox.name}
    return _run(request, lambda: services.delete_mailbox(user, mailbox), success)


# --- the form ----------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: MailboxForm, mailbox: Mailbox | None, status: int = 200) -> HttpResponse:
    context = {"nav_section": "mail", "form": form, "mailbox": mailbox}
    return render(request, "mail/mailbox_form.html", context, status=status)


def _save(request: HttpRequest, user: User, mailbox: Mailbox | None) -> HttpResponse:
    form = MailboxForm(request.POST, mailbox=mailbox)

    def save() -> str:
        if mailbox is None:
            saved = services.create_mailbox(user, **form.values())
            return _("The mailbox “%(name)s” is added.") % {"name": saved.name}
        saved = services.update_mailbox(user, mailbox, form.values())
        return _("The mailbox “%(name)s” is saved.") % {"name": saved.name}

    return save_through_service(request, form, save, "mail:mailboxes") or _form_page(request, form, mailbox, 400)


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_new(request: HttpRequest) -> HttpResponse:
    user = admin_user(request)
    if request.method == "POST":
        return _save(request, user, None)
    return _form_page(request, MailboxForm(initial=NEW_MAILBOX_INITIAL), None)


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    mailbox = _mailbox(pk)
    if request.method == "POST":
        return _save(request, user, mailbox)
    return _form_page(request, MailboxForm(initial=mailbox_initial(mailbox), mailbox=mailbox), mailbox)


def _label(form: MailboxForm, name: str | None) -> str:
    """A field's label, with its protocol where IMAP and SMTP share labels ("Port")."""
    label = str(form.fields[name or ""].label)
    for prefix, protocol in (("imap_", "IMAP"), ("smtp_", "SMTP")):
        if (name or "").startswith(prefix) and protocol not in label:
            return f"{protocol}, {label}"
    return label


@login_required
@require_POST
def mailbox_test(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """ "Test connection": the form's values (not saved; an empty password is the
    stored one) or, posted without them, the saved settings. Answers with the
    result fragment."""
    user = admin_user(request)
    mailbox = _mailbox(pk) if pk is not None else None
    result = None
    problem = ""
    if "imap_host" in request.POST:
        form = MailboxForm(request.POST, mailbox=mailbox)
        form.is_valid()  # only the connection settings matter here
        errors = [
            f"{_label(form, name)}: {' '.join(str(e) for e in form.errors[name])}"
            for name in services.CONNECTION_FIELDS
            if name in form.errors
        ]
        if errors:
            problem = " ".join(errors)
        else:
            values = {k: form.cleaned_data[k] for k in services.CONNECTION_FIELDS}
            try:
                result = services.test_connection(user, values, base=mailbox)
            except InvalidInput as exc:
                problem = f"{_label(form, exc.field)}: {exc.message}" if exc.field in form.fields else exc.message
    elif mailbox is not None:
        result = services.test_connection(user, mailbox)
    else:
        problem = _("Fill in the IMAP settings first.")
    return render(request, "mail/_test_result.html", {"result": result, "problem": problem})


# --- supervision -------------------------------------------------------------------------------


@login_required
@require_GET
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    admin_user(request)
    mailbox = _mailbox(pk)
    context = {
        "nav_section": "mail",
        "mailbox": mailbox,
        "status": queries.mailbox_status(mailbox),
        "recent": queries.recent(mailbox),
    }
    template = "mail/_mailbox_status.html" if htmx_target(request) == STATUS else "mail/mailbox_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
