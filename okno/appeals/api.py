"""API: appeals, their messages, events and files.

Endpoints stay thin: validate, call one service (or ``okno.appeals.queries`` for
reads, the same code the inbox uses), serialise. Services check rights and raise
``okno.core.errors``, which ``okno.core.api`` turns into 4xx responses.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Status, UploadedFile
from ninja import Query as QueryParam

from okno.accounts.models import User
from okno.appeals import access, queries, services
from okno.appeals.api_reference import router as reference_router
from okno.appeals.models import Appeal, Attachment, Category, Event, Kind, Message
from okno.appeals.schemas import (
    AppealCreateIn,
    AppealOut,
    AppealPage,
    AppealPatchIn,
    AppealQuery,
    AssignIn,
    AttachmentOut,
    CancelIn,
    ClientContactIn,
    CloseIn,
    CommentIn,
    EventOut,
    InboundIn,
    LinkIn,
    LinkOut,
    MergeIn,
    MessageOut,
    NoteIn,
    ReplyIn,
    ReturnIn,
    ReviseIn,
    StatusIn,
    SubcaseIn,
    link_out,
)
from okno.appeals.services import IncomingFile
from okno.catalog.models import Product
from okno.clients.choices import ContactKind
from okno.clients.models import Client
from okno.clients.services import find_or_create_by_contact
from okno.core import refcache
from okno.core.apitools import Id, current_user, load, load_reference
from okno.core.errors import InvalidInput, NotFound
from okno.queues.models import Queue

router = Router(tags=["appeals"])
router.add_router("", reference_router)
_NUMBER = re.compile(r"[0-9A-Za-z-]{1,20}")
_CATEGORIES = Category.objects.select_related("parent")  # the response shows the full name
NO_COMMENT = CommentIn()  # reopen and approve may be sent with no body at all


# --- helpers -------------------------------------------------------------------


def _kind(code: str | None) -> Kind | None:
    if code is None:
        return None
    kind = refcache.get(Kind, code=code)
    if kind is None:
        raise InvalidInput(_("Unknown kind of appeal: %(code)s.") % {"code": code}, field="kind")
    return kind


def _kind_ids(values: list[str]) -> list[int]:
    ids = [int(v) for v in values if v.isdecimal() and len(v) <= 18]
    codes = [v for v in values if not (v.isdecimal() and len(v) <= 18)]
    if codes:
        found = dict(Kind.objects.filter(code__in=codes).values_list("code", "id"))
        unknown = sorted(set(codes) - set(found))
        if unknown:
            raise InvalidInput(_("Unknown kind of appeal: %(code)s.") % {"code": ", ".join(unknown)}, field="kind")
        ids += found.values()
    return ids


def _filter(user: User, q: AppealQuery) -> queries.AppealFilter:
    """The query string as the shared ``AppealFilter``."""
    return queries.AppealFilter(
        status=list(q.status),
        queue=[int(v) for v in q.queue if v != "none"],
        no_queue="none" in q.queue,
        assignee=sorted({user.pk if v == "me" else int(v) for v in q.assignee if v != "none"}),
        unassigned="none" in q.assignee,
        channel=[str(c) for c in q.channel],
        kind=_kind_ids(list(q.kind)),
        priority=[str(p) for p in q.priority],
        category=q.category,
        product=q.product,
        client=q.client,
        tag=q.tag.strip(),
        overdue=q.overdue,
        deadline=q.deadline or "",
        created_from=q.created_from,
        created_to=q.created_to,
        updated_from=q.updated_from,
        updated_to=q.updated_to,
        regulator=q.regulator,
        text=q.text,
    )


def _client(client_id: int | None, contact: ClientContactIn | None) -> Client | None:
    """The appeal's client: by id, or found (or created) by a contact, e-mail first."""
    if client_id is not None and contact is not None:
        raise InvalidInput(_("Give either client or client_contact, not both."), field="client_contact")
    if contact is None:
        return load(Client, client_id, "client")
    name = (contact.name or "").strip()
    if contact.email and contact.email.strip():
        return find_or_create_by_contact(ContactKind.EMAIL, contact.email, name=name)
    if contact.phone and contact.phone.strip():
        return find_or_create_by_contact(ContactKind.PHONE, contact.phone, name=name)
    raise InvalidInput(_("Give the client's e-mail or phone."), field="client_contact")


