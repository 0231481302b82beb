"""Administering mailboxes and acknowledgement templates: create, change, switch
off, delete, test the connection; render an acknowledgement. Administrators only;
the pages, the API and the Django admin all come through here.

Passwords are write-only: they arrive as plain text, are stored encrypted
(``okno.core.secrets``) and are never returned. An empty password in a change keeps
the stored one. ``imap_settings``/``smtp_settings`` decrypt them for the listener,
the outbox and the connection test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.template import Context, Engine, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import translation
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.appeals.choices import Priority
from okno.appeals.models import Category, Kind
from okno.channels.mail.choices import ProcessedAction, Security
from okno.channels.mail.models import AcknowledgementTemplate, InboundMail, Mailbox, OutboundMail
from okno.core import secrets
from okno.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, choice_of
from okno.queues.models import Queue

if TYPE_CHECKING:
    from okno.channels.mail.transport.common import CheckReport
    from okno.channels.mail.transport.imap import ImapSettings
    from okno.channels.mail.transport.smtp import SmtpSettings

# What "test connection" needs: the rest is how the mailbox's mail is handled.
CONNECTION_FIELDS = (
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_password",
    "imap_folder",
    "processed_action",
    "processed_folder",
    "verify_tls",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
)
MAILBOX_FIELDS = (
    "name",
    "address",
    "is_active",
    *CONNECTION_FIELDS,
    "from_name",
    "queue",
    "kind",
    "category",
    "priority",
    "acknowledge",
    "acknowledgement_template",
    "reopen_days",
    "sender_limit_per_hour",
)
SECRET_FIELDS = ("imap_password", "smtp_password")
# The ports servers listen on for each mode, used when none is given.
IMAP_PORTS = {Security.SSL: 993, Security.STARTTLS: 143, Security.PLAIN: 143}
SMTP_PORTS = {Security.SSL: 465, Security.STARTTLS: 587, Security.PLAIN: 25}
# A different account or folder is another mailbox: its UIDs mean nothing here.
POSITION_FIELDS = frozenset({"imap_host", "imap_username", "imap_folder"})
MAX_REOPEN_DAYS = 3650
MAX_SENDER_LIMIT = 100_000
# "Test connection" waits this long for each step, not the listener's 30 s.
TEST_TIMEOUT = 10.0

TEMPLATE_FIELDS = ("name", "subject_ru", "body_ru", "subject_en", "body_en")
VARIABLES = ("number", "subject", "due_date", "client_name", "mailbox_name", "organisation")

_HOST = re.compile(r"[\w.-]+|\[?[0-9A-Fa-f:.]+\]?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

MailboxRef = Mailbox | int
TemplateRef = AcknowledgementTemplate | int


class MailboxSecretUnreadable(InvalidInput):
    """A stored password was encrypted under a key this installation no longer has."""


def require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only administrators may configure mailboxes."))


# --- validation -------------------------------------------------------------------------


def _text(value: Any, field: str, max_length: int, *, required: bool = False, label: str = "") -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise InvalidInput(label or _("This field is required."), field=field)
    if len(text) > max_length:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": max_length}, field=field)
    return text


def _host(value: Any, field: str, *, required: bool) -> str:
    host = str(value or "").strip().lower()
    if not host:
        if required:
            raise InvalidInput(_("Enter the server's host name."), field=field)
        return ""
    if len(host) > 255 or not _HOST.fullmatch(host):
        raise InvalidInput(
            _("“%(host)s” is not a host name: give a name such as mail.example.com or an address.") % {"host": host},
            field=field,
        )
    return host


def _port(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise InvalidInput(_("The port must be a number from 1 to 65535."), field=field)
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("The port must be a number from 1 to 65535."), field=field) from None
    if not 1 <= port <= 65535:
        raise InvalidInput(_("The port must be a number from 1 to 65535."), field=field)
    return port


def _number(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise InvalidInput(_("Give a whole number."), field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give a whole number."), field=field) from None
    if not low <= number <= high:
        raise InvalidInput(_("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}, field=field)
    return number


def _folder(value: Any, field: str) -> str:
    folder = str(value or "").strip()
    if len(folder) > 255 or _CONTROL.search(folder):
        raise InvalidInput(_("A folder name is one line of at most 255 characters."), field=field)
    return folder


def _login(value: Any, field: str) -> str:
    login = str(value or "").strip()
    if len(login) > 320 or _CONTROL.search(login):
        raise InvalidInput(_("A login is one line of at most 320 characters."), field=field)
    return login


def _secret(value: Any, field: str) -> str:
    secret = str(value or "")
    if len(secret) > 1000 or "\x00" in secret or "\r" in secret or "\n" in secret:
        raise InvalidInput(_("A password is one line of at most 1000 characters."), field=field)
    return secret


def _reference[M: models.Model](model: type[M], value: Any, field: str, *, active: bool = True) -> M | None:
    """A row named by instance or id; ``None``/"" clears. An unknown (or retired) one is a 400."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, model) else value
    if isinstance(pk, bool) or not isinstance(pk, int | str) or not str(pk).isdecimal():
        raise InvalidInput(_("Give an id."), field=field)
    queryset = model._default_manager.filter(pk=int(pk))
    if active and any(f.name == "is_active" for f in model._meta.fields):
        queryset = queryset.filter(is_active=True)
    found = queryset.first()
    if found is None:
        raise InvalidInput(_("There is nothing active with id %(id)s here.") % {"id": pk}, field=field)
    return found


