"""Clients (people and organisations) and the contacts that identify them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.clients.choices import ClientKind, ContactKind, Segment
from okno.lib.contacts import format_phone


class Client(models.Model):
    """A person or an organisation that writes to us.

    Organisations nest (network → shop), and a person can belong to one (an
    employee of a shop), through ``parent``.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ClientKind.choices, default=ClientKind.PERSON)
    name = models.CharField(_("name"), max_length=300)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("organisation"),
    )
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, default=Segment.RETAIL)
    is_vip = models.BooleanField(_("VIP"), default=False)
    tax_id = models.CharField(_("tax id (INN)"), max_length=12, blank=True)
    external_id = models.CharField(_("id in the CRM"), max_length=100, blank=True, db_index=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Case- and «ё»-folded name and contacts, kept by ``okno.clients.services``:
    # Cyrillic search works the same on SQLite (whose LIKE folds only ASCII) and
    # PostgreSQL.
    search_key = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Client]:
        chain: list[Client] = []
        node = self.parent
        while node is not None and node not in chain and len(chain) < 10:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Contact(models.Model):
    """An e-mail, a phone or a messenger id of a client, kept both as written and
    normalised (E.164, case-folded) so the same person is matched from any channel."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client"))
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    value = models.CharField(_("as written"), max_length=320)
    normalized = models.CharField(_("normalised"), max_length=320)
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["client", "-is_primary", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "normalized"], name="uniq_client_contact"),
        ]
        indexes = [models.Index(fields=["kind", "normalized"], name="contact_lookup_idx")]

    def __str__(self) -> str:
        return self.display_value

    @property
    def display_value(self) -> str:
        if self.kind in (ContactKind.PHONE, ContactKind.WHATSAPP):
            return format_phone(self.normalized)
        return self.normalized if self.kind == ContactKind.EMAIL else self.value
