"""Clients: creating and editing them, their contacts, and finding the same person
from whatever channel they write through."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access
from okno.clients.choices import ClientKind, ContactKind, Segment
from okno.clients.models import Client, Contact
from okno.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from okno.lib.contacts import InvalidContact, normalize_contact, normalize_phone
from okno.lib.text import fold

EDITABLE_FIELDS = ("kind", "name", "parent", "segment", "is_vip", "tax_id", "external_id", "postal_address", "notes")


@dataclass(frozen=True)
class ContactInput:
    kind: str
    value: str
    is_primary: bool = False


def _require_staff(user: User) -> None:
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in first."))


def _require_editor(user: User) -> None:
    if not access.can_register(user):
        raise PermissionDenied(_("You may not change clients."))


def refresh_search_key(client: Client) -> None:
    values = client.contacts.values_list("normalized", flat=True)
    client.search_key = fold(" ".join([client.name, client.tax_id, client.external_id, *values]))
    Client.objects.filter(pk=client.pk).update(search_key=client.search_key)


def _normalized(contact: ContactInput) -> str:
    if contact.kind not in ContactKind.values:
        raise InvalidInput(_("Unknown kind of contact."), field="contacts")
    try:
        return normalize_contact(contact.kind, contact.value)
    except InvalidContact:
        raise InvalidInput(
            _("“%(value)s” is not a valid %(kind)s.")
            % {"value": contact.value, "kind": ContactKind(contact.kind).label.lower()},
            field="contacts",
        ) from None


def _check_parent(client: Client | None, parent: Client | None) -> None:
    if parent is None:
        return
    if parent.kind != ClientKind.ORGANISATION:
        raise InvalidInput(_("Only an organisation can contain other clients."), field="parent")
    node: Client | None = parent
    depth = 0
    while node is not None:
        if client is not None and node.pk == client.pk:
            raise InvalidInput(_("An organisation cannot be inside itself."), field="parent")
        node = node.parent
        depth += 1
        if depth > 10:
            raise InvalidInput(_("The organisation hierarchy is too deep."), field="parent")


@transaction.atomic
def create_client(
    actor: User | None,
    *,
    name: str,
    kind: str = ClientKind.PERSON,
    contacts: Iterable[ContactInput] = (),
    **fields: Any,
) -> Client:
    """``actor`` is ``None`` for channel intake creating a client it could not match."""
    if actor is not None:
        _require_editor(actor)
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("The client's name must not be empty."), field="name")
    if kind not in ClientKind.values:
        raise InvalidInput(_("Unknown kind of client."), field="kind")
    if fields.get("segment", Segment.RETAIL) not in Segment.values:
        raise InvalidInput(_("Unknown segment."), field="segment")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    _check_parent(None, fields.get("parent"))
    client = Client.objects.create(name=name[:300], kind=kind, **fields)
    for contact in contacts:
        _add_contact(client, contact)
    refresh_search_key(client)
    return client


@transaction.atomic
def update_client(actor: User, client: Client | int, changes: dict[str, Any]) -> Client:
    _require_editor(actor)
    client = _lock(client)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "name" in changes:
        changes["name"] = " ".join((changes["name"] or "").split())[:300]
        if not changes["name"]:
            raise InvalidInput(_("The client's name must not be empty."), field="name")
    if "parent" in changes:
        _check_parent(client, changes["parent"])
    for field, value in changes.items():
        setattr(client, field, value)
    client.save()
    refresh_search_key(client)
    return client


def _lock(client: Client | int) -> Client:
    pk = client.pk if isinstance(client, Client) else client
    try:
        return Client.objects.select_for_update().get(pk=pk)
    except Client.DoesNotExist:
        raise NotFound(_("Client not found.")) from None


def _add_contact(client: Client, contact: ContactInput) -> Contact:
    normalized = _normalized(contact)
    existing = client.contacts.filter(kind=contact.kind, normalized=normalized).first()
    if existing is not None:
        return existing
    if contact.is_primary:
        client.contacts.filter(kind=contact.kind).update(is_primary=False)
    try:
        with transaction.atomic():
            return Contact.objects.create(
                client=client,
                kind=contact.kind,
                value=contact.value.strip()[:320],
                normalized=normalized,
                is_primary=contact.is_primary or not client.contacts.filter(kind=contact.kind).exists(),
            )
    except IntegrityError:
        raise Conflict(_("This client already has that contact.")) from None


@transaction.atomic
def add_contact(actor: User, client: Client | int, contact: ContactInput) -> Contact:
    _require_editor(actor)
    locked = _lock(client)
    created = _add_contact(locked, contact)
    refresh_search_key(locked)
    return created


@transaction.atomic
def remove_contact(actor: User, contact: Contact | int) -> None:
    _require_editor(actor)
    pk = contact.pk if isinstance(contact, Contact) else contact
    found = Contact.objects.select_related("client").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Contact not found."))
    client = found.client
    found.delete()
    refresh_search_key(client)


def find_by_contact(kind: str, value: str) -> Client | None:
    """The client this contact belongs to (the earliest, if several share it)."""
    try:
        normalized = normalize_contact(kind, value)
    except InvalidContact:
        return None
    kinds = [ContactKind.PHONE, ContactKind.WHATSAPP] if kind in (ContactKind.PHONE, ContactKind.WHATSAPP) else [kind]
    contact = (
        Contact.objects.filter(kind__in=kinds, normalized=normalized).select_related("client").order_by("id").first()
    )
    return contact.client if contact else None


def find_or_create_by_contact(kind: str, value: str, *, name: str = "") -> Client:
    """For channel intake: the known client, or a new one with this contact."""
    found = find_by_contact(kind, value)
    if found is not None:
        return found
    contact = ContactInput(kind=kind, value=value, is_primary=True)
    return create_client(None, name=name.strip() or value.strip(), contacts=[contact])


def search(user: User, text: str, queryset: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Clients whose name, tax id or any contact contains ``text`` (case-, «ё»- and
    phone-format-insensitive)."""
    _require_staff(user)
    qs = Client.objects.all() if queryset is None else queryset
    text = text.strip()
    if not text:
        return qs
    condition = Q(search_key__contains=fold(text))
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 6:
        with contextlib.suppress(InvalidContact):
            condition |= Q(contacts__normalized=normalize_phone(text))
        condition |= Q(search_key__contains=digits)
    return qs.filter(condition).distinct()
