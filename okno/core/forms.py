"""What the settings pages' forms share. The forms check types; the rules are the
services', so a page saves through its service and shows the service's error on
the field it names (or above the form), with the form as typed and a 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from okno.core.errors import InvalidInput, OknoError


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap's classes on every widget (the templates lay the fields out)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):  # and SelectMultiple
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = css


class ServiceForm(forms.Form):
    """A form whose rules a service checks: styled widgets, and the service's
    ``InvalidInput`` on the field it names."""

    # The service's name of a field -> the form's, where they differ.
    error_fields: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def form_field(self, service_field: str) -> str:
        return self.error_fields.get(service_field, service_field)

    def add_service_error(self, exc: InvalidInput) -> None:
        """A service's error on the control it names, or above the form."""
        name = self.form_field(exc.field or "")
        self.add_error(name if name in self.fields else None, exc.message)


def named_label(obj: Any) -> str:
    """A row by its name in the page's language, one with a parent (a subcategory, a
    branch of an organisation) as "Parent › Row"."""
    parent = getattr(obj, "parent", None)
    name = str(getattr(obj, "display_name", obj))
    return f"{getattr(parent, 'display_name', parent)} › {name}" if parent is not None else name


class NamedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return named_label(obj)


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return named_label(obj)


def save_through_service(
    request: HttpRequest, form: ServiceForm, save: Callable[[], str], success_url: str
) -> HttpResponse | None:
    """For a valid ``form``, ``save()`` (which calls the service and returns the
    message to show): on success the message and a redirect to ``success_url``; a
    service error goes onto the form. ``None`` when the page should show the form
    again (with status 400)."""
    if form.is_valid():
        try:
            message = save()
        except InvalidInput as exc:
            form.add_service_error(exc)
        except OknoError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect(success_url)
    return None
