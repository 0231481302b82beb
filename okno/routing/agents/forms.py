"""Forms of the agents' settings pages. They check types; the rules are the
services' (``services.limits``), whose errors the views put on the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from okno.appeals.choices import Channel
from okno.catalog.models import Product
from okno.core.forms import ServiceForm
from okno.routing.agents.services.limits import LANGUAGES, MAX_LIMIT


def _limit_field(label: Any, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_LIMIT,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "placeholder": "∞"}),
    )


class Products(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AgentForm(ServiceForm):
    """``max_open``, one ``limit_<channel>`` per channel, ``languages``, ``products``."""

    max_open = _limit_field(
        _("Open appeals at most"), _("New, in work and waiting for the client, all channels. Empty: no limit.")
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        choices=list(LANGUAGES.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("None ticked: appeals in any language."),
    )
    products = Products(
        label=_("Products"),
        required=False,
        queryset=Product.objects.filter(is_active=True),
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 6}),
        help_text=_("None chosen: appeals about any product."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in Channel.choices:
            self.fields[f"limit_{code}"] = _limit_field(label)

    def channel_fields(self) -> list[forms.BoundField]:
        return [self[f"limit_{code}"] for code in Channel.values]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "max_open": data["max_open"],
            "channel_limits": {c: data[f"limit_{c}"] for c in Channel.values if data.get(f"limit_{c}") is not None},
            "languages": list(data["languages"]),
            "products": [p.pk for p in data["products"]],
        }

    def form_field(self, service_field: str) -> str:
        if service_field.startswith("channel_limits."):
            return "limit_" + service_field.split(".", 1)[1]
        return service_field


def agent_initial(info: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "max_open": info.max_open,
        "languages": info.languages,
        "products": info.products,
    }
    for code, limit in info.channel_limits.items():
        initial[f"limit_{code}"] = limit
    return initial


class ChannelLimitsForm(forms.Form):
    """One ``limit_<channel>`` per channel: the total for all agents together."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in Channel.choices:
            self.fields[f"limit_{code}"] = _limit_field(label)

    def limits(self) -> dict[str, int]:
        return {
            c: self.cleaned_data[f"limit_{c}"]
            for c in Channel.values
            if self.cleaned_data.get(f"limit_{c}") is not None
        }
