"""Forms of the client pages: validation only; ``okno.clients.services`` changes things."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from okno.clients.choices import ClientKind, ContactKind, Segment
from okno.clients.models import Client


class ClientForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ClientKind.choices, initial=ClientKind.PERSON)
    name = forms.CharField(label=_("Name"), max_length=300)
    parent = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=Client.objects.filter(kind=ClientKind.ORGANISATION)
    )
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices, initial=Segment.RETAIL)
    is_vip = forms.BooleanField(label=_("VIP"), required=False)
    tax_id = forms.CharField(label=_("Tax id (INN)"), required=False, max_length=12)
    external_id = forms.CharField(label=_("Id in the CRM"), required=False, max_length=100)
    postal_address = forms.CharField(label=_("Postal address"), required=False, widget=forms.Textarea, max_length=2000)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea, max_length=10_000)

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "kind",
                "name",
                "parent",
                "segment",
                "is_vip",
                "tax_id",
                "external_id",
                "postal_address",
                "notes",
            )
        }


class NewClientForm(ClientForm):
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=320)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices, initial=ContactKind.PHONE)
    value = forms.CharField(label=_("Contact"), max_length=320)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)
