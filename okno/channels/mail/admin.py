"""Django admin for the mail channel. Mailboxes and templates are saved through
``services.mailboxes`` (the same checks as the pages and the API); passwords are
write-only fields and never shown. Received and outgoing mail are records, looked at
only; a raw message is downloaded, never shown inline. The everyday place for all
of this is /settings/mail/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from okno.accounts.services import is_admin
from okno.channels.mail.models import AcknowledgementTemplate, InboundMail, Mailbox, OutboundMail
from okno.channels.mail.services import mailboxes as services
from okno.core.admin import AdminOnly, ReadOnly
from okno.core.errors import InvalidInput

STATE_FIELDS = ("state", "state_detail", "state_changed_at", "last_received_at", "uidvalidity", "last_uid")


def _password(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        max_length=1000,
        help_text=_("Write-only. Leave empty to keep the stored password."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class MailboxAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    imap_password = _password(_("IMAP password"))
    smtp_password = _password(_("SMTP password"))

    class Meta:
        model = Mailbox
        fields = [f for f in services.MAILBOX_FIELDS if f not in services.SECRET_FIELDS]

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in services.MAILBOX_FIELDS}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                services.check_mailbox(self.values(), base=self.instance if self.instance.pk else None)
            except InvalidInput as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(Mailbox)
class MailboxAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    form = MailboxAdminForm
    list_display = ("name", "address", "is_active", "state", "last_received_at", "queue")
    list_filter = ("is_active", "state")
    search_fields = ("name", "address", "imap_host")
    readonly_fields = STATE_FIELDS
    fieldsets = (
        (None, {"fields": ("name", "address", "is_active")}),
        (
            _("Receiving (IMAP)"),
            {
                "fields": (
                    ("imap_host", "imap_port", "imap_security"),
                    ("imap_username", "imap_password"),
                    "imap_folder",
                    ("processed_action", "processed_folder"),
                    "verify_tls",
                )
            },
        ),
        (
            _("Sending (SMTP)"),
            {
                "fields": (
                    ("smtp_host", "smtp_port", "smtp_security"),
                    ("smtp_username", "smtp_password"),
                    "from_name",
                )
            },
        ),
        (
            _("Appeals from this mailbox"),
            {
                "fields": (
                    ("queue", "kind", "category", "priority"),
                    ("acknowledge", "acknowledgement_template"),
                    ("reopen_days", "sender_limit_per_hour"),
                )
            },
        ),
        (_("State"), {"fields": STATE_FIELDS}),
    )
    actions = None

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        # The password fields are the form's own (write-only), not the model's.
        fields = kwargs.get("fields") or flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [f for f in fields if f not in services.SECRET_FIELDS]
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Mailbox, form: Any, change: bool) -> None:
        values = form.values()
        if change:
            saved = services.update_mailbox(request.user, obj.pk, values)  # type: ignore[arg-type]
        else:
            saved = services.create_mailbox(request.user, **values)  # type: ignore[arg-type]
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # no relations of its own; the service saved everything

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not is_admin(request.user):  # type: ignore[arg-type]
            return False
        if obj is None:
            return True
        return not (
            InboundMail.objects.filter(mailbox=obj).exists() or OutboundMail.objects.filter(mailbox=obj).exists()
        )

    def delete_model(self, request: HttpRequest, obj: Mailbox) -> None:
        services.delete_mailbox(request.user, obj)  # type: ignore[arg-type]


class TemplateAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AcknowledgementTemplate
        fields = services.TEMPLATE_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                data.update(services.clean_template({k: data.get(k) for k in services.TEMPLATE_FIELDS}))
            except InvalidInput as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(AcknowledgementTemplate)
class AcknowledgementTemplateAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    form = TemplateAdminForm
    list_display = ("name", "subject_ru", "subject_en", "updated_at")
    search_fields = ("name",)
    actions = None

    def save_model(self, request: HttpRequest, obj: AcknowledgementTemplate, form: Any, change: bool) -> None:
        values = {k: form.cleaned_data[k] for k in services.TEMPLATE_FIELDS}
        if change:
            saved = services.update_template(request.user, obj.pk, values)  # type: ignore[arg-type]
        else:
            saved = services.create_template(request.user, values)  # type: ignore[arg-type]
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not is_admin(request.user):  # type: ignore[arg-type]
            return False
        return obj is None or not Mailbox.objects.filter(acknowledgement_template=obj).exists()

    def delete_model(self, request: HttpRequest, obj: AcknowledgementTemplate) -> None:
        services.delete_template(request.user, obj)  # type: ignore[arg-type]


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Received mail as stored; the raw message is a download link, never inline."""

    list_display = ("id", "received_at", "mailbox", "sender", "size", "state", "outcome", "appeal")
    list_filter = ("state", "outcome", "mailbox")
    list_select_related = ("mailbox", "appeal")
    search_fields = ("sender", "mail_id", "=id")
    date_hierarchy = "received_at"
    ordering = ("-id",)
    fields = (
        "mailbox",
        "uidvalidity",
        "uid",
        "mail_id",
        "sender",
        "size",
        "source",
        "received_at",
        "state",
        "outcome",
        "reason",
        "attempts",
        "processed_at",
        "appeal",
        "message",
        "raw_download",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("raw")

    @admin.display(description=_("raw message"))
    def raw_download(self, obj: InboundMail) -> str:
        return format_html('<a href="{}">mail-{}.eml</a>', reverse("mail:raw", args=[obj.pk]), obj.pk)


@admin.register(OutboundMail)
class OutboundMailAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "created_at", "mailbox", "kind", "state", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("state", "kind", "mailbox")
    list_select_related = ("mailbox",)
    search_fields = ("mail_id", "=id")
    ordering = ("-id",)
    raw_id_fields = ("message", "bounce")
