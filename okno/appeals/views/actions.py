"""What a person does on the appeal page. Each view: find the appeal (404 if it
is not theirs to see), validate the form, call exactly one service, and answer —
to htmx with the refreshed parts of the page (out-of-band swaps) and the message,
to a plain form post with a redirect back to the page.

A refusal (bad input 400, not allowed 403, does not fit the state 409) is shown
as a message and changes nothing on the page, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okno.accounts.models import User
from okno.appeals import delivery, queries, services
from okno.appeals import forms as appeal_forms
from okno.appeals.choices import ApprovalStatus
from okno.appeals.models import Appeal, Message
from okno.appeals.services import IncomingFile
from okno.appeals.views.common import current_user, get_appeal, is_htmx, messages_oob, run_service, vary_on_htmx
from okno.appeals.views.detail import render_part
from okno.core.auth import login_required
from okno.core.errors import InvalidInput, NotFound

Call = Callable[[User, Appeal, dict[str, Any]], Any]
Success = Callable[[Any], str]


def _respond(request: HttpRequest, appeal: Appeal, status: int, *, composer: bool = False) -> HttpResponse:
    if not is_htmx(request):
        return redirect("appeals:detail", appeal.number)
    if status != 200:
        return vary_on_htmx(HttpResponse(messages_oob(request), status=status))
    try:
        fresh = queries.get_visible(current_user(request), pk=appeal.pk)
    except NotFound:
        # Moved where this person no longer sees it (another queue): back to the inbox.
        messages.info(request, _("Appeal %(number)s has left your queues.") % {"number": appeal.number})
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("appeals:inbox")
        return response
    parts = ["header", "actions", "timeline", *(["composer"] if composer else [])]
    html = "".join(render_part(request, name, fresh, oob=True) for name in parts)
    return vary_on_htmx(HttpResponse(html + messages_oob(request)))


def _perform(
    request: HttpRequest,
    appeal: Appeal,
    form_class: type[forms.Form] | None,
    call: Call,
    success: Success,
    *,
    composer: bool = False,
    files: bool = False,
) -> HttpResponse:
    """Validate, call the service once, answer."""
    data: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, appeal_forms.form_errors(form))
            return _respond(request, appeal, 400)
        data = {**form.cleaned_data, "_form": form}
    if files:
        try:
            data["files"] = [IncomingFile.read(f.name or "file", f) for f in request.FILES.getlist("files")]
        except InvalidInput as exc:
            messages.error(request, exc.message)
            return _respond(request, appeal, 400)
    user = current_user(request)
    result, status = run_service(request, lambda: call(user, appeal, data))
    if status == 200:
        messages.success(request, success(result))
    return _respond(request, appeal, status, composer=composer and status == 200)


def _other(user: User, number: str) -> Appeal:
    """Another appeal named by its number: "not found" is the person's input error."""
    try:
        return queries.get_visible(user, number=number.strip())
    except NotFound:
        raise InvalidInput(_("Appeal %(number)s not found.") % {"number": number.strip()}) from None


@login_required
@require_POST
def take(request: HttpRequest, number: str) -> HttpResponse:
    """Assign the appeal to oneself."""
    return _perform(
        request,
        get_appeal(request, number),
        None,
        lambda user, appeal, data: services.assign(user, appeal, user),
        lambda result: _("The appeal is yours now."),
    )


@login_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.AssignForm,
        lambda user, appeal, data: services.assign(user, appeal, data["assignee"], comment=data["comment"]),
        lambda result: _("Assignee changed."),
    )


@login_required
@require_POST
def change_status(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.StatusForm,
        lambda user, appeal, data: services.change_status(user, appeal, data["status"], comment=data["comment"]),
        lambda result: _("Status changed."),
    )


@login_required
@require_POST
def update_fields(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.FieldsForm,
        lambda user, appeal, data: services.update_fields(user, appeal, data["_form"].changes()),
        lambda result: _("Saved."),
    )


@login_required
@require_POST
def change_client(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.ClientChoiceForm,
        lambda user, appeal, data: services.update_fields(user, appeal, {"client": data["client"]}),
        lambda result: _("Client changed."),
    )


