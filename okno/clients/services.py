"""Clients: creating and editing them, their contacts, and finding the same person
from whatever channel they write through."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access
from okno.clients.choices import ClientKind, ContactKind, Segment
from okno.clients.models import Client, Contact
from okno.core import fastsql
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
    client.search_key = _search_key(client, client.contacts.values_list("normalized", flat=True))
    Client.objects.filter(pk=client.pk).update(search_key=client.search_key)


def _search_key(client: Client, contacts: Iterable[str]) -> str:
    """What search matches a client by: name, tax id, CRM id and normalised contacts, folded."""
    return fold(" ".join([client.name, client.tax_id, client.external_id, *contacts]))


def _normalized(contact: ContactInput) -> str:
    if contact.kind not in ContactKind.values:
        raise InvalidInput(_("Unknown kind of contact."), field="contacts")
    try:
        return normalize_contact(contact.kind, contact.value)
    except InvalidContact:
        raise _not_valid(contact.kind, contact.value) from None


def _not_valid(kind: str, value: str) -> InvalidInput:
    return InvalidInput(
        _("“%(value)s” is not a valid %(kind)s.") % {"value": value, "kind": ContactKind(kind).label.lower()},
        field="contacts",
    )


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
    return _known(kind, [normalized]).get(normalized)


def find_or_create_by_contact(kind: str, value: str, *, name: str = "") -> Client:
    """For channel intake: the known client, or a new one with this contact."""
    [client] = find_or_create_by_contacts(kind, [(value, name)])
    if client is None:
        raise _not_valid(kind, value)
    return client


def find_or_create_by_contacts(kind: str, entries: Sequence[tuple[str, str]]) -> list[Client | None]:
    """For channel intake, many senders at once: for each ``(value, name)`` the known
    client with that contact (the earliest, as :func:`find_by_contact`), or a new
    person with that name (or the value, if none) and the contact as primary; None
    where the value is not a valid contact of ``kind``. A value that comes twice
    gives one client, named by its first entry.

    One query finds the known ones; the new clients, their contacts and search keys
    are inserted a table at a time, in one transaction (the caller's, if any). Two
    workers never create the same client twice: on PostgreSQL each new value is
    locked for the transaction and looked up again; on SQLite the IMMEDIATE
    transaction lets one writer in at a time (the values are looked up again in it
    unless the first look already was).
    """
    if kind not in ContactKind.values:
        raise InvalidInput(_("Unknown kind of contact."), field="contacts")
    normalized: list[str | None] = []
    names: dict[str, tuple[str, str]] = {}  # normalised value → (as written, name) of its first entry
    for value, name in entries:
        try:
            key = normalize_contact(kind, value)
        except InvalidContact:
            normalized.append(None)
            continue
        normalized.append(key)
        names.setdefault(key, (value, name))
    if not names:
        return [None] * len(normalized)
    locked = connection.vendor == "sqlite" and transaction.get_connection().in_atomic_block
    found = _known(kind, list(names))
    new = [key for key in names if key not in found]
    if new:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _lock_values(kind, new)
            if not locked:  # somebody may have added them since we looked
                found.update(_known(kind, new))
                new = [key for key in new if key not in found]
            found.update(_create_with_contact(kind, [(key, *names[key]) for key in new]))
    return [found[key] if key is not None else None for key in normalized]


def _lookup_kinds(kind: str) -> list[str]:
    """The kinds of contact one value is matched against (a phone is also WhatsApp)."""
    phones = [ContactKind.PHONE, ContactKind.WHATSAPP]
    return [str(k) for k in phones] if kind in phones else [kind]


_LOOKUP_CHUNK = 500  # values per query: well under every database's limit


def _known(kind: str, normalized: Sequence[str]) -> dict[str, Client]:
    """The client of each normalised value that has one: the earliest contact's.

    Every appeal from a channel asks this, so the SQL is written out (``fastsql``)."""
    found: dict[str, Client] = {}
    kinds = _lookup_kinds(kind)
    fields = Client._meta.concrete_fields
    columns = ", ".join(f"c.{f.column}" for f in fields)
    db = connection.alias
    for start in range(0, len(normalized), _LOOKUP_CHUNK):
        chunk = list(normalized[start : start + _LOOKUP_CHUNK])
        sql = (
            f"SELECT k.normalized, {columns} FROM clients_contact k JOIN clients_client c ON c.id = k.client_id"  # noqa: S608 - names from the model
            f" WHERE k.kind IN ({fastsql.placeholders(kinds)}) AND k.normalized IN ({fastsql.placeholders(chunk)})"
            " ORDER BY k.id"
        )
        for value, *row in fastsql.select(sql, [*kinds, *chunk], [None, *fields]):
            if value not in found:
                found[value] = Client.from_db(db, [f.attname for f in fields], row)
    return found


def _lock_values(kind: str, normalized: Sequence[str]) -> None:
    """PostgreSQL: hold a transaction lock on each value (in one order, so two
    workers never wait on each other crosswise)."""
    group = _lookup_kinds(kind)[0]
    keys = sorted(
        {
            int.from_bytes(hashlib.blake2b(f"contact:{group}:{value}".encode(), digest_size=8).digest(), signed=True)
            for value in normalized
        }
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [keys])


def _create_with_contact(kind: str, new: Sequence[tuple[str, str, str]]) -> dict[str, Client]:
    """New people from ``(normalised value, as written, name)``, the contact primary:
    the rows ``create_client`` would write, without its queries."""
    if not new:
        return {}
    clients = []
    for normalized, value, name in new:
        client = Client(name=(" ".join((name.strip() or value.strip()).split()))[:300], kind=ClientKind.PERSON)
        client.search_key = _search_key(client, [normalized])
        clients.append(client)
    fastsql.insert_many(clients, returning=True)
    fastsql.insert_rows(
        Contact,
        [
            {"client": client, "kind": kind, "value": value.strip()[:320], "normalized": normalized, "is_primary": True}
            for client, (normalized, value, _name) in zip(clients, new, strict=True)
        ],
    )
    return {normalized: client for client, (normalized, _value, _name) in zip(clients, new, strict=True)}


def search(user: User, text: str, queryset: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Clients whose name, tax id or any contact contains ``text`` (case-, «ё»- and
    phone-format-insensitive)."""
    _require_staff(user)
    qs = Client.objects.all() if queryset is None else queryset
    text = text.strip()
    if not text:
        return qs
    condition = Q(search_key__contains=fold(text))
    digits = "".join(ch for ch in text if ch.isdecimal())
    if len(digits) >= 6:
        with contextlib.suppress(InvalidContact):
            condition |= Q(contacts__normalized=normalize_phone(text))
        condition |= Q(search_key__contains=digits)
    return qs.filter(condition).distinct()
