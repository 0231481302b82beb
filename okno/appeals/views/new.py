"""Registering an appeal by hand: a call, a paper letter, a visit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from okno.appeals import access, services
from okno.appeals.choices import Channel, Priority
from okno.appeals.forms import NewAppealForm, assignable_users
from okno.appeals.models import Appeal, Category
from okno.appeals.services import IncomingFile
from okno.appeals.views.common import current_user
from okno.clients.choices import ContactKind
from okno.clients.models import Client
from okno.clients.services import ContactInput, create_client
from okno.core.auth import login_required
from okno.core.errors import OknoError


def _register(request: HttpRequest, data: dict[str, Any]) -> Appeal:
    """The client (found or new) and the appeal, together or not at all."""
    user = current_user(request)
    files = [IncomingFile.read(f.name or "file", f) for f in request.FILES.getlist("files")]
    with transaction.atomic():
        client: Client | None = data["client"]
        if client is None and (data["new_client_name"] or "").strip():
            contacts = [
                ContactInput(kind=kind, value=value.strip(), is_primary=True)
                for kind, value in (
                    (ContactKind.PHONE, data["new_client_phone"]),
                    (ContactKind.EMAIL, data["new_client_email"]),
                )
                if value and value.strip()
            ]
            client = create_client(user, name=data["new_client_name"], contacts=contacts)
        return services.register_appeal(
            user,
            subject=data["subject"],
            channel=data["channel"],
            description=data["description"],
            kind=data["kind"],
            client=client,
            category=data["chosen_category"],
            product=data["product"],
            priority=data["priority"],
            queue=data["queue"],
            assignee=data["assignee"],
            tags=data["tag_list"],
            created_at=data["received_at"],
            files=files,
            regulator_reference=data["regulator_reference"] if data["regulator_forwarded"] else "",
            regulator_letter_date=data["regulator_letter_date"] if data["regulator_forwarded"] else None,
            regulator_forwarded=data["regulator_forwarded"],
        )


@login_required
def new_appeal(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not access.can_register(user):
        raise PermissionDenied(_("You may not register appeals."))
    status = 200
    if request.method == "POST":
        form = NewAppealForm(request.POST)
        if form.is_valid():
            try:
                appeal = _register(request, form.cleaned_data)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You may not do this."))
            except OknoError as exc:
                field = exc.field if exc.field in form.fields else None
                if exc.field == "created_at":
                    field = "received_at"
                form.add_error(field, exc.message)
            else:
                messages.success(request, _("Appeal %(number)s registered.") % {"number": appeal.number})
                if access.can(user, access.Action.VIEW, appeal):
                    return redirect("appeals:detail", appeal.number)
                return redirect("appeals:inbox")
        status = 400
    else:
        initial: dict[str, Any] = {"channel": Channel.PHONE, "priority": Priority.NORMAL}
        queue_ids = sorted(access.queue_ids_of(user))
        if len(queue_ids) == 1:
            initial["queue"] = queue_ids[0]
        client_id = request.GET.get("client", "")
        if client_id.isdecimal():
            initial["client"] = Client.objects.filter(pk=int(client_id)).first()
        form = NewAppealForm(initial=initial)
    chosen_client = _bound_client(form)
    category_id = form["category"].value()
    subcategories = (
        Category.objects.filter(parent_id=int(category_id), is_active=True)
        if str(category_id or "").isdecimal()
        else Category.objects.none()
    )
    context = {
        "nav_section": "new",
        "form": form,
        "chosen_client": chosen_client,
        "subcategories": subcategories,
        "assignees": assignable_users(user),
    }
    return render(request, "appeals/new.html", context, status=status)


def _bound_client(form: NewAppealForm) -> Client | None:
    value = form["client"].value()
    if isinstance(value, Client):
        return value
    if str(value or "").isdecimal():
        return Client.objects.filter(pk=int(str(value))).first()
    return None
