"""API: clients, their contacts, and their history of appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from okno.appeals import queries
from okno.appeals.choices import Direction
from okno.appeals.models import Message
from okno.appeals.schemas import AppealItem, MessageOut
from okno.clients import services
from okno.clients.choices import ClientKind, ContactKind, Segment
from okno.clients.models import Client, Contact
from okno.core.apitools import Id, InputSchema, PageNumber, Ref, Text, current_user, get_or_404, load

router = Router(tags=["clients"])

Name = Annotated[str, StringConstraints(max_length=300)]
TaxId = Annotated[str, StringConstraints(max_length=12)]
ExternalId = Annotated[str, StringConstraints(max_length=100)]
NotesText = Annotated[str, StringConstraints(max_length=100_000)]


class ContactOut(Schema):
    id: int
    kind: ContactKind
    value: str
    normalized: str
    display_value: str
    is_primary: bool


class ClientOut(Schema):
    id: int
    kind: ClientKind
    name: str
    parent: Ref | None
    segment: Segment
    is_vip: bool
    tax_id: str
    external_id: str
    postal_address: str
    notes: str
    created_at: datetime
    contacts: list[ContactOut]


class ClientPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[ClientOut]


class ClientHistory(Schema):
    """The client's appeals the caller may see (a page of them), with the messages
    exchanged on them (internal notes left out)."""

    count: int
    page: int
    pages: int
    page_size: int
    appeals: list[AppealItem]
    messages: list[MessageOut]


class ContactIn(InputSchema):
    kind: ContactKind
    value: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    is_primary: bool = False


class ClientIn(InputSchema):
    name: Name
    kind: ClientKind = ClientKind.PERSON
    segment: Segment = Segment.RETAIL
    is_vip: bool = False
    tax_id: TaxId = ""
    external_id: ExternalId = ""
    postal_address: Text = ""
    notes: NotesText = ""
    parent: Id | None = Field(None, description="The organisation this client belongs to.")
    contacts: list[ContactIn] = Field(default_factory=list, max_length=20)


class ClientPatchIn(InputSchema):
    """Only the fields sent are changed."""

    name: Name | None = None
    kind: ClientKind | None = None
    segment: Segment | None = None
    is_vip: bool | None = None
    tax_id: TaxId | None = None
    external_id: ExternalId | None = None
    postal_address: Text | None = None
    notes: NotesText | None = None
    parent: Id | None = None


class ClientQuery(Schema):
    q: Annotated[str, StringConstraints(max_length=200)] = Field("", description="Name, tax id or any contact.")
    page: PageNumber = 1
    page_size: int = Field(50, ge=1, le=queries.MAX_PAGE_SIZE)


class HistoryQuery(Schema):
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=100)


def _clients() -> QuerySet[Client]:
    return Client.objects.select_related("parent").prefetch_related("contacts")


def _get(client_id: int) -> Client:
    return get_or_404(_clients(), _("Client not found."), pk=client_id)


def _contact(contact: ContactIn) -> services.ContactInput:
    return services.ContactInput(kind=contact.kind, value=contact.value, is_primary=contact.is_primary)


@router.get("/clients", response=ClientPage, summary="Find clients by name, tax id or contact")
def list_clients(request: HttpRequest, q: Query[ClientQuery]) -> dict[str, Any]:
    found = services.search(current_user(request), q.q, _clients())
    page = queries.paginate(found, q.page, q.page_size)
    return {"count": page.total, "page": page.number, "pages": page.pages, "page_size": page.size, "items": page.items}


@router.post("/clients", response={201: ClientOut}, summary="Create a client with contacts")
def create_client(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    fields = payload.model_dump(exclude={"name", "kind", "contacts", "parent"})
    if payload.parent is not None:
        fields["parent"] = load(Client, payload.parent, "parent")
    client = services.create_client(
        current_user(request),
        name=payload.name,
        kind=payload.kind,
        contacts=[_contact(c) for c in payload.contacts],
        **fields,
    )
    return Status(201, _get(client.pk))


@router.get("/clients/{client_id}", response=ClientOut, summary="One client")
def get_client(request: HttpRequest, client_id: Id) -> Client:
    return _get(client_id)


@router.patch("/clients/{client_id}", response=ClientOut, summary="Change a client (only the fields sent)")
def update_client(request: HttpRequest, client_id: Id, payload: ClientPatchIn) -> Client:
    changes = payload.model_dump(exclude_unset=True)
    for name in ("name", "kind", "segment", "is_vip", "tax_id", "external_id", "postal_address", "notes"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    if "parent" in changes:
        changes["parent"] = load(Client, changes["parent"], "parent")
    services.update_client(current_user(request), client_id, changes)
    return _get(client_id)


@router.post("/clients/{client_id}/contacts", response={201: ContactOut}, summary="Add a contact")
def add_contact(request: HttpRequest, client_id: Id, payload: ContactIn) -> Status[Contact]:
    return Status(201, services.add_contact(current_user(request), client_id, _contact(payload)))


@router.delete("/clients/{client_id}/contacts/{contact_id}", response={204: None}, summary="Remove a contact")
def remove_contact(request: HttpRequest, client_id: Id, contact_id: Id) -> Status[None]:
    contact = get_or_404(Contact.objects.all(), _("Contact not found."), pk=contact_id, client_id=client_id)
    services.remove_contact(current_user(request), contact)
    return Status(204, None)


@router.get("/clients/{client_id}/history", response=ClientHistory, summary="The client's appeals and messages")
def client_history(request: HttpRequest, client_id: Id, q: Query[HistoryQuery]) -> dict[str, Any]:
    client = _get(client_id)
    appeals = queries.list_appeals(current_user(request), queries.AppealFilter(client=client.pk), sort="-created")
    page = queries.paginate(appeals.prefetch_related("tags"), q.page, q.page_size)
    messages = (
        Message.objects.filter(appeal_id__in=[a.pk for a in page.items])
        .exclude(direction=Direction.NOTE)  # what passed between us and the client, as on the client card
        .select_related("author", "author_client", "approved_by")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return {
        "count": page.total,
        "page": page.number,
        "pages": page.pages,
        "page_size": page.size,
        "appeals": page.items,
        "messages": list(messages),
    }
