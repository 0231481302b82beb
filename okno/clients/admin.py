from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okno.clients.models import Client, Contact
from okno.clients.services import refresh_search_key
from okno.core.admin import AdminOnly
from okno.lib.contacts import InvalidContact, normalize_contact


class ContactForm(forms.ModelForm):  # type: ignore[type-arg]
    """Contacts typed in the admin are normalised exactly as the services do."""

    class Meta:
        model = Contact
        fields = ("kind", "value", "is_primary")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and data.get("value"):
            try:
                self.instance.normalized = normalize_contact(data["kind"], data["value"])
            except InvalidContact:
                raise forms.ValidationError({"value": _("Not a valid contact of this kind.")}) from None
        return data


class ContactInline(AdminOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Contact
    form = ContactForm
    extra = 1
    fields = ("kind", "value", "is_primary")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return super().has_change_permission(request, obj)


@admin.register(Client)
class ClientAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "segment", "is_vip", "parent", "created_at")
    list_filter = ("kind", "segment", "is_vip")
    search_fields = ("name", "tax_id", "external_id", "search_key")
    autocomplete_fields = ("parent",)
    fields = ("kind", "name", "parent", "segment", "is_vip", "tax_id", "external_id", "postal_address", "notes")
    inlines = [ContactInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_key(form.instance)
