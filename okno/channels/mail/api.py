"""API of the mail channel, for administrators (everyone else gets a 403): mailboxes
(passwords are write-only: only whether one is stored is shown), "test connection",
a mailbox's state and counts, the quarantine with its actions, and acknowledgement
templates. Queues, kinds, categories and templates are named by id."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from okno.appeals.choices import Priority
from okno.appeals.queries import paginate
from okno.channels.mail import queries
from okno.channels.mail.choices import InboundOutcome, InboundState, MailboxState, ProcessedAction, Security
from okno.channels.mail.models import AcknowledgementTemplate, InboundMail, Mailbox
from okno.channels.mail.services import intake
from okno.channels.mail.services import mailboxes as services
from okno.core.apitools import Id, InputSchema, PageNumber, Ref, current_user, get_or_404, patch_values
from okno.core.downloads import file_response

router = Router(tags=["mail"])

Name = Annotated[str, StringConstraints(max_length=200)]
Address = Annotated[str, StringConstraints(max_length=320)]
Host = Annotated[str, StringConstraints(max_length=255)]
Login = Annotated[str, StringConstraints(max_length=320)]
Password = Annotated[str, StringConstraints(max_length=1000)]
Folder = Annotated[str, StringConstraints(max_length=255)]
# Bounded so garbage is a 4xx; the service says what a port or a limit may be.
Number = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
TemplateText = Annotated[str, StringConstraints(max_length=20_000)]
_PASSWORD = "Write-only: never returned. Empty or absent keeps the stored one."
_PORT = "Empty: the usual port of the chosen security."


def _admin(request: HttpRequest) -> Any:
    """A 403 for non-administrators before any lookup."""
    user = current_user(request)
    services.require_admin(user)
    return user


# --- schemas ------------------------------------------------------------------------------------


class TemplateRef(Schema):
    id: int
    name: str


class AppealRef(Schema):
    id: int
    number: str


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    is_active: bool
    imap_host: str
    imap_port: int
    imap_security: Security
    imap_username: str
    imap_password_set: bool = Field(description="Whether an IMAP password is stored (it is never returned).")
    imap_folder: str
    processed_action: ProcessedAction
    processed_folder: str
    verify_tls: bool
    smtp_host: str
    smtp_port: int
    smtp_security: Security
    smtp_username: str
    smtp_password_set: bool
    from_name: str
    queue: Ref | None
    kind: Ref | None
    category: Ref | None
    priority: Priority
    acknowledge: bool
    acknowledgement_template: TemplateRef | None
    reopen_days: int
    sender_limit_per_hour: int
    state: MailboxState
    state_detail: str
    state_changed_at: datetime | None
    last_received_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_imap_password_set(obj: Mailbox) -> bool:
        return bool(obj.imap_password)

    @staticmethod
    def resolve_smtp_password_set(obj: Mailbox) -> bool:
        return bool(obj.smtp_password)


class ConnectionIn(InputSchema):
    """The connection settings "test connection" uses."""

    imap_host: Host
    imap_port: Number | None = Field(None, description=_PORT)
    imap_security: Security = Security.SSL
    imap_username: Login
    imap_password: Password = Field("", description=_PASSWORD)
    imap_folder: Folder = "INBOX"
    processed_action: ProcessedAction = ProcessedAction.SEEN
    processed_folder: Folder = ""
    verify_tls: bool = True
    smtp_host: Host = Field("", description="Empty: nothing is sent from this mailbox.")
    smtp_port: Number | None = Field(None, description=_PORT)
    smtp_security: Security = Security.SSL
    smtp_username: Login = Field("", description="Empty: the server takes mail without a login.")
    smtp_password: Password = Field("", description=_PASSWORD)


class MailboxIn(ConnectionIn):
    name: Name
    address: Address
    is_active: bool = True
    from_name: Name = ""
    queue: Id | None = None
    kind: Id | None = None
    category: Id | None = None
    priority: Priority = Priority.NORMAL
    acknowledge: bool = True
    acknowledgement_template: Id | None = Field(None, description="Null: the first template made.")
    reopen_days: Number = 30
    sender_limit_per_hour: Number = 30


class ConnectionPatchIn(InputSchema):
    imap_host: Host | None = None
    imap_port: Number | None = None
    imap_security: Security | None = None
    imap_username: Login | None = None
    imap_password: Password | None = Field(None, description=_PASSWORD)
    imap_folder: Folder | None = None
    processed_action: ProcessedAction | None = None
    processed_folder: Folder | None = None
    verify_tls: bool | None = None
    smtp_host: Host | None = None
    smtp_port: Number | None = None
    smtp_security: Security | None = None
    smtp_username: Login | None = None
    smtp_password: Password | None = Field(None, description=_PASSWORD)


class MailboxPatchIn(ConnectionPatchIn):
    """Only the fields sent change; null clears queue, kind, category and template."""

    name: Name | None = None
    address: Address | None = None
    is_active: bool | None = None
    from_name: Name | None = None
    queue: Id | None = None
    kind: Id | None = None
    category: Id | None = None
    priority: Priority | None = None
    acknowledge: bool | None = None
    acknowledgement_template: Id | None = None
    reopen_days: Number | None = None
    sender_limit_per_hour: Number | None = None


NULLABLE = ("queue", "kind", "category", "acknowledgement_template")


class StepOut(Schema):
    step: str
    detail: str


class ErrorStepOut(Schema):
    step: str = Field(description="resolve, connect, tls, greeting, auth, folder, protocol, timeout …")
    message: str
    temporary: bool


class CheckOut(Schema):
    ok: bool
    steps: list[StepOut] = Field(description="The steps that worked, in order.")
    error: ErrorStepOut | None = Field(description="The step that failed, and why.")
    capabilities: list[str]
    idle: bool | None = Field(description="IMAP: whether the server pushes new mail (IDLE).")
    messages: int | None = Field(description="IMAP: messages in the folder.")


class ConnectionTestOut(Schema):
    ok: bool
    imap: CheckOut
    smtp: CheckOut | None = Field(description="Null: the mailbox has no SMTP server.")


class CountsOut(Schema):
    received: int
    registered: int
    threaded: int
    quarantined: int
    bounced: int
    auto_replies: int
    own: int
    pending: int


class StatusOut(Schema):
    state: MailboxState
    state_label: str
    state_detail: str
    state_changed_at: datetime | None
    last_received_at: datetime | None
    is_active: bool
    counts: CountsOut
    last_24h: CountsOut


class InboundOut(Schema):
    id: int
    mailbox: Ref | None
    source: str
    message_id: str = Field(alias="mail_id")
    sender: str
    subject: str = Field(description="Decoded from the stored headers.")
    size: int
    received_at: datetime
    state: InboundState
    outcome: InboundOutcome | None
    reason: str
    attempts: int
    processed_at: datetime | None
    appeal: AppealRef | None

    @staticmethod
    def resolve_subject(obj: InboundMail) -> str:
        return str(getattr(obj, "subject", ""))

    @staticmethod
    def resolve_outcome(obj: InboundMail) -> str | None:
        return obj.outcome or None


class InboundPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[InboundOut]


class QuarantineQuery(Schema):
    mailbox: Id | None = None
    page: PageNumber = 1
    page_size: int = Field(50, ge=1, le=200)


class RecentQuery(Schema):
    limit: int = Field(queries.RECENT, ge=1, le=200)


class TemplateOut(Schema):
    id: int
    name: str
    subject_ru: str
    body_ru: str
    subject_en: str
    body_en: str
    updated_at: datetime


class TemplateIn(InputSchema):
    name: Name
    subject_ru: TemplateText
    body_ru: TemplateText
    subject_en: TemplateText
    body_en: TemplateText


class TemplatePatchIn(InputSchema):
    name: Name | None = None
    subject_ru: TemplateText | None = None
    body_ru: TemplateText | None = None
    subject_en: TemplateText | None = None
    body_en: TemplateText | None = None


class PreviewIn(InputSchema):
    subject_ru: TemplateText
    body_ru: TemplateText
    subject_en: TemplateText = ""
    body_en: TemplateText = ""


class RenderedOut(Schema):
    subject: str
    body: str


class PreviewOut(Schema):
    ru: RenderedOut
    en: RenderedOut


# --- helpers -------------------------------------------------------------------------------------


def _mailbox(mailbox_id: int) -> Mailbox:
    queryset = Mailbox.objects.select_related("queue", "kind", "category", "acknowledgement_template")
    return get_or_404(queryset, _("No such mailbox."), pk=mailbox_id)


def _template(template_id: int) -> AcknowledgementTemplate:
    return get_or_404(AcknowledgementTemplate.objects.all(), _("No such acknowledgement template."), pk=template_id)


def _inbound(inbound_id: int) -> InboundMail:
    rows = queries.with_subjects(queries.with_head(InboundMail.objects.filter(pk=inbound_id)).select_related("mailbox"))
    if not rows:
        return get_or_404(InboundMail.objects.none(), _("Mail not found."))
    return rows[0]


def _check(report: Any) -> dict[str, Any]:
    error = report.error
    return {
        "ok": report.ok,
        "steps": [{"step": s.step, "detail": s.detail} for s in report.steps],
        "error": {"step": error.step, "message": error.message, "temporary": error.temporary} if error else None,
        "capabilities": list(report.capabilities),
        "idle": report.idle,
        "messages": report.messages,
    }


def _test_result(result: services.ConnectionTest) -> dict[str, Any]:
    return {"ok": result.ok, "imap": _check(result.imap), "smtp": _check(result.smtp) if result.smtp else None}


# --- mailboxes ------------------------------------------------------------------------------------


@router.get("/mail/mailboxes", response=list[MailboxOut], summary="Mailboxes (administrators)")
def list_mailboxes(request: HttpRequest) -> Any:
    _admin(request)
    return Mailbox.objects.select_related("queue", "kind", "category", "acknowledgement_template").order_by("name")


@router.post("/mail/mailboxes", response={201: MailboxOut}, summary="Add a mailbox (administrators)")
def create_mailbox(request: HttpRequest, payload: MailboxIn) -> Status[Mailbox]:
    mailbox = services.create_mailbox(_admin(request), **payload.model_dump())
    return Status(201, _mailbox(mailbox.pk))


@router.post(
    "/mail/mailboxes/test",
    response=ConnectionTestOut,
    summary="Test connection settings before saving them (administrators)",
)
def test_new_connection(request: HttpRequest, payload: ConnectionIn) -> dict[str, Any]:
    """Logs in to the IMAP server (and opens the folder) and to the SMTP server; says
    which step failed and why. Nothing is saved."""
    return _test_result(services.test_connection(_admin(request), payload.model_dump()))


@router.get("/mail/mailboxes/{mailbox_id}", response=MailboxOut, summary="One mailbox (administrators)")
def get_mailbox(request: HttpRequest, mailbox_id: Id) -> Mailbox:
    _admin(request)
    return _mailbox(mailbox_id)


@router.patch("/mail/mailboxes/{mailbox_id}", response=MailboxOut, summary="Change a mailbox (administrators)")
def update_mailbox(request: HttpRequest, mailbox_id: Id, payload: MailboxPatchIn) -> Mailbox:
    user = _admin(request)
    services.update_mailbox(user, _mailbox(mailbox_id), patch_values(payload, nullable=NULLABLE))
    return _mailbox(mailbox_id)


@router.delete(
    "/mail/mailboxes/{mailbox_id}",
    response={204: None},
    summary="Delete a mailbox that never received or sent mail (administrators)",
)
def delete_mailbox(request: HttpRequest, mailbox_id: Id) -> Status[None]:
    user = _admin(request)
    services.delete_mailbox(user, _mailbox(mailbox_id))
    return Status(204, None)


@router.post("/mail/mailboxes/{mailbox_id}/activate", response=MailboxOut, summary="Switch a mailbox on")
def activate_mailbox(request: HttpRequest, mailbox_id: Id) -> Mailbox:
    services.activate_mailbox(_admin(request), _mailbox(mailbox_id))
    return _mailbox(mailbox_id)


@router.post("/mail/mailboxes/{mailbox_id}/deactivate", response=MailboxOut, summary="Switch a mailbox off")
def deactivate_mailbox(request: HttpRequest, mailbox_id: Id) -> Mailbox:
    services.deactivate_mailbox(_admin(request), _mailbox(mailbox_id))
    return _mailbox(mailbox_id)


@router.post(
    "/mail/mailboxes/{mailbox_id}/test",
    response=ConnectionTestOut,
    summary="Test a mailbox's connection (administrators)",
)
def test_connection(
    request: HttpRequest, mailbox_id: Id, payload: Body[ConnectionPatchIn | None] = None
) -> dict[str, Any]:
    """The saved settings or, with a body, changes to them not saved yet (an absent
    or empty password is the stored one)."""
    user = _admin(request)
    mailbox = _mailbox(mailbox_id)
    changes = patch_values(payload) if payload is not None else {}
    target: Any = changes if changes else mailbox
    return _test_result(services.test_connection(user, target, base=mailbox))


@router.get("/mail/mailboxes/{mailbox_id}/status", response=StatusOut, summary="A mailbox's state and counts")
def mailbox_status(request: HttpRequest, mailbox_id: Id) -> dict[str, Any]:
    _admin(request)
    status = queries.mailbox_status(_mailbox(mailbox_id))
    status["counts"] = status["counts"].as_dict()
    status["last_24h"] = status["last_24h"].as_dict()
    return status


@router.get(
    "/mail/mailboxes/{mailbox_id}/received", response=list[InboundOut], summary="The latest mail a mailbox received"
)
def mailbox_received(request: HttpRequest, mailbox_id: Id, q: Query[RecentQuery]) -> list[InboundMail]:
    _admin(request)
    return queries.recent(_mailbox(mailbox_id), q.limit)


# --- quarantine --------------------------------------------------------------------------------------


@router.get("/mail/quarantine", response=InboundPage, summary="Quarantined mail, newest first (administrators)")
def list_quarantine(request: HttpRequest, q: Query[QuarantineQuery]) -> dict[str, Any]:
    _admin(request)
    page = paginate(queries.quarantine(q.mailbox), q.page, q.page_size)
    items = queries.with_subjects(page.items)
    return {"count": page.total, "page": page.number, "pages": page.pages, "page_size": page.size, "items": items}


@router.get("/mail/quarantine/{inbound_id}", response=InboundOut, summary="One received mail")
def get_inbound(request: HttpRequest, inbound_id: Id) -> InboundMail:
    _admin(request)
    return _inbound(inbound_id)


@router.get(
    "/mail/quarantine/{inbound_id}/raw",
    response={200: None},
    summary="The mail exactly as received (message/rfc822)",
    openapi_extra={"responses": {200: {"content": {"message/rfc822": {}}}}},
)
def raw_inbound(request: HttpRequest, inbound_id: Id) -> HttpResponse:
    _admin(request)
    row = get_or_404(InboundMail.objects.all(), _("Mail not found."), pk=inbound_id)
    return file_response(bytes(row.raw), f"mail-{row.pk}.eml", "message/rfc822")


@router.post(
    "/mail/quarantine/{inbound_id}/reprocess",
    response=InboundOut,
    summary="Send a quarantined mail through intake again (administrators)",
)
def reprocess(request: HttpRequest, inbound_id: Id) -> InboundMail:
    """The mail as it is afterwards: processed (``state`` done, with its outcome and
    appeal) or quarantined again with the new reason."""
    row = intake.reprocess(_admin(request), inbound_id)
    return _inbound(row.pk)


@router.post(
    "/mail/quarantine/{inbound_id}/appeal",
    response={201: AppealRef},
    summary="Make an appeal of a quarantined mail as it is (administrators)",
)
def make_appeal(request: HttpRequest, inbound_id: Id) -> Status[Any]:
    """Whatever text can be read, with the original mail attached as an .eml file."""
    appeal = intake.register_by_hand(_admin(request), inbound_id)
    return Status(201, appeal)


# --- acknowledgement templates ----------------------------------------------------------------------------


@router.get("/mail/acknowledgement-templates", response=list[TemplateOut], summary="Acknowledgement templates")
def list_templates(request: HttpRequest) -> Any:
    _admin(request)
    return AcknowledgementTemplate.objects.order_by("name")


@router.post("/mail/acknowledgement-templates", response={201: TemplateOut}, summary="Add an acknowledgement template")
def create_template(request: HttpRequest, payload: TemplateIn) -> Status[AcknowledgementTemplate]:
    """Django template syntax over the variables ``number``, ``subject``, ``due_date``,
    ``client_name``, ``mailbox_name``, ``organisation``; a syntax error or an unknown
    variable is a 400 saying which."""
    return Status(201, services.create_template(_admin(request), payload.model_dump()))


@router.post(
    "/mail/acknowledgement-templates/preview",
    response=PreviewOut,
    summary="Render template texts on sample data, without saving",
)
def preview_template(request: HttpRequest, payload: PreviewIn) -> dict[str, Any]:
    _admin(request)
    values = payload.model_dump()
    out = {}
    for language in ("ru", "en"):
        subject, body = services.preview(values, language)
        out[language] = {"subject": subject, "body": body}
    return out


@router.get("/mail/acknowledgement-templates/{template_id}", response=TemplateOut, summary="One template")
def get_template(request: HttpRequest, template_id: Id) -> AcknowledgementTemplate:
    _admin(request)
    return _template(template_id)


@router.patch("/mail/acknowledgement-templates/{template_id}", response=TemplateOut, summary="Change a template")
def update_template(request: HttpRequest, template_id: Id, payload: TemplatePatchIn) -> AcknowledgementTemplate:
    user = _admin(request)
    return services.update_template(user, _template(template_id), patch_values(payload))


@router.delete(
    "/mail/acknowledgement-templates/{template_id}",
    response={204: None},
    summary="Delete a template no mailbox uses",
)
def delete_template(request: HttpRequest, template_id: Id) -> Status[None]:
    user = _admin(request)
    services.delete_template(user, _template(template_id))
    return Status(204, None)
