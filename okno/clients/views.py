"""Client pages: search, the client card (contacts, organisation, appeals, recent
messages), creating and editing clients and their contacts, and the search-as-
you-type picker other forms embed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okno.accounts.models import User
from okno.appeals import access, queries
from okno.clients import services
from okno.clients.choices import ClientKind, ContactKind
from okno.clients.forms import ClientForm, ContactForm, NewClientForm
from okno.clients.models import Client, Contact
from okno.core.auth import login_required
from okno.core.errors import NotFound, OknoError

PAGE_SIZE = 30
PICKER_LIMIT = 10


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _client_or_404(pk: int) -> Client:
    client = Client.objects.select_related("parent").filter(pk=pk).first()
    if client is None:
        raise Http404(_("Client not found."))
    return client


def _with_contacts(qs: Any) -> Any:
    return qs.prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "kind", "id")))


@login_required
@require_GET
def client_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    found = _with_contacts(services.search(_user(request), text).select_related("parent").order_by("name", "id"))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav_section": "clients", "q": text, "page": page, "can_edit": access.can_register(_user(request))}
    htmx = getattr(request, "htmx", None)
    template = "clients/_list_results.html" if htmx and htmx.target == "clients-results" else "clients/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def picker(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type results for a client picker (see ``clients/_picker.html``)."""
    text = (request.GET.get("client_search") or request.GET.get("q") or "").strip()[:200]
    clients: list[Client] = []
    more = False
    if len(text) >= 2:
        found = services.search(_user(request), text)
        if request.GET.get("kind") in ClientKind.values:
            found = found.filter(kind=request.GET["kind"])
        clients = list(_with_contacts(found.order_by("name", "id"))[: PICKER_LIMIT + 1])
        more = len(clients) > PICKER_LIMIT
        clients = clients[:PICKER_LIMIT]
    context = {"clients": clients, "more": more, "searched": len(text) >= 2}
    return render(request, "clients/_picker_results.html", context)


@login_required
@require_GET
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    client = _client_or_404(pk)
    appeals = queries.list_appeals(user, queries.AppealFilter(client=client.pk), sort="-created")
    context = {
        "nav_section": "clients",
        "client": client,
        "contacts": client.contacts.order_by("-is_primary", "kind", "id"),
        "ancestors": client.ancestors(),
        "children": client.children.order_by("name", "id")[:100],
        "appeals": queries.paginate(appeals, 1, 50),
        "recent_messages": queries.recent_messages(user, client.pk, limit=20),
        "contact_form": ContactForm(),
        "can_edit": access.can_register(user),
        "can_register": access.can_register(user),
    }
    return render(request, "clients/detail.html", context)


def _chosen_parent(form: ClientForm) -> Client | None:
    value = form["parent"].value()
    if isinstance(value, Client):
        return value
    return Client.objects.filter(pk=int(str(value))).first() if str(value or "").isdecimal() else None


def _apply_error(form: ClientForm, exc: OknoError | PermissionDenied) -> None:
    if isinstance(exc, OknoError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        form.add_error(None, str(exc) or _("You may not do this."))


@login_required
def client_new(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    if not access.can_register(user):
        raise PermissionDenied(_("You may not change clients."))
    form = NewClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contacts = [
            services.ContactInput(kind=kind, value=value.strip(), is_primary=True)
            for kind, value in (
                (ContactKind.PHONE, form.cleaned_data["phone"]),
                (ContactKind.EMAIL, form.cleaned_data["email"]),
            )
            if value and value.strip()
        ]
        fields = form.fields_for_service()
        try:
            client = services.create_client(
                user, name=fields.pop("name"), kind=fields.pop("kind"), contacts=contacts, **fields
            )
        except (OknoError, PermissionDenied) as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Client created."))
            return redirect("clients:detail", client.pk)
    context = {"nav_section": "clients", "form": form, "client": None, "chosen_parent": _chosen_parent(form)}
    return render(request, "clients/form.html", context, status=400 if form.errors else 200)


@login_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = _user(request)
    if not access.can_register(user):
        raise PermissionDenied(_("You may not change clients."))
    client = _client_or_404(pk)
    initial = {name: getattr(client, name) for name in ClientForm.base_fields}
    form = ClientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_client(user, client, form.fields_for_service())
        except (OknoError, PermissionDenied) as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:detail", client.pk)
    context = {"nav_section": "clients", "form": form, "client": client, "chosen_parent": _chosen_parent(form)}
    return render(request, "clients/form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    client = _client_or_404(pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the contact's kind and value."))
        return redirect("clients:detail", client.pk)
    contact = services.ContactInput(
        kind=form.cleaned_data["kind"], value=form.cleaned_data["value"], is_primary=form.cleaned_data["is_primary"]
    )
    try:
        services.add_contact(_user(request), client, contact)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except NotFound:
        raise Http404 from None
    except OknoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Contact added."))
    return redirect("clients:detail", client.pk)


@login_required
@require_POST
def contact_remove(request: HttpRequest, pk: int, contact_id: int) -> HttpResponseBase:
    client = _client_or_404(pk)
    if not client.contacts.filter(pk=contact_id).exists():
        raise Http404
    try:
        services.remove_contact(_user(request), contact_id)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except NotFound:
        raise Http404 from None
    else:
        messages.success(request, _("Contact removed."))
    return redirect("clients:detail", client.pk)