@login_required
@require_POST
def close(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.CloseForm,
        lambda user, appeal, data: services.close(user, appeal, data["outcome"], comment=data["comment"]),
        lambda result: _("The appeal is closed."),
    )


@login_required
@require_POST
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.CommentForm,
        lambda user, appeal, data: services.reopen(user, appeal, comment=data["comment"]),
        lambda result: _("The appeal is back in work."),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.CancelForm,
        lambda user, appeal, data: services.cancel(user, appeal, reason=data["reason"]),
        lambda result: _("The appeal is cancelled."),
    )


@login_required
@require_POST
def merge(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.MergeForm,
        lambda user, appeal, data: services.merge(user, appeal, _other(user, data["target"]), comment=data["comment"]),
        lambda target: _("Merged into %(number)s.") % {"number": target.number},
    )


@login_required
@require_POST
def link(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.LinkForm,
        lambda user, appeal, data: services.link(user, appeal, _other(user, data["other"]), data["kind"]),
        lambda result: _("Linked."),
    )


@login_required
@require_POST
def unlink(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.UnlinkForm,
        lambda user, appeal, data: services.unlink(user, appeal, _other(user, data["other"])),
        lambda result: _("Link removed."),
    )


@login_required
@require_POST
def subcase(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.SubcaseForm,
        lambda user, appeal, data: services.create_subcase(
            user,
            appeal,
            subject=data["subject"],
            description=data["description"],
            queue=data["queue"],
            assignee=data["assignee"],
        ),
        lambda sub: _("Sub-case %(number)s created.") % {"number": sub.number},
    )


def _reply_sent(message: Message) -> str:
    if message.approval_status == ApprovalStatus.PENDING:
        return _("The reply is waiting for a supervisor's approval.")
    return _("Reply sent.")


@login_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    # A channel plug-in's way of sending (``deliver_as``: a paper letter) takes the reply.
    option = delivery.reply_option(request.POST.get("deliver_as", ""))
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.ReplyForm,
        lambda user, appeal, data: (
            option.reply(request, appeal, data)
            if option is not None
            else services.reply(
                user, appeal, body_text=data["body_text"], status_after=data["status_after"], files=data["files"]
            )
        ),
        _reply_sent,
        composer=True,
        files=True,
    )


@login_required
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    return _perform(
        request,
        get_appeal(request, number),
        appeal_forms.NoteForm,
        lambda user, appeal, data: services.add_note(user, appeal, body_text=data["body_text"], files=data["files"]),
        lambda result: _("Note added."),
        composer=True,
        files=True,
    )


def _message_of(request: HttpRequest, number: str, message_id: int) -> tuple[Appeal, Message]:
    appeal = get_appeal(request, number)
    message = appeal.messages.filter(pk=message_id).first()
    if message is None:
        raise Http404
    return appeal, message


@login_required
@require_POST
def approve(request: HttpRequest, number: str, message_id: int) -> HttpResponse:
    appeal, message = _message_of(request, number, message_id)
    return _perform(
        request,
        appeal,
        None,
        lambda user, appeal, data: services.approve_reply(user, message),
        lambda result: _("Approved: the reply is on its way."),
    )


@login_required
@require_POST
def return_reply(request: HttpRequest, number: str, message_id: int) -> HttpResponse:
    appeal, message = _message_of(request, number, message_id)
    return _perform(
        request,
        appeal,
        appeal_forms.ReturnForm,
        lambda user, appeal, data: services.return_reply(user, message, comment=data["comment"]),
        lambda result: _("The reply went back to its author."),
    )


@login_required
@require_POST
def revise(request: HttpRequest, number: str, message_id: int) -> HttpResponse:
    appeal, message = _message_of(request, number, message_id)
    return _perform(
        request,
        appeal,
        appeal_forms.ReviseForm,
        lambda user, appeal, data: services.revise_reply(user, message, body_text=data["body_text"]),
        lambda result: _("The reply is submitted for approval again."),
    )
