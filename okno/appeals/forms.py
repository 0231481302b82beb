"""Forms of the operator window. They only validate and convert what a person
typed; the services decide whether the change is allowed and make it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Channel, LinkKind, Outcome, Priority, Status
from okno.appeals.models import Category, Kind
from okno.catalog.models import Product
from okno.clients.models import Client
from okno.queues.models import Queue

NUMBER_PATTERN = r"^\s*\d{4}-\d{1,9}\s*$"
STATUS_AFTER_REPLY = [
    (Status.ANSWERED, _("Answered")),
    (Status.WAITING_CLIENT, _("Waiting for the client")),
    (Status.IN_WORK, _("Still in work")),
]


def work_staff() -> QuerySet[User]:
    """People who can be given appeals (the service checks the rest)."""
    return User.objects.filter(is_active=True).filter(Q(role__in=access.WORK_ROLES) | Q(is_superuser=True))


def assignable_users(actor: User, queue: Queue | None = None) -> QuerySet[User]:
    """Whom ``actor`` may offer as assignee: anyone for dispatchers, supervisors and
    administrators; otherwise themselves and the members of the queue (or of their
    own queues when there is none yet)."""
    qs = work_staff()
    if access.can_assign_anyone(actor):
        return qs.order_by("last_name", "first_name", "username")
    queue_ids = [queue.pk] if queue is not None else list(access.queue_ids_of(actor))
    return (
        qs.filter(Q(memberships__queue_id__in=queue_ids) | Q(pk=actor.pk))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def tag_names(text: str) -> list[str]:
    return [name.strip() for name in text.replace(";", ",").split(",") if name.strip()]


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class ClassificationMixin(forms.Form):
    """Kind, category → subcategory, product: reference data still in use."""

    kind = forms.ModelChoiceField(label=_("Kind"), queryset=Kind.objects.filter(is_active=True))
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.filter(is_active=True, parent__isnull=True)
    )
    subcategory = forms.ModelChoiceField(
        label=_("Subcategory"), required=False, queryset=Category.objects.filter(is_active=True, parent__isnull=False)
    )
    product = forms.ModelChoiceField(
        label=_("Product or service"), required=False, queryset=Product.objects.filter(is_active=True)
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    queue = forms.ModelChoiceField(label=_("Queue"), required=False, queryset=Queue.objects.filter(is_active=True))
    tags = forms.CharField(label=_("Tags"), required=False, max_length=1000, help_text=_("Separated by commas."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        category, subcategory = data.get("category"), data.get("subcategory")
        if subcategory is not None and (category is None or subcategory.parent_id != category.pk):
            self.add_error("subcategory", _("Choose a subcategory of the chosen category."))
        data["chosen_category"] = subcategory or category
        data["tag_list"] = tag_names(data.get("tags") or "")
        return data


class RegulatorMixin(forms.Form):
    """Forwarded by the regulator, with its reference number and letter date."""

    regulator_forwarded = forms.BooleanField(label=_("Forwarded by the regulator"), required=False)
    regulator_reference = forms.CharField(label=_("Regulator's reference number"), required=False, max_length=100)
    regulator_letter_date = forms.DateField(label=_("Date of the regulator's letter"), required=False)

    def regulator_changes(self) -> dict[str, Any]:
        """Unticking the flag clears the reference and the date (the service checks the rest)."""
        data = self.cleaned_data
        if not data.get("regulator_forwarded"):
            return {"regulator_forwarded": False, "regulator_reference": "", "regulator_letter_date": None}
        return {
            "regulator_forwarded": True,
            "regulator_reference": data.get("regulator_reference") or "",
            "regulator_letter_date": data.get("regulator_letter_date"),
        }


class NewAppealForm(RegulatorMixin, ClassificationMixin):
    client = forms.ModelChoiceField(label=_("Client"), required=False, queryset=Client.objects.all())
    new_client_name = forms.CharField(label=_("Name"), required=False, max_length=300)
    new_client_phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    new_client_email = forms.CharField(label=_("E-mail"), required=False, max_length=320)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    subject = forms.CharField(label=_("Subject"), max_length=500)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea, max_length=100_000)
    assignee = UserChoiceField(label=_("Assignee"), required=False, queryset=work_staff())
    received_at = forms.DateTimeField(
        label=_("Received"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("For a letter or a call that came earlier; empty means now."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_new = any(data.get(name) for name in ("new_client_name", "new_client_phone", "new_client_email"))
        if has_new and data.get("client") is None and not (data.get("new_client_name") or "").strip():
            self.add_error("new_client_name", _("Give the new client's name."))
        return data


class FieldsForm(RegulatorMixin, ClassificationMixin):
    subject = forms.CharField(label=_("Subject"), max_length=500)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea, max_length=100_000)
    # Text, not a DecimalField: the service reads "12 500,00" as well as "12500.00".
    claim_amount = forms.CharField(label=_("Price or amount claimed"), required=False, max_length=30)

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "subject": data["subject"],
            "description": data["description"],
            "kind": data["kind"],
            "category": data["chosen_category"],
            "product": data["product"],
            "priority": data["priority"],
            "queue": data["queue"],
            "claim_amount": data["claim_amount"],
            "tags": data["tag_list"],
            **self.regulator_changes(),
        }


class ClientChoiceForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), required=False, queryset=Client.objects.all())


class AssignForm(forms.Form):
    assignee = UserChoiceField(label=_("Assignee"), required=False, queryset=work_staff())
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea)


class MergeForm(forms.Form):
    target = forms.RegexField(label=_("Merge into appeal number"), regex=NUMBER_PATTERN, max_length=20)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000)


class LinkForm(forms.Form):
    other = forms.RegexField(label=_("Appeal number"), regex=NUMBER_PATTERN, max_length=20)
    kind = forms.ChoiceField(label=_("Kind of link"), choices=LinkKind.choices, initial=LinkKind.RELATED)


class UnlinkForm(forms.Form):
    other = forms.RegexField(label=_("Appeal number"), regex=NUMBER_PATTERN, max_length=20)


class SubcaseForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=500)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea, max_length=100_000)
    queue = forms.ModelChoiceField(label=_("Queue"), required=False, queryset=Queue.objects.filter(is_active=True))
    assignee = UserChoiceField(label=_("Assignee"), required=False, queryset=work_staff())


class ReplyForm(forms.Form):
    body_text = forms.CharField(label=_("Reply"), max_length=200_000, widget=forms.Textarea)
    status_after = forms.ChoiceField(label=_("After sending"), choices=STATUS_AFTER_REPLY, initial=Status.ANSWERED)


class NoteForm(forms.Form):
    body_text = forms.CharField(label=_("Note"), max_length=200_000, widget=forms.Textarea)


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What should be changed"), max_length=5000, widget=forms.Textarea)


class ReviseForm(forms.Form):
    body_text = forms.CharField(label=_("Reply"), max_length=200_000, widget=forms.Textarea)


class BulkForm(forms.Form):
    """The inbox's bulk actions: assign the ticked appeals, or close them."""

    MAX_ITEMS = 500

    action = forms.ChoiceField(choices=[("assign", _("Assign")), ("close", _("Close"))])
    assignee = forms.CharField(label=_("Assignee"), required=False, max_length=20)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *Outcome.choices])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ids: list[int] = []
        for raw in self.data.getlist("ids"):  # type: ignore[attr-defined]
            if str(raw).isdecimal() and int(raw) not in ids:
                ids.append(int(raw))
        if not ids:
            raise forms.ValidationError(_("Tick the appeals first."))
        data["ids"] = ids[: self.MAX_ITEMS]
        if data.get("action") == "close" and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome."))
        assignee = data.get("assignee") or ""
        if data.get("action") == "assign" and not (assignee in ("me", "none") or assignee.isdecimal()):
            self.add_error("assignee", _("Choose whom to assign."))
        return data


def form_errors(form: forms.Form) -> str:
    """All of a form's errors as one sentence for a flash message."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)