def clean_mailbox(values: Mapping[str, Any]) -> dict[str, Any]:
    """Mailbox values checked one by one and normalised (only the keys given);
    whole-mailbox rules are checked when they are applied (``_validate``)."""
    unknown = set(values) - set(MAILBOX_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field == "name":
            out[field] = _text(value, field, 200, required=True, label=_("Give the mailbox a name."))
        elif field == "address":
            address = str(value or "").strip()
            try:
                validate_email(address)
            except ValidationError:
                raise InvalidInput(
                    _("“%(value)s” is not an e-mail address.") % {"value": address}, field=field
                ) from None
            out[field] = address
        elif field in ("imap_host", "smtp_host"):
            out[field] = _host(value, field, required=field == "imap_host")
        elif field in ("imap_port", "smtp_port"):
            out[field] = None if value in (None, "") else _port(value, field)
        elif field in ("imap_security", "smtp_security"):
            out[field] = choice_of(value, Security, field)
        elif field in ("imap_username", "smtp_username"):
            out[field] = _login(value, field)
        elif field in SECRET_FIELDS:
            out[field] = _secret(value, field)
        elif field in ("imap_folder", "processed_folder"):
            out[field] = _folder(value, field)
        elif field == "processed_action":
            out[field] = choice_of(value, ProcessedAction, field)
        elif field == "from_name":
            # It goes into the From header: one line.
            out[field] = _text(value, field, 200)
        elif field == "queue":
            out[field] = _reference(Queue, value, field)
        elif field == "kind":
            out[field] = _reference(Kind, value, field)
        elif field == "category":
            out[field] = _reference(Category, value, field)
        elif field == "acknowledgement_template":
            out[field] = _reference(AcknowledgementTemplate, value, field)
        elif field == "priority":
            out[field] = choice_of(value, Priority, field)
        elif field == "reopen_days":
            out[field] = _number(value, field, 0, MAX_REOPEN_DAYS)
        elif field == "sender_limit_per_hour":
            out[field] = _number(value, field, 1, MAX_SENDER_LIMIT)
        else:  # is_active, verify_tls, acknowledge
            out[field] = bool(value)
    return out


def _plain_problem(host: str) -> str:
    return _(
        "A connection without encryption is allowed only to this machine (localhost, 127.0.0.1, ::1): "
        "choose SSL/TLS or STARTTLS for %(host)s."
    ) % {"host": host}


def _is_loopback(host: str) -> bool:
    from okno.channels.mail.transport.common import is_loopback

    return is_loopback(host)


def _apply(mailbox: Mailbox, cleaned: dict[str, Any]) -> dict[str, str]:
    """Set cleaned values on ``mailbox`` (not saved). Returns the passwords given
    (plain text, non-empty only: an empty one keeps what is stored)."""
    passwords = {f: cleaned.pop(f) for f in SECRET_FIELDS if f in cleaned}
    for prefix, usual in (("imap", IMAP_PORTS), ("smtp", SMTP_PORTS)):
        port, security = f"{prefix}_port", f"{prefix}_security"
        mode = Security(cleaned.get(security, getattr(mailbox, security)))
        # No port, or a new security with the usual port of the old one: the usual port of the new.
        if cleaned.get(port, 0) is None or (
            port not in cleaned
            and (mailbox.pk is None or getattr(mailbox, port) == usual[Security(getattr(mailbox, security))])
        ):
            cleaned[port] = usual[mode]
    for field, value in cleaned.items():
        setattr(mailbox, field, value)
    return {f: v for f, v in passwords.items() if v}


def _validate(mailbox: Mailbox, passwords: Mapping[str, str], *, identity: bool = True) -> None:
    """The rules over the whole mailbox, as it would be saved (``identity=False``:
    only its connection settings, for a test before the rest is filled in)."""
    if identity and not mailbox.name:
        raise InvalidInput(_("Give the mailbox a name."), field="name")
    if identity and not mailbox.address:
        raise InvalidInput(_("Give the address clients write to."), field="address")
    if not mailbox.imap_host:
        raise InvalidInput(_("Enter the server's host name."), field="imap_host")
    if not mailbox.imap_username:
        raise InvalidInput(_("Give the login of the mailbox."), field="imap_username")
    if not (passwords.get("imap_password") or mailbox.imap_password):
        raise InvalidInput(_("Give the password of the mailbox."), field="imap_password")
    if not mailbox.imap_folder:
        raise InvalidInput(_("Name the folder to read (usually INBOX)."), field="imap_folder")
    if mailbox.imap_security == Security.PLAIN and not _is_loopback(mailbox.imap_host):
        raise InvalidInput(_plain_problem(mailbox.imap_host), field="imap_security")
    if mailbox.processed_action == ProcessedAction.MOVE:
        if not mailbox.processed_folder:
            raise InvalidInput(_("Name the folder processed mail is moved to."), field="processed_folder")
        if mailbox.processed_folder == mailbox.imap_folder:
            raise InvalidInput(
                _("Processed mail must go to another folder than the one that is read."), field="processed_folder"
            )
    if mailbox.smtp_host:
        if mailbox.smtp_security == Security.PLAIN and not _is_loopback(mailbox.smtp_host):
            raise InvalidInput(_plain_problem(mailbox.smtp_host), field="smtp_security")
        if mailbox.smtp_username and not (passwords.get("smtp_password") or mailbox.smtp_password):
            raise InvalidInput(
                _("Give the password of the SMTP login, or leave the login empty for a server without one."),
                field="smtp_password",
            )
    elif mailbox.smtp_username:
        raise InvalidInput(_("Give the SMTP server the login is for."), field="smtp_host")
    if not identity:
        return
    clash = Mailbox.objects.filter(name=mailbox.name).exclude(pk=mailbox.pk)
    if clash.exists():
        raise InvalidInput(_("There is already a mailbox with this name."), field="name")
    if Mailbox.objects.filter(address__iexact=mailbox.address).exclude(pk=mailbox.pk).exists():
        raise InvalidInput(_("Another mailbox already receives mail for this address."), field="address")


def _store_passwords(mailbox: Mailbox, passwords: Mapping[str, str]) -> None:
    for field, value in passwords.items():
        setattr(mailbox, field, secrets.encrypt(value))
    if not mailbox.smtp_username:  # no login: nothing to keep a password for
        mailbox.smtp_password = ""


def check_mailbox(values: Mapping[str, Any], *, base: Mailbox | None = None) -> None:
    """Raise ``InvalidInput`` if ``values`` (over ``base`` when changing it) would not
    save; nothing is saved. The Django admin's form checks with it."""
    draft = Mailbox.objects.get(pk=base.pk) if base is not None and base.pk else Mailbox()
    _validate(draft, _apply(draft, clean_mailbox(values)))


# --- changing ------------------------------------------------------------------------------


def _lock(mailbox: MailboxRef) -> Mailbox:
    pk = mailbox.pk if isinstance(mailbox, Mailbox) else mailbox
    found = Mailbox.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such mailbox."))
    return found


@transaction.atomic
def create_mailbox(actor: User, **fields: Any) -> Mailbox:
    """A new mailbox. Ports default to the usual ones for the chosen security. It
    starts reading its folder from the beginning (the listener decides how)."""
    require_admin(actor)
    mailbox = Mailbox()
    passwords = _apply(mailbox, clean_mailbox(fields))
    _validate(mailbox, passwords)
    _store_passwords(mailbox, passwords)
    mailbox.save()
    return mailbox


@transaction.atomic
def update_mailbox(actor: User, mailbox: MailboxRef, changes: Mapping[str, Any]) -> Mailbox:
    """Change a mailbox (only the fields given). An empty password keeps the stored
    one; clearing the SMTP login drops the SMTP password. Pointing the mailbox at
    another server, login or folder forgets where reading had got to: it is another
    mailbox now (what was already stored is recognised and skipped)."""
    require_admin(actor)
    locked = _lock(mailbox)
    before = {f: getattr(locked, f) for f in POSITION_FIELDS}
    passwords = _apply(locked, clean_mailbox(changes))
    _validate(locked, passwords)
    _store_passwords(locked, passwords)
    if any(getattr(locked, f) != value for f, value in before.items()):
        locked.uidvalidity = None
        locked.last_uid = 0
    locked.save()
    return locked


def set_active(actor: User, mailbox: MailboxRef, active: bool) -> Mailbox:
    """Switch a mailbox on or off (off: not read, nothing sent from it)."""
    return update_mailbox(actor, mailbox, {"is_active": active})


def activate_mailbox(actor: User, mailbox: MailboxRef) -> Mailbox:
    return set_active(actor, mailbox, True)


def deactivate_mailbox(actor: User, mailbox: MailboxRef) -> Mailbox:
    return set_active(actor, mailbox, False)


@transaction.atomic
def delete_mailbox(actor: User, mailbox: MailboxRef) -> None:
    """Delete a mailbox that has never received or sent mail. One that has keeps its
    mail (raw messages, the threads of appeals): switch it off instead."""
    require_admin(actor)
    locked = _lock(mailbox)
    if InboundMail.objects.filter(mailbox=locked).exists() or OutboundMail.objects.filter(mailbox=locked).exists():
        raise Conflict(
            _("This mailbox has received or sent mail, which stays with the appeals: switch it off instead.")
        )
    locked.delete()


# --- settings for the transport --------------------------------------------------------------


def _decrypt(mailbox: Mailbox, field: str) -> str:
    try:
        return secrets.decrypt(getattr(mailbox, field))
    except secrets.SecretUnreadable:
        label = _("IMAP") if field == "imap_password" else _("SMTP")
        raise MailboxSecretUnreadable(
            _(
                "The stored %(protocol)s password of the mailbox “%(name)s” cannot be decrypted: the installation's "
                "secret key has changed. Enter the password again."
            )
            % {"protocol": label, "name": mailbox.name},
            field=field,
        ) from None


def imap_settings(mailbox: Mailbox, *, timeout: float | None = None) -> ImapSettings:
    """How to read ``mailbox`` (password decrypted). Raises ``MailboxSecretUnreadable``."""
    from okno.channels.mail.transport.common import Security as Mode
    from okno.channels.mail.transport.imap import ImapSettings

    extra: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
    return ImapSettings(
        host=mailbox.imap_host,
        port=mailbox.imap_port,
        security=Mode(mailbox.imap_security),
        username=mailbox.imap_username,
        password=_decrypt(mailbox, "imap_password"),
        folder=mailbox.imap_folder,
        processed_action=mailbox.processed_action,
        processed_folder=mailbox.processed_folder,
        verify_tls=mailbox.verify_tls,
        **extra,
    )


def smtp_settings(mailbox: Mailbox, *, timeout: float | None = None) -> SmtpSettings | None:
    """How to send from ``mailbox``; ``None`` when it has no SMTP server."""
    from okno.channels.mail.transport.common import Security as Mode
    from okno.channels.mail.transport.smtp import SmtpSettings

    if not mailbox.smtp_host:
        return None
    extra: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
    return SmtpSettings(
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        security=Mode(mailbox.smtp_security),
        username=mailbox.smtp_username,
        password=_decrypt(mailbox, "smtp_password") if mailbox.smtp_username else "",
        verify_tls=mailbox.verify_tls,
        **extra,
    )


@dataclass(frozen=True)
class ConnectionTest:
    """What "test connection" found: the IMAP check, and the SMTP check (``None``
    when the mailbox sends nothing)."""

    imap: CheckReport
    smtp: CheckReport | None

    @property
    def ok(self) -> bool:
        return self.imap.ok and (self.smtp is None or self.smtp.ok)


def _settings_error(step: str, exc: InvalidInput) -> CheckReport:
    from okno.channels.mail.transport.common import CheckReport, MailServerError

    return CheckReport(error=MailServerError(step, exc.message, temporary=False))


def test_connection(actor: User, target: Mailbox | Mapping[str, Any], *, base: Mailbox | None = None) -> ConnectionTest:
    """Connect to the IMAP server (log in, open the folder) and to the SMTP server
    (log in), and say precisely what failed. ``target`` is a saved mailbox, or the
    connection settings (``CONNECTION_FIELDS``) of a form not saved yet: over
    ``base`` when editing (an empty password there means the stored one), over a
    new mailbox otherwise. Nothing is saved."""
    from okno.channels.mail.transport.imap import check_imap
    from okno.channels.mail.transport.smtp import check_smtp

    require_admin(actor)
    if isinstance(target, Mailbox):
        mailbox = target
    else:
        unknown = set(target) - set(CONNECTION_FIELDS)
        if unknown:
            raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
        mailbox = Mailbox.objects.get(pk=base.pk) if base is not None and base.pk else Mailbox()
        passwords = _apply(mailbox, clean_mailbox(target))
        _validate(mailbox, passwords, identity=False)
        _store_passwords(mailbox, passwords)
    try:
        imap = check_imap(imap_settings(mailbox, timeout=TEST_TIMEOUT))
    except MailboxSecretUnreadable as exc:
        imap = _settings_error("auth", exc)
    try:
        smtp_config = smtp_settings(mailbox, timeout=TEST_TIMEOUT)
        smtp = check_smtp(smtp_config) if smtp_config is not None else None
    except MailboxSecretUnreadable as exc:
        smtp = _settings_error("auth", exc)
    return ConnectionTest(imap=imap, smtp=smtp)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# --- acknowledgement templates -----------------------------------------------------------------

# Plain text: nothing is HTML-escaped. No loaders: {% include %} and {% extends %} find nothing.
_ENGINE = Engine(loaders=[], autoescape=False, libraries={})
# Shown where a template uses a variable that does not exist (checked on saving).
_MISSING = "\x00missing:%s\x00"
_CHECK_ENGINE = Engine(loaders=[], autoescape=False, libraries={}, string_if_invalid=_MISSING)
_MISSING_FOUND = re.compile("\x00missing:([^\x00]*)\x00")

SAMPLE_CONTEXT: dict[str, Any] = {
    "number": "2026-000123",
    "subject": "Списали комиссию за обслуживание карты",
    "due_date": date(2026, 3, 16),
    "client_name": "Иванов Иван Иванович",
    "mailbox_name": "Служба поддержки",
    "organisation": "ООО «Пример»",
}


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    return _ENGINE.from_string(source)


def _check_template(source: str, field: str, *, subject: bool) -> str:
    """The template text, or a 400 with Django's message for a syntax error, and
    naming a variable that does not exist."""
    source = source.strip() if subject else source.strip("\n")
    if not source.strip():
        raise InvalidInput(_("This field is required."), field=field)
    if subject and ("\n" in source or "\r" in source):
        raise InvalidInput(_("A subject is one line."), field=field)
    try:
        template = _CHECK_ENGINE.from_string(source)
        for language in ("ru", "en"):
            with translation.override(language):
                rendered = template.render(Context(SAMPLE_CONTEXT, autoescape=False))
    except TemplateSyntaxError as exc:
        raise InvalidInput(_("Template error: %(error)s") % {"error": str(exc).strip()}, field=field) from None
    except TemplateDoesNotExist:
        raise InvalidInput(_("An acknowledgement template cannot include other templates."), field=field) from None
    except Exception as exc:  # noqa: BLE001 - whatever a filter raises on sample data is the author's error
        raise InvalidInput(_("Template error: %(error)s") % {"error": exc}, field=field) from None
    missing = _MISSING_FOUND.search(rendered)
    if missing:
        raise InvalidInput(
            _("Unknown variable “%(name)s”; known: %(known)s.")
            % {"name": missing.group(1), "known": ", ".join(VARIABLES)},
            field=field,
        )
    return source


def clean_template(values: Mapping[str, Any]) -> dict[str, Any]:
    """Template values checked (only the keys given); raises ``InvalidInput``."""
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field == "name":
            out[field] = _text(value, field, 200, required=True, label=_("Give the template a name."))
        elif field.startswith("subject_"):
            text = _check_template(str(value or ""), field, subject=True)
            if len(text) > 300:
                raise InvalidInput(_("At most %(n)d characters.") % {"n": 300}, field=field)
            out[field] = text
        else:
            out[field] = _check_template(str(value or "").replace("\r\n", "\n"), field, subject=False)
    return out


def _lock_template(template: TemplateRef) -> AcknowledgementTemplate:
    pk = template.pk if isinstance(template, AcknowledgementTemplate) else template
    found = AcknowledgementTemplate.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such acknowledgement template."))
    return found


def _save_template(template: AcknowledgementTemplate, cleaned: dict[str, Any]) -> AcknowledgementTemplate:
    for field, value in cleaned.items():
        setattr(template, field, value)
    for field in TEMPLATE_FIELDS:
        if not getattr(template, field):
            raise InvalidInput(_("This field is required."), field=field)
    if AcknowledgementTemplate.objects.filter(name=template.name).exclude(pk=template.pk).exists():
        raise InvalidInput(_("There is already a template with this name."), field="name")
    template.save()
    return template


@transaction.atomic
def create_template(actor: User, values: Mapping[str, Any]) -> AcknowledgementTemplate:
    """A new acknowledgement template (both languages)."""
    require_admin(actor)
    return _save_template(AcknowledgementTemplate(), clean_template(values))


@transaction.atomic
def update_template(actor: User, template: TemplateRef, changes: Mapping[str, Any]) -> AcknowledgementTemplate:
    require_admin(actor)
    return _save_template(_lock_template(template), clean_template(changes))


@transaction.atomic
def delete_template(actor: User, template: TemplateRef) -> None:
    """Delete a template no mailbox uses."""
    require_admin(actor)
    locked = _lock_template(template)
    users = list(Mailbox.objects.filter(acknowledgement_template=locked).values_list("name", flat=True))
    if users:
        raise Conflict(
            _("Mailboxes use this template: %(names)s. Choose another template for them first.")
            % {"names": ", ".join(users)}
        )
    locked.delete()


_BLANK_LINES = re.compile(r"\n{3,}")


def render_acknowledgement(
    template: AcknowledgementTemplate, language: str, context: Mapping[str, Any]
) -> tuple[str, str]:
    """The subject and text of an acknowledgement in ``language`` ('ru' or 'en';
    anything else gets Russian), dates written the way that language writes them.
    The subject is one line; runs of empty lines (a false ``{% if %}`` leaves them)
    become one."""
    english = (language or "").lower().startswith("en")
    code = "en" if english else "ru"
    subject_source = (template.subject_en if english else "") or template.subject_ru
    body_source = (template.body_en if english else "") or template.body_ru
    values = {name: context.get(name, "") for name in VARIABLES}
    values["due_date"] = values["due_date"] or ""
    with translation.override(code):
        rendered_subject = str(_compiled(subject_source).render(Context(values, autoescape=False)))
        rendered_body = str(_compiled(body_source).render(Context(values, autoescape=False)))
    subject = " ".join(rendered_subject.split())
    body = "\n".join(line.rstrip() for line in rendered_body.replace("\r\n", "\n").split("\n"))
    return subject, _BLANK_LINES.sub("\n\n", body).strip("\n") + "\n"


def preview(values: Mapping[str, Any], language: str) -> tuple[str, str]:
    """A template not saved yet rendered with sample data (raises ``InvalidInput``)."""
    given = {k: v for k, v in values.items() if k in TEMPLATE_FIELDS and k != "name" and str(v or "").strip()}
    if not given.get("subject_ru") or not given.get("body_ru"):
        raise InvalidInput(_("Write at least the Russian subject and text."), field="body_ru")
    cleaned = clean_template(given)
    draft = AcknowledgementTemplate(**cleaned)
    return render_acknowledgement(draft, language, SAMPLE_CONTEXT)


# --- the shipped template -----------------------------------------------------------------------

DEFAULT_TEMPLATE = {
    "name": "Стандартное подтверждение / Standard acknowledgement",
    "subject_ru": "Ваше обращение зарегистрировано [#{{ number }}]",
    "body_ru": (
        "Здравствуйте{% if client_name %}, {{ client_name }}{% endif %}!\n"
        "\n"
        "Мы получили ваше письмо и зарегистрировали обращение № {{ number }}"
        "{% if subject %} «{{ subject }}»{% endif %}.\n"
        '{% if due_date %}Мы ответим не позднее {{ due_date|date:"j E Y" }} года.\n{% endif %}'
        "\n"
        "Чтобы дополнить обращение, просто ответьте на это письмо и сохраните номер [#{{ number }}] "
        "в теме: всё, что вы пришлёте, попадёт в это же обращение.\n"
        "\n"
        "Это письмо отправлено автоматически, но ответ на него дойдёт до нас.\n"
        "\n"
        "С уважением,\n"
        "{% firstof organisation mailbox_name %}"
    ),
    "subject_en": "Your appeal is registered [#{{ number }}]",
    "body_en": (
        "Hello{% if client_name %}, {{ client_name }}{% endif %},\n"
        "\n"
        "We have received your message and registered it as appeal No. {{ number }}"
        '{% if subject %}, "{{ subject }}"{% endif %}.\n'
        "{% if due_date %}We will answer by {{ due_date }}.\n{% endif %}"
        "\n"
        "To add to your appeal, simply reply to this message and keep the number [#{{ number }}] "
        "in the subject: everything you send will be added to the same appeal.\n"
        "\n"
        "This message was sent automatically, but your reply will reach us.\n"
        "\n"
        "Kind regards,\n"
        "{% firstof organisation mailbox_name %}"
    ),
}


def load_default_template() -> int:
    """Add the shipped acknowledgement template (Russian and English) to an
    installation that has none; templates an administrator made or changed are
    never touched. Returns how many were added (0 or 1)."""
    with transaction.atomic():
        if AcknowledgementTemplate.objects.exists():
            return 0
        AcknowledgementTemplate.objects.create(**DEFAULT_TEMPLATE)
    return 1
