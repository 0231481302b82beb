"""The deadline policies page, /deadlines/policies/: every policy in matching order
with its basis, criteria and clocks, for all staff to read. Administrators switch
policies on and off, move them up and down, and add, edit and delete them (htmx;
plain form posts work too). Every change goes through ``services.policy_admin``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.db.models.functions import Coalesce
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.appeals.choices import Channel, Priority, Status
from okno.appeals.models import Category, Kind
from okno.clients.choices import Segment
from okno.core.auth import login_required
from okno.core.errors import InvalidInput, OknoError
from okno.core.forms import NamedMultipleChoiceField, ServiceForm
from okno.deadlines.choices import ClockKind, CountsFrom, DayOffRule, TermUnit
from okno.deadlines.models import Calendar, DeadlinePolicy, PolicyClock
from okno.deadlines.queries import term_text
from okno.deadlines.services import policy_admin as services

LIST = "#policy-list"


# --- forms ------------------------------------------------------------------------------


class UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class PolicyForm(ServiceForm):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=200, required=False)
    basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=300, required=False)
    basis_en = forms.CharField(label=gettext_lazy("Legal basis (English)"), max_length=300, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)
    position = forms.IntegerField(
        label=gettext_lazy("Position"),
        min_value=0,
        max_value=services.MAX_POSITION,
        required=False,
        help_text=gettext_lazy("Lower goes first. Empty: last."),
    )
    kinds = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Kinds"), queryset=Kind.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = NamedMultipleChoiceField(
        label=gettext_lazy("Categories"),
        # Each category followed by its subcategories.
        queryset=Category.objects.select_related("parent").order_by(
            Coalesce("parent__position", "position"),
            Coalesce("parent_id", "id"),
            F("parent_id").asc(nulls_first=True),
            "position",
        ),
        required=False,
        help_text=gettext_lazy("A category matches its subcategories too."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    segments = forms.MultipleChoiceField(
        label=gettext_lazy("Client segments"),
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priorities = forms.MultipleChoiceField(
        label=gettext_lazy("Priorities"), choices=Priority.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    reminder_percents = forms.CharField(
        label=gettext_lazy("Remind at (percent of the term)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Whole numbers from 1 to 99, separated by commas, e.g. 50, 80."),
    )
    remind_on_last_day = forms.BooleanField(label=gettext_lazy("Remind on the last working day"), required=False)
    breach_notifies_supervisors = forms.BooleanField(
        label=gettext_lazy("Notify supervisors at a breach"), required=False
    )
    breach_raises_priority = forms.BooleanField(label=gettext_lazy("Raise the priority at a breach"), required=False)
    breach_reassigns_to = UserChoice(
        label=gettext_lazy("Reassign to at a breach"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name", "username"),
        required=False,
        empty_label="—",
    )

    def clean_reminder_percents(self) -> list[int]:
        raw = self.cleaned_data.get("reminder_percents") or ""
        parts = [p.strip().rstrip("%") for p in raw.replace(";", ",").split(",") if p.strip()]
        try:
            return services.clean_policy({"reminder_percents": parts})["reminder_percents"]  # type: ignore[no-any-return]
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("position") is None:
            data.pop("position", None)
        return data


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class ClockForm(ServiceForm):
    # Initial values are what an empty row shows, so a row left empty is no clock.
    clock = forms.ChoiceField(label=gettext_lazy("Clock"), choices=_blank(ClockKind.choices), initial="")
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage (status)"),
        choices=_blank([(s.value, s.label) for s in services.STAGE_STATUSES]),
        required=False,
        initial="",
    )
    term_amount = forms.IntegerField(label=gettext_lazy("Term"), min_value=1, max_value=services.MAX_TERM)
    term_unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=TermUnit.choices, initial=TermUnit.CALENDAR_DAYS)
    calendar = forms.ModelChoiceField(
        label=gettext_lazy("Calendar"),
        queryset=Calendar.objects.all(),
        required=False,
        empty_label=gettext_lazy("Default calendar"),
    )
    day_off_rule = forms.ChoiceField(
        label=gettext_lazy("Deadline on a day off"), choices=DayOffRule.choices, initial=DayOffRule.NEXT
    )
    counts_from = forms.ChoiceField(
        label=gettext_lazy("Counts from"), choices=CountsFrom.choices, initial=CountsFrom.RECEIVED
    )
    is_statutory = forms.BooleanField(label=gettext_lazy("Set by law"), required=False)
    pauses_while_waiting = forms.BooleanField(label=gettext_lazy("Pauses while waiting for the client"), required=False)
    extension_amount = forms.IntegerField(
        label=gettext_lazy("Extension"), min_value=1, max_value=services.MAX_TERM, required=False
    )
    extension_notice_required = forms.BooleanField(
        label=gettext_lazy("The client must be notified of an extension"), required=False, initial=True
    )
    extension_basis = forms.CharField(label=gettext_lazy("Basis for an extension"), max_length=300, required=False)
    citation = forms.CharField(label=gettext_lazy("Article"), max_length=300, required=False)
    citation_en = forms.CharField(label=gettext_lazy("Article (English)"), max_length=300, required=False)
    penalty_percent_per_day = forms.DecimalField(
        label=gettext_lazy("Penalty, percent of the price per day of delay"),
        max_digits=5,
        decimal_places=2,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("DELETE"):
            return data
        try:
            services.clean_clock({k: v for k, v in data.items() if k in services.CLOCK_FIELDS})
        except InvalidInput as exc:
            self.add_service_error(exc)
        return data


ClockFormSet = formset_factory(ClockForm, extra=1, can_delete=True, max_num=20, validate_max=True)


def _clock_initial(clock: PolicyClock) -> dict[str, Any]:
    return {field: getattr(clock, field) for field in services.CLOCK_FIELDS}


def _policy_initial(policy: DeadlinePolicy) -> dict[str, Any]:
    initial = {
        field: getattr(policy, field) for field in services.POLICY_FIELDS if field not in ("kinds", "categories")
    }
    initial["kinds"] = list(policy.kinds.all())
    initial["categories"] = list(policy.categories.all())
    initial["reminder_percents"] = ", ".join(str(p) for p in policy.reminder_percents or [])
    return initial


NEW_POLICY_INITIAL = {
    "is_active": False,
    "reminder_percents": "50, 80",
    "remind_on_last_day": True,
    "breach_notifies_supervisors": True,
    "breach_raises_priority": True,
}


# --- what the page shows ------------------------------------------------------------------


@dataclass
class ClockRow:
    clock: PolicyClock
    label: str
    term: str
    calendar: str
    extension: str
    citation: str


@dataclass
class PolicyRow:
    policy: DeadlinePolicy
    number: int
    clocks: list[ClockRow]
    kinds: list[str]
    categories: list[str]
    channels: list[str]
    segments: list[str]
    priorities: list[str]
    is_first: bool
    is_last: bool

    @property
    def has_criteria(self) -> bool:
        return bool(self.kinds or self.categories or self.channels or self.segments or self.priorities)


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _clock_label(clock: PolicyClock) -> str:
    if clock.clock == ClockKind.STAGE:
        return _("Stage: %(stage)s") % {"stage": _label(Status, clock.stage)}
    return _label(ClockKind, clock.clock)


def rows() -> list[PolicyRow]:
    policies = list(
        DeadlinePolicy.objects.order_by("position", "id")
        .select_related("breach_reassigns_to")
        .prefetch_related("kinds", "categories__parent", "clocks__calendar")
    )
    default = Calendar.objects.filter(is_default=True).first()
    default_name = default.display_name if default is not None else _("Default calendar")
    out = []
    for n, policy in enumerate(policies, start=1):
        clocks = [
            ClockRow(
                clock=c,
                label=_clock_label(c),
                term=term_text(c.term_amount, c.term_unit),
                calendar=c.calendar.display_name if c.calendar is not None else default_name,
                extension=term_text(c.extension_amount, c.term_unit) if c.extension_amount else "",
                citation=c.display_citation,
            )
            for c in sorted(policy.clocks.all(), key=lambda c: (list(ClockKind.values).index(c.clock), c.stage))
        ]
        out.append(
            PolicyRow(
                policy=policy,
                number=n,
                clocks=clocks,
                kinds=[k.display_name for k in policy.kinds.all()],
                categories=[
                    f"{c.parent.display_name} › {c.display_name}" if c.parent is not None else c.display_name
                    for c in policy.categories.all()
                ],
                channels=[_label(Channel, c) for c in policy.channels or ()],
                segments=[_label(Segment, s) for s in policy.segments or ()],
                priorities=[_label(Priority, p) for p in policy.priorities or ()],
                is_first=n == 1,
                is_last=n == len(policies),
            )
        )
    return out


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _list_response(request: HttpRequest, status: int = 200) -> HttpResponse:
    """The policy list, for htmx (with the flash messages out of band) or, after a
    plain form post, a redirect to the page."""
    if not _is_htmx(request):
        return redirect("deadlines:policies")
    context = {"rows": rows(), "can_edit": is_admin(_user(request))}
    html = render_to_string("deadlines/policies_list.html", context, request=request)
    html += render_to_string("_messages_oob.html", {}, request=request)
    response = HttpResponse(html, status=status)
    response["HX-Retarget"] = LIST
    response["HX-Reswap"] = "outerHTML"
    return response


def _run(request: HttpRequest, call: Callable[[], Any], success: str) -> HttpResponse:
    try:
        call()
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return _list_response(request, 403)
    except OknoError as exc:
        messages.error(request, exc.message)
        return _list_response(request, exc.status_code)
    messages.success(request, success)
    return _list_response(request)


def _policy(code: str) -> DeadlinePolicy:
    found = DeadlinePolicy.objects.filter(code=code).first()
    if found is None:
        raise Http404(_("No such deadline policy."))
    return found


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(_user(request)):
        raise PermissionDenied(_("Only administrators may change deadline policies."))


# --- pages ----------------------------------------------------------------------------------


@login_required
@require_GET
def policies(request: HttpRequest) -> HttpResponse:
    context = {"nav_section": "policies", "rows": rows(), "can_edit": is_admin(_user(request))}
    return render(request, "deadlines/policies.html", context)


def _form_response(
    request: HttpRequest,
    policy: DeadlinePolicy | None,
    form: PolicyForm,
    clocks: Any,
    status: int = 200,
) -> HttpResponse:
    context = {"policy": policy, "form": form, "clocks": clocks, "nav_section": "policies"}
    template = "deadlines/policies_form.html" if _is_htmx(request) else "deadlines/policies_form_page.html"
    return render(request, template, context, status=status)


def _auto_id(policy: DeadlinePolicy | None) -> str:
    """Element ids unique on the page: several forms may be open at once."""
    return f"policy-{policy.code if policy is not None else 'new'}-%s"


def _policy_form(policy: DeadlinePolicy | None, **kwargs: Any) -> PolicyForm:
    form = PolicyForm(auto_id=_auto_id(policy), **kwargs)
    if policy is not None and policy.is_preset:
        # The installer knows a preset by its code.
        form.fields["code"].disabled = True
        form.fields["code"].help_text = _("A shipped preset keeps its code.")
    return form


def _save(request: HttpRequest, policy: DeadlinePolicy | None) -> HttpResponse:
    form = _policy_form(policy, data=request.POST, initial={"code": policy.code} if policy is not None else None)
    clocks = ClockFormSet(request.POST, prefix="clocks", auto_id=_auto_id(policy))
    if form.is_valid() and clocks.is_valid():
        deleted = set(map(id, clocks.deleted_forms))
        clock_values = [
            {k: v for k, v in f.cleaned_data.items() if k in services.CLOCK_FIELDS}
            for f in clocks.forms
            if f.has_changed() and f.cleaned_data and id(f) not in deleted
        ]
        try:
            if policy is None:
                saved = services.create_policy(_user(request), form.values(), clock_values)
                message = _("The policy “%(name)s” is added.") % {"name": saved.display_name}
            else:
                saved = services.update_policy(_user(request), policy, form.values(), clock_values)
                message = _("The policy “%(name)s” is saved.") % {"name": saved.display_name}
        except PermissionDenied:
            raise
        except OknoError as exc:
            field = exc.field or ""
            if field in form.fields:
                form.add_error(field, exc.message)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return _list_response(request)
    return _form_response(request, policy, form, clocks, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method == "POST":
        return _save(request, None)
    form = _policy_form(None, initial=NEW_POLICY_INITIAL)
    return _form_response(request, None, form, ClockFormSet(prefix="clocks", auto_id=_auto_id(None)))


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, code: str) -> HttpResponse:
    _require_admin(request)
    policy = _policy(code)
    if request.method == "POST":
        return _save(request, policy)
    form = _policy_form(policy, initial=_policy_initial(policy))
    clocks = ClockFormSet(
        prefix="clocks", initial=[_clock_initial(c) for c in policy.clocks.order_by("id")], auto_id=_auto_id(policy)
    )
    return _form_response(request, policy, form, clocks)


@login_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    """The list alone (htmx: "cancel" on a form)."""
    context = {"rows": rows(), "can_edit": is_admin(_user(request))}
    return render(request, "deadlines/policies_list.html", context)


@login_required
@require_POST
def policy_toggle(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy(code)
    active = not policy.is_active
    success = (
        _("The policy “%(name)s” is switched on.") if active else _("The policy “%(name)s” is switched off.")
    ) % {"name": policy.display_name}
    return _run(request, lambda: services.set_active(_user(request), policy, active), success)


@login_required
@require_POST
def policy_move(request: HttpRequest, code: str, direction: str) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404
    policy = _policy(code)
    success = _("The order of the policies is changed.")
    return _run(request, lambda: services.move(_user(request), policy, direction), success)  # type: ignore[arg-type]


@login_required
@require_POST
def policy_delete(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy(code)
    success = _("The policy “%(name)s” is deleted.") % {"name": policy.display_name}
    return _run(request, lambda: services.delete_policy(_user(request), policy), success)
