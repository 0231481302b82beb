"""Forms of the mailbox pages. They check types; the rules are the services'
(``services.mailboxes``), whose errors the views put on the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from okno.appeals.choices import Priority
from okno.appeals.models import Category, Kind
from okno.channels.mail.choices import ProcessedAction, Security
from okno.channels.mail.models import AcknowledgementTemplate, Mailbox
from okno.channels.mail.services import mailboxes as services
from okno.core.forms import NamedChoiceField, ServiceForm
from okno.queues.models import Queue


def _password(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1000,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class MailboxForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.EmailField(
        label=_("Address"), max_length=320, help_text=_("The address clients write to; replies leave from it.")
    )
    is_active = forms.BooleanField(label=_("Active: read this mailbox and send from it"), required=False)

    imap_host = forms.CharField(label=_("IMAP server"), max_length=255)
    imap_port = forms.IntegerField(
        label=_("Port"), min_value=1, max_value=65535, required=False, help_text=_("Empty: 993 for SSL/TLS, else 143.")
    )
    imap_security = forms.ChoiceField(label=_("Encryption"), choices=Security.choices, initial=Security.SSL)
    imap_username = forms.CharField(label=_("Login"), max_length=320)
    imap_password = _password(_("Password"))
    imap_folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    processed_action = forms.ChoiceField(
        label=_("Processed mail"), choices=ProcessedAction.choices, initial=ProcessedAction.SEEN
    )
    processed_folder = forms.CharField(
        label=_("Move processed mail to"), max_length=255, required=False, help_text=_("Only for “Move to a folder”.")
    )
    verify_tls = forms.BooleanField(label=_("Verify the servers' certificates"), required=False, initial=True)

    smtp_host = forms.CharField(
        label=_("SMTP server"), max_length=255, required=False, help_text=_("Empty: nothing is sent from this mailbox.")
    )
    smtp_port = forms.IntegerField(
        label=_("Port"),
        min_value=1,
        max_value=65535,
        required=False,
        help_text=_("Empty: 465 for SSL/TLS, 587 for STARTTLS, 25 without encryption."),
    )
    smtp_security = forms.ChoiceField(label=_("Encryption"), choices=Security.choices, initial=Security.SSL)
    smtp_username = forms.CharField(
        label=_("Login"), max_length=320, required=False, help_text=_("Empty: the server takes mail without a login.")
    )
    smtp_password = _password(_("Password"))
    from_name = forms.CharField(label=_("Sender name"), max_length=200, required=False)

    queue = NamedChoiceField(
        label=_("Queue"), queryset=Queue.objects.filter(is_active=True), required=False, empty_label="—"
    )
    kind = NamedChoiceField(
        label=_("Kind"), queryset=Kind.objects.filter(is_active=True), required=False, empty_label="—"
    )
    category = NamedChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).select_related("parent"),
        required=False,
        empty_label="—",
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    acknowledge = forms.BooleanField(label=_("Acknowledge new appeals by mail"), required=False, initial=True)
    acknowledgement_template = NamedChoiceField(
        label=_("Acknowledgement template"),
        queryset=AcknowledgementTemplate.objects.all(),
        required=False,
        empty_label=_("The first template"),
    )
    reopen_days = forms.IntegerField(
        label=_("Reopen closed appeals within (days)"),
        min_value=0,
        max_value=services.MAX_REOPEN_DAYS,
        initial=30,
        help_text=_("A reply to an appeal closed longer ago opens a new appeal linked to it."),
    )
    sender_limit_per_hour = forms.IntegerField(
        label=_("Mails per sender per hour"),
        min_value=1,
        max_value=services.MAX_SENDER_LIMIT,
        initial=30,
        help_text=_("Mail beyond this from one sender is quarantined: it stops mail loops."),
    )

    def __init__(self, *args: Any, mailbox: Mailbox | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox
        for field in services.SECRET_FIELDS:
            stored = mailbox is not None and bool(getattr(mailbox, field))
            self.fields[field].help_text = (
                _("A password is stored. Leave empty to keep it.") if stored else _("Not stored yet.")
            )

    def values(self) -> dict[str, Any]:
        """What the services take; an empty password keeps the stored one."""
        return {k: v for k, v in self.cleaned_data.items() if k in services.MAILBOX_FIELDS}


def mailbox_initial(mailbox: Mailbox) -> dict[str, Any]:
    """The form's values for a saved mailbox: never its passwords. A port that is the
    usual one of its security shows empty, so changing the security changes it too."""
    initial = {
        field: getattr(mailbox, field) for field in services.MAILBOX_FIELDS if field not in services.SECRET_FIELDS
    }
    for prefix, usual in (("imap", services.IMAP_PORTS), ("smtp", services.SMTP_PORTS)):
        if initial[f"{prefix}_port"] == usual[Security(initial[f"{prefix}_security"])]:
            initial[f"{prefix}_port"] = None
    return initial


NEW_MAILBOX_INITIAL = {
    "is_active": True,
    "imap_security": Security.SSL,
    "imap_folder": "INBOX",
    "processed_action": ProcessedAction.SEEN,
    "verify_tls": True,
    "smtp_security": Security.SSL,
    "priority": Priority.NORMAL,
    "acknowledge": True,
    "reopen_days": 30,
    "sender_limit_per_hour": 30,
}


class TemplateForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    subject_ru = forms.CharField(label=_("Subject (Russian)"), max_length=300)
    body_ru = forms.CharField(label=_("Text (Russian)"), widget=forms.Textarea(attrs={"rows": 12}), strip=False)
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=300)
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 12}), strip=False)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in services.TEMPLATE_FIELDS}


def template_initial(template: AcknowledgementTemplate) -> dict[str, Any]:
    return {field: getattr(template, field) for field in services.TEMPLATE_FIELDS}
