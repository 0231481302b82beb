"""Django admin for deadline policies (with their clocks inline) and, read-only, the
deadlines running on appeals. Saving validates with the same rules as the policy
services and then makes running deadlines follow (``policy_admin.changed``).
The everyday place for this is /deadlines/policies/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okno.accounts.services import is_admin
from okno.appeals.choices import Channel, Priority
from okno.clients.choices import Segment
from okno.core.admin import AdminOnly, ReadOnly
from okno.core.errors import InvalidInput
from okno.deadlines.models import AppealClock, DeadlinePolicy, PolicyClock
from okno.deadlines.services import policy_admin


class PolicyClockForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PolicyClock
        fields = policy_admin.CLOCK_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("DELETE"):
            try:
                policy_admin.clean_clock({k: data.get(k) for k in policy_admin.CLOCK_FIELDS})
            except InvalidInput as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


class PolicyClockInline(AdminOnly, admin.StackedInline):  # type: ignore[type-arg]
    model = PolicyClock
    form = PolicyClockForm
    extra = 0
    fields = (
        ("clock", "stage"),
        ("term_amount", "term_unit", "calendar"),
        ("day_off_rule", "counts_from"),
        ("is_statutory", "pauses_while_waiting"),
        ("extension_amount", "extension_notice_required", "extension_basis"),
        ("citation", "citation_en"),
        "penalty_percent_per_day",
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)  # type: ignore[arg-type]


class DeadlinePolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    segments = forms.MultipleChoiceField(
        label=_("client segments"), choices=Segment.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    priorities = forms.MultipleChoiceField(
        label=_("priorities"), choices=Priority.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = DeadlinePolicy
        fields = policy_admin.POLICY_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        values: dict[str, Any] = {
            k: data[k] for k in ("channels", "segments", "priorities", "reminder_percents") if k in data
        }
        try:
            data.update(policy_admin.clean_policy(values))
        except InvalidInput as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Policies in matching order. A shipped preset cannot be deleted (the installer
    would bring it back), nor a policy running deadlines still follow."""

    form = DeadlinePolicyForm
    inlines = (PolicyClockInline,)
    list_display = ("position", "name", "code", "is_active", "is_preset", "basis")
    list_display_links = ("name",)
    list_filter = ("is_active", "is_preset", "kinds", "categories")
    list_editable = ()
    ordering = ("position", "id")
    search_fields = ("name", "name_en", "code", "basis", "basis_en")
    filter_horizontal = ("kinds", "categories")
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "basis", "basis_en", "description")}),
        (_("Order"), {"fields": ("is_active", "position", "is_preset")}),
        (_("Which appeals"), {"fields": ("kinds", "categories", "channels", "segments", "priorities")}),
        (
            _("Reminders and breaches"),
            {
                "fields": (
                    "reminder_percents",
                    "remind_on_last_day",
                    "breach_notifies_supervisors",
                    "breach_raises_priority",
                    "breach_reassigns_to",
                )
            },
        ),
    )
    raw_id_fields = ("breach_reassigns_to",)
    actions = None  # deleting goes one by one, through the checks below

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The installer knows a preset by its code.
        return ("is_preset", "code") if obj is not None and obj.is_preset else ("is_preset",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not is_admin(request.user):  # type: ignore[arg-type]
            return False
        if obj is None:
            return True
        running = AppealClock.objects.filter(policy=obj, met_at__isnull=True, cancelled_at__isnull=True)
        return not obj.is_preset and not running.exists()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        message = policy_admin.CHANGED if change else policy_admin.ADDED
        policy = form.instance
        policy_admin.changed(policy, policy_admin.reason_for(message, policy, request.user), rematch=True)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: DeadlinePolicy) -> None:
        policy_admin.delete_policy(request.user, obj)  # type: ignore[arg-type]


@admin.register(AppealClock)
class AppealClockAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Deadlines as they run on appeals: looked at here, changed only by the deadline services."""

    list_display = (
        "appeal",
        "clock",
        "stage",
        "policy",
        "term_amount",
        "term_unit",
        "due_at",
        "met_at",
        "cancelled_at",
    )
    list_filter = ("clock", "term_unit", "is_statutory", "policy")
    list_select_related = ("appeal", "policy")
    search_fields = ("appeal__number",)
    date_hierarchy = "due_at"
    ordering = ("-due_at",)
