"""Forms of the routing settings pages. A rule's conditions and actions are real
form controls here; the form turns them into the JSON the services check (their
errors come back on the control they name). People never see the JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Channel, Priority
from okno.appeals.models import Category, Kind
from okno.catalog.models import Product
from okno.clients.choices import ClientKind, Segment
from okno.clients.models import Client
from okno.core.forms import NamedChoiceField, NamedMultipleChoiceField, ServiceForm
from okno.deadlines.models import DeadlinePolicy
from okno.queues.models import Queue
from okno.routing.choices import Arrival
from okno.routing.models import RoutingRule
from okno.routing.services.actions import TARGETS

ANY = ""
YES = "yes"
NO = "no"
# Service error fields (conditions.<key>, actions.<key>) → the control that shows them.
ERROR_FIELDS = {
    "conditions.repeat": "repeat_count",
    "actions.queue": "set_queue",
    "actions.kind": "set_kind",
    "actions.category": "set_category",
    "actions.product": "set_product",
    "actions.priority": "set_priority",
    "actions.tags": "add_tags",
    "actions.deadline_policy": "set_deadline_policy",
    "actions.assignee": "set_assignee",
    "actions.to_dispatcher": "dispatcher",
    "actions.regulator_forwarded": "regulator_forwarded",
}


class Styled(ServiceForm):
    """The rule editor's forms: a service's ``conditions.<key>``/``actions.<key>``
    error on the control that shows it."""

    def form_field(self, service_field: str) -> str:
        if service_field in ERROR_FIELDS:
            return ERROR_FIELDS[service_field]
        return service_field.partition(".")[2] if "." in service_field else service_field


def _categories() -> Any:
    """Each category followed by its subcategories."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .order_by(
            Coalesce("parent__position", "position"),
            Coalesce("parent_id", "id"),
            F("parent_id").asc(nulls_first=True),
            "position",
        )
    )


def _staff() -> Any:
    return User.objects.filter(is_active=True, role__in=list(access.WORK_ROLES)).order_by(
        "last_name", "first_name", "username"
    )


def _mailboxes() -> Any:
    from okno.channels.mail.models import Mailbox

    return Mailbox.objects.filter(is_active=True).order_by("name")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _flag(value: str) -> bool | None:
    return True if value == YES else False if value == NO else None


def _flag_choice(value: Any) -> str:
    return YES if value is True else NO if value is False else ANY


class UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class RuleForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    stop = forms.BooleanField(label=_("Stop here: no later rule is tried after this one holds"), required=False)

    # When …
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    mailboxes = NamedMultipleChoiceField(
        label=_("Mailboxes"), queryset=_mailboxes(), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    senders = forms.CharField(
        label=_("Senders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: an address (name@example.ru) or a domain (example.ru or @example.ru)."),
    )
    segments = forms.MultipleChoiceField(
        label=_("Client segments"), choices=Segment.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    organisations = NamedMultipleChoiceField(
        label=_("Organisations"),
        queryset=Client.objects.filter(kind=ClientKind.ORGANISATION).order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("The client is one of them or belongs to one."),
    )
    vip = forms.ChoiceField(
        label=_("VIP client"),
        choices=[(ANY, _("Any client")), (YES, _("VIP clients only")), (NO, _("Not VIP clients"))],
        required=False,
    )
    repeat_count = forms.IntegerField(
        label=_("Earlier appeals of the client, at least"), min_value=1, max_value=1000, required=False
    )
    repeat_days = forms.IntegerField(label=_("within days"), min_value=1, max_value=3650, required=False)
    kinds = NamedMultipleChoiceField(
        label=_("Kinds"),
        queryset=Kind.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = NamedMultipleChoiceField(
        label=_("Categories"),
        queryset=_categories(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("A category matches its subcategories too."),
    )
    products = NamedMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    text = forms.CharField(
        label=_("The text contains any of"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One term per line: a word (matches its forms: «кредит» finds «кредита»), a phrase in quotes, "
            "a word ending in * (its beginning), or /a regular expression/."
        ),
    )
    text_none = forms.CharField(
        label=_("The text contains none of"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    attachments = forms.ChoiceField(
        label=_("Files"),
        choices=[(ANY, _("With or without files")), (YES, _("With files")), (NO, _("Without files"))],
        required=False,
    )
    amount_over = forms.DecimalField(
        label=_("A sum mentioned is over"),
        min_value=Decimal(0),
        max_digits=15,
        decimal_places=2,
        required=False,
        help_text=_("In the text («150 000 руб.», «1,5 млн», “$1,200”) or the amount claimed."),
    )
    arrival = forms.ChoiceField(
        label=_("Received"), choices=[(ANY, _("At any time")), *Arrival.choices], required=False
    )

    # … then
    set_queue = NamedChoiceField(
        label=_("Queue"), queryset=Queue.objects.filter(is_active=True), required=False, empty_label="—"
    )
    set_kind = NamedChoiceField(
        label=_("Kind"), queryset=Kind.objects.filter(is_active=True), required=False, empty_label="—"
    )
    set_category = NamedChoiceField(label=_("Category"), queryset=_categories(), required=False, empty_label="—")
    set_product = NamedChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), required=False, empty_label="—"
    )
    set_priority = forms.ChoiceField(label=_("Priority"), choices=[(ANY, "—"), *Priority.choices], required=False)
    only_raise = forms.BooleanField(label=_("Only raise the priority, never lower it"), required=False)
    add_tags = forms.CharField(
        label=_("Add tags"), required=False, max_length=2000, help_text=_("Separated by commas.")
    )
    set_deadline_policy = NamedChoiceField(
        label=_("Deadline policy"),
        queryset=DeadlinePolicy.objects.filter(is_active=True).order_by("position", "id"),
        required=False,
        empty_label="—",
    )
    set_assignee = UserChoice(
        label=_("Assignee"),
        queryset=_staff(),
        required=False,
        empty_label="—",
        help_text=_("Only if a member of the appeal's queue (as the rule leaves it)."),
    )
    dispatcher = forms.ChoiceField(
        label=_("Dispatcher"),
        choices=[
            (ANY, _("As earlier rules left it")),
            (YES, _("Send to the dispatcher (no automatic assignment)")),
            (NO, _("Not to the dispatcher")),
        ],
        required=False,
    )
    regulator_forwarded = forms.BooleanField(
        label=_("Mark as forwarded by the regulator"),
        required=False,
        help_text=_("The regulator report counts such appeals; no rule takes the mark off."),
    )
    apply_suggestion = forms.MultipleChoiceField(
        label=_("Apply the classifier's suggestion for"),
        choices=[
            ("queue", _("Queue")),
            ("kind", _("Kind")),
            ("category", _("Category")),
            ("product", _("Product")),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when the classifier is at least as sure as the queue's threshold."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("repeat_count") is None) != (data.get("repeat_days") is None):
            self.add_error("repeat_count", _("Give both the number of earlier appeals and the days."))
        return data

    def values(self) -> dict[str, Any]:
        """The rule as the services take it."""
        data = self.cleaned_data
        conditions: dict[str, Any] = {
            "channels": list(data.get("channels") or []),
            "mailboxes": [m.pk for m in data.get("mailboxes") or []],
            "senders": _lines(data.get("senders", "")),
            "segments": list(data.get("segments") or []),
            "organisations": [c.pk for c in data.get("organisations") or []],
            "kinds": [k.pk for k in data.get("kinds") or []],
            "categories": [c.pk for c in data.get("categories") or []],
            "products": [p.pk for p in data.get("products") or []],
            "text": _lines(data.get("text", "")),
            "text_none": _lines(data.get("text_none", "")),
        }
        for key in ("vip", "attachments"):
            flag = _flag(data.get(key) or ANY)
            if flag is not None:
                conditions[key] = flag
        if data.get("repeat_count") is not None and data.get("repeat_days") is not None:
            conditions["repeat"] = {"count": data["repeat_count"], "days": data["repeat_days"]}
        if data.get("amount_over") is not None:
            conditions["amount_over"] = str(data["amount_over"])
        if data.get("arrival"):
            conditions["arrival"] = data["arrival"]
        actions: dict[str, Any] = {}
        for name in ("queue", "kind", "category", "product", "deadline_policy", "assignee"):
            row = data.get(f"set_{name}")
            if row is not None:
                actions[name] = row.pk
        if data.get("set_priority"):
            actions["priority"] = data["set_priority"]
            if data.get("only_raise"):
                actions["only_raise"] = True
        tags = [t.strip() for t in (data.get("add_tags") or "").replace("\n", ",").split(",") if t.strip()]
        if tags:
            actions["tags"] = tags
        dispatcher = _flag(data.get("dispatcher") or ANY)
        if dispatcher is not None:
            actions["to_dispatcher"] = dispatcher
        if data.get("apply_suggestion"):
            actions["apply_suggestion"] = [t for t in TARGETS if t in data["apply_suggestion"]]
        if data.get("regulator_forwarded"):
            actions["regulator_forwarded"] = True
        return {
            "name": data["name"],
            "description": data.get("description") or "",
            "is_active": bool(data.get("is_active")),
            "stop": bool(data.get("stop")),
            "conditions": {k: v for k, v in conditions.items() if v != []},
            "actions": actions,
        }


NEW_RULE_INITIAL = {"is_active": True}


def rule_initial(rule: RoutingRule) -> dict[str, Any]:
    """A saved rule as the form's initial values."""
    c = rule.conditions if isinstance(rule.conditions, dict) else {}
    a = rule.actions if isinstance(rule.actions, dict) else {}
    repeat = c.get("repeat") or {}
    return {
        "name": rule.name,
        "description": rule.description,
        "is_active": rule.is_active,
        "stop": rule.stop,
        "channels": c.get("channels", []),
        "mailboxes": c.get("mailboxes", []),
        "senders": "\n".join(c.get("senders", [])),
        "segments": c.get("segments", []),
        "organisations": c.get("organisations", []),
        "vip": _flag_choice(c.get("vip")),
        "repeat_count": repeat.get("count"),
        "repeat_days": repeat.get("days"),
        "kinds": c.get("kinds", []),
        "categories": c.get("categories", []),
        "products": c.get("products", []),
        "text": "\n".join(c.get("text", [])),
        "text_none": "\n".join(c.get("text_none", [])),
        "attachments": _flag_choice(c.get("attachments")),
        "amount_over": c.get("amount_over"),
        "arrival": c.get("arrival", ANY),
        "set_queue": a.get("queue"),
        "set_kind": a.get("kind"),
        "set_category": a.get("category"),
        "set_product": a.get("product"),
        "set_priority": a.get("priority", ANY),
        "only_raise": bool(a.get("only_raise")),
        "add_tags": ", ".join(a.get("tags", [])),
        "set_deadline_policy": a.get("deadline_policy"),
        "set_assignee": a.get("assignee"),
        "dispatcher": _flag_choice(a.get("to_dispatcher")),
        "apply_suggestion": a.get("apply_suggestion", []),
        "regulator_forwarded": a.get("regulator_forwarded") is True,
    }


class DryRunForm(Styled):
    appeal = forms.CharField(
        label=_("Appeal number"),
        max_length=20,
        required=False,
        help_text=_("Try the rules on a registered appeal; the fields below are then not used."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=500, required=False)
    text = forms.CharField(
        label=_("Text"), max_length=100_000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.MAIL)
    sender = forms.CharField(
        label=_("Sender"), max_length=320, required=False, help_text=_("The address the mail came from.")
    )
    mailbox = NamedChoiceField(label=_("Mailbox"), queryset=_mailboxes(), required=False, empty_label="—")
    client = forms.CharField(
        label=_("Client"),
        max_length=200,
        required=False,
        help_text=_("Name, e-mail or phone; empty: found by the sender's address, if known."),
    )
    attachments = forms.IntegerField(label=_("Files"), min_value=0, max_value=1000, required=False, initial=0)
    claim_amount = forms.DecimalField(
        label=_("Amount claimed"), min_value=Decimal(0), max_digits=14, decimal_places=2, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("appeal") or "").strip() and not (data.get("text") or data.get("subject")):
            self.add_error("text", _("Paste the text of an appeal, or give the number of one."))
        return data