def _attachments(appeal_id: int, ids: list[int]) -> list[Attachment]:
    """Files uploaded earlier to this appeal, in the order given."""
    if not ids:
        return []
    found = {a.pk: a for a in Attachment.objects.filter(pk__in=ids, appeal_id=appeal_id)}
    for pk in ids:
        if pk not in found:
            raise InvalidInput(_("Attachment %(id)s cannot be used here.") % {"id": pk}, field="attachments")
    return [found[pk] for pk in dict.fromkeys(ids)]


def _visible(request: HttpRequest, appeal_id: int) -> Appeal:
    return queries.get_visible(current_user(request), pk=appeal_id)


# --- reading -------------------------------------------------------------------


@router.get("/appeals", response=AppealPage, summary="List appeals (the inbox's filters and sorts)")
def list_appeals(request: HttpRequest, q: QueryParam[AppealQuery]) -> dict[str, Any]:
    user = current_user(request)
    qs = queries.list_appeals(user, _filter(user, q), q.sort).prefetch_related("tags")
    page = queries.paginate(qs, q.page, q.page_size)
    return {"count": page.total, "page": page.number, "pages": page.pages, "page_size": page.size, "items": page.items}


@router.get("/appeals/by-number/{number}", response=AppealOut, summary="One appeal by its number (2026-000123)")
def get_appeal_by_number(request: HttpRequest, number: str) -> Appeal:
    if not _NUMBER.fullmatch(number):
        raise NotFound(_("Appeal not found."))
    return queries.get_visible(current_user(request), number=number)


@router.get("/appeals/{appeal_id}", response=AppealOut, summary="One appeal by id")
def get_appeal(request: HttpRequest, appeal_id: Id) -> Appeal:
    return _visible(request, appeal_id)


@router.get("/appeals/{appeal_id}/messages", response=list[MessageOut], summary="The appeal's messages, oldest first")
def list_messages(request: HttpRequest, appeal_id: Id) -> Any:
    return queries.messages_of(_visible(request, appeal_id))


@router.get("/appeals/{appeal_id}/events", response=list[EventOut], summary="The appeal's timeline of events")
def list_events(request: HttpRequest, appeal_id: Id) -> Any:
    appeal = _visible(request, appeal_id)
    return Event.objects.filter(appeal=appeal).select_related("actor", "related_appeal").order_by("created_at", "id")


@router.get("/appeals/{appeal_id}/attachments", response=list[AttachmentOut], summary="The appeal's files")
def list_attachments(request: HttpRequest, appeal_id: Id) -> Any:
    return _visible(request, appeal_id).attachments.order_by("created_at", "id")


@router.get("/messages/{message_id}", response=MessageOut, summary="One message")
def get_message(request: HttpRequest, message_id: Id) -> Message:
    message = (
        Message.objects.select_related("appeal", "author", "author_client", "approved_by")
        .prefetch_related("attachments")
        .filter(pk=message_id)
        .first()
    )
    if message is None or not access.can(current_user(request), access.Action.VIEW, message.appeal):
        raise NotFound(_("Message not found."))
    return message


