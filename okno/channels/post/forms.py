"""Forms of the post pages: they only validate; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from okno.channels.post.models import PostSettings
from okno.channels.post.services.settings import EDITABLE
from okno.core.forms import style_widgets


class AddressForm(forms.Form):
    """The paper-letter part of the reply form on the appeal page."""

    addressee = forms.CharField(label=_("Addressee"), max_length=300, required=False)
    address = forms.CharField(label=_("Postal address"), max_length=2000, required=False, widget=forms.Textarea)
    locality = forms.CharField(label=_("Region, city"), max_length=300, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    save_to_client = forms.BooleanField(label=_("Save the address to the client's card"), required=False)


class LetterForm(forms.Form):
    addressee = forms.CharField(label=_("Addressee"), max_length=300)
    address = forms.CharField(label=_("Postal address"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    locality = forms.CharField(label=_("Region, city"), max_length=300, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    weight_g = forms.IntegerField(label=_("Weight, g"), min_value=1, max_value=100_000)
    declared_value = forms.DecimalField(label=_("Declared value"), min_value=0, decimal_places=2, max_digits=12)
    cash_on_delivery = forms.DecimalField(label=_("Cash on delivery"), min_value=0, decimal_places=2, max_digits=12)
    postage = forms.DecimalField(label=_("Postage"), min_value=0, decimal_places=2, max_digits=12)
    special_marks = forms.CharField(label=_("Special marks"), max_length=200, required=False)
    tracking_number = forms.CharField(label=_("Tracking number (ШПИ)"), max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PostSettings
        fields = list(EDITABLE)
        widgets = {
            "org_address": forms.Textarea(attrs={"rows": 2}),
            "org_requisites": forms.Textarea(attrs={"rows": 2}),
            "sender_address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