def _visible_attachment(request: HttpRequest, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("appeal").filter(pk=attachment_id).first()
    if attachment is None or not access.can(current_user(request), access.Action.VIEW, attachment.appeal):
        raise NotFound(_("Attachment not found."))
    return attachment


@router.get("/attachments/{attachment_id}", response=AttachmentOut, summary="A file's details")
def get_attachment(request: HttpRequest, attachment_id: Id) -> Attachment:
    return _visible_attachment(request, attachment_id)


@router.get(
    "/attachments/{attachment_id}/content",
    response={200: None},
    url_name="attachment_content",
    summary="Download a file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as a download",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, attachment_id: Id) -> FileResponse:
    attachment = _visible_attachment(request, attachment_id)
    try:
        stream = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound(_("The file is missing from storage.")) from None
    response = FileResponse(
        stream, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- registering ---------------------------------------------------------------


@router.post("/appeals", response={201: AppealOut}, summary="Register an appeal")
def create_appeal(request: HttpRequest, payload: AppealCreateIn) -> Status[Appeal]:
    user = current_user(request)
    services.require_can_register(user)
    # References and the client are resolved before the registration's own short
    # transaction. A client created here for a registration that then fails stays:
    # a real sender, found again on the retry.
    appeal = services.register_appeal(
        user,
        subject=payload.subject,
        description=payload.description,
        channel=payload.channel,
        kind=_kind(payload.kind),
        priority=payload.priority,
        queue=load_reference(Queue, payload.queue, "queue"),
        category=load(_CATEGORIES, payload.category, "category"),
        product=load_reference(Product, payload.product, "product"),
        assignee=load(User, payload.assignee, "assignee"),
        client=_client(payload.client, payload.client_contact),
        tags=payload.tags,
        created_at=payload.created_at,
        regulator_forwarded=payload.regulator_forwarded,
        regulator_reference=payload.regulator_reference,
        regulator_letter_date=payload.regulator_letter_date,
    )
    appeal.is_just_registered = True  # type: ignore[attr-defined]  # see AppealOut.resolve_links
    return Status(201, appeal)


@router.post("/appeals/{appeal_id}/subcases", response={201: AppealOut}, summary="Create a sub-case")
def create_subcase(request: HttpRequest, appeal_id: Id, payload: SubcaseIn) -> Status[Appeal]:
    parent = _visible(request, appeal_id)
    subcase = services.create_subcase(
        current_user(request),
        parent,
        subject=payload.subject,
        description=payload.description,
        queue=load(Queue, payload.queue, "queue"),
        assignee=load(User, payload.assignee, "assignee"),
        kind=_kind(payload.kind),
        category=load(_CATEGORIES, payload.category, "category"),
        priority=payload.priority,
    )
    subcase.is_just_registered = True  # type: ignore[attr-defined]
    return Status(201, subcase)


# --- changing ------------------------------------------------------------------

_REFERENCES: dict[str, type[Any]] = {
    "category": Category,
    "product": Product,
    "queue": Queue,
    "client": Client,
}


@router.patch("/appeals/{appeal_id}", response=AppealOut, summary="Change fields (only those sent)")
def update_appeal(request: HttpRequest, appeal_id: Id, payload: AppealPatchIn) -> Appeal:
    sent = payload.model_dump(exclude_unset=True)
    comment = sent.pop("comment", "")
    changes: dict[str, Any] = {}
    for name, value in sent.items():
        if name in _REFERENCES:
            changes[name] = load(_REFERENCES[name], value, name)
        elif name == "kind":
            changes[name] = _kind(value)
        elif name in ("subject", "priority") and value is None:
            raise InvalidInput(_("Field “%(field)s” cannot be empty.") % {"field": name}, field=name)
        else:
            changes[name] = value
    return services.update_fields(current_user(request), appeal_id, changes, comment=comment)


@router.post("/appeals/{appeal_id}/assign", response=AppealOut, summary="Assign (or unassign with null)")
def assign(request: HttpRequest, appeal_id: Id, payload: AssignIn) -> Appeal:
    assignee = load(User, payload.assignee, "assignee")
    return services.assign(current_user(request), appeal_id, assignee, comment=payload.comment)


@router.post("/appeals/{appeal_id}/status", response=AppealOut, summary="Change status")
def change_status(request: HttpRequest, appeal_id: Id, payload: StatusIn) -> Appeal:
    return services.change_status(current_user(request), appeal_id, payload.status, comment=payload.comment)


@router.post("/appeals/{appeal_id}/close", response=AppealOut, summary="Close with an outcome")
def close(request: HttpRequest, appeal_id: Id, payload: CloseIn) -> Appeal:
    return services.close(current_user(request), appeal_id, payload.outcome, comment=payload.comment)


@router.post("/appeals/{appeal_id}/reopen", response=AppealOut, summary="Reopen")
def reopen(request: HttpRequest, appeal_id: Id, payload: CommentIn = NO_COMMENT) -> Appeal:
    return services.reopen(current_user(request), appeal_id, comment=payload.comment)


@router.post("/appeals/{appeal_id}/cancel", response=AppealOut, summary="Cancel with a reason")
def cancel(request: HttpRequest, appeal_id: Id, payload: CancelIn) -> Appeal:
    return services.cancel(current_user(request), appeal_id, reason=payload.reason)


@router.post("/appeals/{appeal_id}/merge", response=AppealOut, summary="Merge into another appeal (returns it)")
def merge(request: HttpRequest, appeal_id: Id, payload: MergeIn) -> Appeal:
    return services.merge(current_user(request), appeal_id, payload.target, comment=payload.comment)


@router.post("/appeals/{appeal_id}/links", response={201: LinkOut}, summary="Link to another appeal")
def link(request: HttpRequest, appeal_id: Id, payload: LinkIn) -> Status[dict[str, Any]]:
    created = services.link(current_user(request), appeal_id, payload.other, payload.kind)
    return Status(201, link_out(created, appeal_id))


@router.delete("/appeals/{appeal_id}/links/{other_id}", response={204: None}, summary="Remove a link")
def unlink(request: HttpRequest, appeal_id: Id, other_id: Id) -> Status[None]:
    services.unlink(current_user(request), appeal_id, other_id)
    return Status(204, None)


# --- messages and files --------------------------------------------------------


@router.post("/appeals/{appeal_id}/reply", response={201: MessageOut}, summary="Reply to the client")
def reply(request: HttpRequest, appeal_id: Id, payload: ReplyIn) -> Status[Message]:
    message = services.reply(
        current_user(request),
        appeal_id,
        body_text=payload.body_text,
        body_html=payload.body_html,
        status_after=payload.status_after,
        attachments=_attachments(appeal_id, payload.attachments),
    )
    return Status(201, message)


@router.post("/appeals/{appeal_id}/notes", response={201: MessageOut}, summary="Add an internal note")
def add_note(request: HttpRequest, appeal_id: Id, payload: NoteIn) -> Status[Message]:
    message = services.add_note(
        current_user(request),
        appeal_id,
        body_text=payload.body_text,
        attachments=_attachments(appeal_id, payload.attachments),
    )
    return Status(201, message)


@router.post("/appeals/{appeal_id}/messages", response={201: MessageOut}, summary="Record what the client sent")
def add_message(request: HttpRequest, appeal_id: Id, payload: InboundIn) -> Status[Message]:
    message = services.add_message(
        current_user(request),
        appeal_id,
        body_text=payload.body_text,
        body_html=payload.body_html,
        channel=payload.channel,
        external_id=payload.external_id,
        created_at=payload.created_at,
    )
    return Status(201, message)


@router.post(
    "/appeals/{appeal_id}/attachments",
    response={201: AttachmentOut},
    summary="Upload a file (multipart, field “file”) to use in a reply or note",
)
def upload_attachment(request: HttpRequest, appeal_id: Id, file: File[UploadedFile]) -> Status[Attachment]:
    incoming = IncomingFile.read(file.name or "file", file)
    return Status(201, services.upload(current_user(request), appeal_id, incoming))


@router.post("/messages/{message_id}/approve", response=MessageOut, summary="Approve a reply (it leaves)")
def approve_reply(request: HttpRequest, message_id: Id, payload: CommentIn = NO_COMMENT) -> Message:
    return services.approve_reply(current_user(request), message_id, comment=payload.comment)


@router.post("/messages/{message_id}/return", response=MessageOut, summary="Return a reply to its author")
def return_reply(request: HttpRequest, message_id: Id, payload: ReturnIn) -> Message:
    return services.return_reply(current_user(request), message_id, comment=payload.comment)


@router.post("/messages/{message_id}/revise", response=MessageOut, summary="Rewrite a returned reply")
def revise_reply(request: HttpRequest, message_id: Id, payload: ReviseIn) -> Message:
    return services.revise_reply(
        current_user(request), message_id, body_text=payload.body_text, body_html=payload.body_html
    )
