"""API of paper letters and post registries (form 103), under /api/v1/post/, and
the paper variant of replying: ``POST /appeals/{id}/reply/paper``.

Letters are seen by whoever sees the appeal and handles the post (dispatcher,
supervisor, administrator) or wrote the reply; registries by the post handlers.
A tracking number whose check digit fails is kept: the response's ``warning``
says so."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from okno.appeals.models import Message
from okno.appeals.schemas import MessageOut
from okno.channels.post.choices import LetterStatus, MailClass, MailKind, Payer, PaymentMethod, RegistryStatus
from okno.channels.post.models import PaperLetter, PostRegistry, PostSettings, RegistryBatch
from okno.channels.post.services import documents, letters, registries
from okno.channels.post.services.access import visible_batches, visible_letters
from okno.channels.post.services.settings import update_settings
from okno.core.apitools import Id, InputSchema, PageNumber, current_user
from okno.core.downloads import PDF_TYPE, XLSX_TYPE, file_response
from okno.core.errors import InvalidInput

router = Router(tags=["post"])

Line = Annotated[str, StringConstraints(max_length=300)]
Lines = Annotated[str, StringConstraints(max_length=2000)]
Money = Annotated[Decimal, Field(ge=0, lt=Decimal("1e10"), decimal_places=2)]
Grams = Annotated[int, Field(ge=1, le=100_000)]
Serial = Annotated[int, Field(ge=0, le=99_999)]
PAGE_SIZE = 100


# --- schemas -------------------------------------------------------------------------------


class AddressIn(InputSchema):
    addressee: Line
    address: Lines = Field(description="Street, house, flat; lines separated by newlines.")
    postcode: Annotated[str, StringConstraints(max_length=20)] = Field(description="6 digits.")
    locality: Line = Field("", description="Region and city.")
    phone: Annotated[str, StringConstraints(max_length=40)] = ""


class PaperReplyIn(InputSchema):
    body_text: Annotated[str, StringConstraints(max_length=200_000)]
    status_after: Literal["answered", "waiting_client", "in_work"] = "answered"
    address: AddressIn
    save_to_client: bool = Field(False, description="Also keep the address on the client's card.")


class LetterOut(Schema):
    id: int
    appeal_id: int
    appeal_number: str
    message_id: int
    status: LetterStatus
    addressee: str
    address: str
    locality: str
    postcode: str
    phone: str
    weight_g: int
    declared_value: Decimal
    cash_on_delivery: Decimal
    postage: Decimal
    special_marks: str
    mail_kind: MailKind
    mail_class: MailClass
    tracking_number: str
    warning: str = Field(description="Set when the tracking number's check digit does not match.")
    registry_id: int | None = Field(description="The registry (batch) the letter is in.")
    list_number: int | None
    position: int | None
    created_at: datetime
    printed_at: datetime | None
    posted_at: datetime | None

    @staticmethod
    def resolve_appeal_number(obj: PaperLetter) -> str:
        return obj.appeal.number

    @staticmethod
    def resolve_warning(obj: PaperLetter) -> str:
        return obj.tracking_warning

    @staticmethod
    def resolve_registry_id(obj: PaperLetter) -> int | None:
        return obj.registry.batch_id if obj.registry is not None else None

    @staticmethod
    def resolve_list_number(obj: PaperLetter) -> int | None:
        return obj.registry.number if obj.registry is not None else None


class LetterPage(Schema):
    count: int
    page: int
    items: list[LetterOut]


class LetterPatch(InputSchema):
    addressee: Line | None = None
    address: Lines | None = None
    locality: Line | None = None
    postcode: Annotated[str, StringConstraints(max_length=20)] | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    weight_g: Grams | None = None
    declared_value: Money | None = None
    cash_on_delivery: Money | None = None
    postage: Money | None = None
    special_marks: Annotated[str, StringConstraints(max_length=200)] | None = None
    tracking_number: Annotated[str, StringConstraints(max_length=30)] | None = Field(
        None, description="14 digits; empty to clear. A failing check digit is a warning, not an error."
    )


class ListOut(Schema):
    id: int
    date: date
    number: int
    mail_kind: MailKind
    mail_class: MailClass
    payer: Payer
    payment_method: PaymentMethod
    sender_name: str
    sender_address: str
    office_postcode: str
    office_name: str
    letter_ids: list[int]

    @staticmethod
    def resolve_letter_ids(obj: PostRegistry) -> list[int]:
        return [letter.pk for letter in obj.letters.all()]


class RegistryOut(Schema):
    id: int
    status: RegistryStatus
    created_at: datetime
    created_by_id: int
    posted_at: datetime | None
    letter_count: int
    lists: list[ListOut]

    @staticmethod
    def resolve_lists(obj: RegistryBatch) -> list[PostRegistry]:
        return list(obj.lists.order_by("number").prefetch_related("letters"))


class RegistryIn(InputSchema):
    letters: list[Id] | Literal["all"] = Field(
        description='Ids of letters waiting to be posted, or "all" for every one you see.'
    )


class SettingsOut(Schema):
    org_name: str
    org_address: str
    org_requisites: str
    signer_title: str
    sender_name: str
    sender_address: str
    sender_postcode: str
    office_postcode: str
    office_name: str
    mail_kind: MailKind
    mail_class: MailClass
    payer: Payer
    payment_method: PaymentMethod
    default_weight_g: int
    default_postage: Decimal
    assign_tracking: bool
    serial_from: int
    serial_to: int
    month_code: str
    serial_month: str
    next_serial: int


class SettingsPatch(InputSchema):
    org_name: Line | None = None
    org_address: Lines | None = None
    org_requisites: Lines | None = None
    signer_title: Line | None = None
    sender_name: Line | None = None
    sender_address: Lines | None = None
    sender_postcode: Annotated[str, StringConstraints(max_length=6)] | None = None
    office_postcode: Annotated[str, StringConstraints(max_length=6)] | None = None
    office_name: Line | None = None
    mail_kind: MailKind | None = None
    mail_class: MailClass | None = None
    payer: Payer | None = None
    payment_method: PaymentMethod | None = None
    default_weight_g: Grams | None = None
    default_postage: Money | None = None
    assign_tracking: bool | None = None
    serial_from: Serial | None = None
    serial_to: Serial | None = None
    month_code: Annotated[str, StringConstraints(max_length=2)] | None = None


def _letters_qs(request: HttpRequest) -> Any:
    return visible_letters(current_user(request)).select_related("appeal", "registry")


def _letter(request: HttpRequest, letter_id: int) -> PaperLetter:
    letters.get_letter(current_user(request), letter_id)
    found: PaperLetter = _letters_qs(request).get(pk=letter_id)
    return found


# --- replying by post ---------------------------------------------------------------------


@router.post(
    "/appeals/{appeal_id}/reply/paper",
    response={201: MessageOut},
    summary="Reply to the client by a paper letter",
)
def reply_by_post(request: HttpRequest, appeal_id: Id, payload: PaperReplyIn) -> Status[Message]:
    message = letters.reply_by_post(
        current_user(request),
        appeal_id,
        letters.Address(**payload.address.dict()),
        body_text=payload.body_text,
        status_after=payload.status_after,
        save_to_client=payload.save_to_client,
    )
    return Status(201, message)


# --- letters -------------------------------------------------------------------------------


@router.get("/post/letters", response=LetterPage, summary="Paper letters (newest last)")
def list_letters(
    request: HttpRequest,
    status: Annotated[
        Literal["waiting", "all"] | LetterStatus, Query(description="“waiting”: to print or to post.")
    ] = "waiting",
    page: PageNumber = 1,
) -> dict[str, Any]:
    qs = _letters_qs(request)
    if status == "waiting":
        qs = qs.filter(status__in=LetterStatus.waiting_values())
    elif status != "all":
        qs = qs.filter(status=status)
    qs = qs.order_by("created_at", "id")
    start = (page - 1) * PAGE_SIZE
    return {"count": qs.count(), "page": page, "items": list(qs[start : start + PAGE_SIZE])}


@router.get("/post/letters/{letter_id}", response=LetterOut, summary="A paper letter")
def get_letter(request: HttpRequest, letter_id: Id) -> PaperLetter:
    return _letter(request, letter_id)


@router.patch("/post/letters/{letter_id}", response=LetterOut, summary="Change a letter before it is posted")
def patch_letter(request: HttpRequest, letter_id: Id, payload: LetterPatch) -> PaperLetter:
    changes = payload.dict(exclude_unset=True)
    if any(value is None for value in changes.values()):
        raise InvalidInput("null is not a value here; leave the field out.")
    letters.update_letter(current_user(request), letter_id, changes)
    return _letter(request, letter_id)


@router.get("/post/letters/{letter_id}/pdf", summary="The letter as PDF", response={200: None})
def letter_pdf(request: HttpRequest, letter_id: Id) -> HttpResponse:
    found = documents.letters_for_print(visible_letters(current_user(request)).filter(pk=letter_id))
    if not found:
        letters.get_letter(current_user(request), letter_id)  # the 404
    return file_response(documents.letters_pdf(found), f"letter-{letter_id}.pdf", PDF_TYPE, inline=True)


# --- registries ------------------------------------------------------------------------------


def _registry(request: HttpRequest, registry_id: int) -> RegistryBatch:
    return registries.get_batch(current_user(request), registry_id)


@router.post("/post/registries", response={201: RegistryOut}, summary="Form a registry (form 103)")
def create_registry(request: HttpRequest, payload: RegistryIn) -> Status[RegistryBatch]:
    ids = None if payload.letters == "all" else list(payload.letters)
    batch = registries.form_registry(current_user(request), ids)
    return Status(201, batch)


@router.get("/post/registries", response=list[RegistryOut], summary="Registries, newest first")
def list_registries(request: HttpRequest, page: PageNumber = 1) -> list[RegistryBatch]:
    start = (page - 1) * PAGE_SIZE
    return list(visible_batches(current_user(request))[start : start + PAGE_SIZE])


@router.get("/post/registries/{registry_id}", response=RegistryOut, summary="A registry with its lists")
def get_registry(request: HttpRequest, registry_id: Id) -> RegistryBatch:
    return _registry(request, registry_id)


@router.get("/post/registries/{registry_id}/pdf", summary="The registry as PDF", response={200: None})
def registry_pdf(request: HttpRequest, registry_id: Id) -> HttpResponse:
    batch = _registry(request, registry_id)
    return file_response(
        documents.registry_pdf(batch), documents.registry_filename(batch, "pdf"), PDF_TYPE, inline=True
    )


@router.get("/post/registries/{registry_id}/xlsx", summary="The registry as XLSX", response={200: None})
def registry_xlsx(request: HttpRequest, registry_id: Id) -> HttpResponse:
    batch = _registry(request, registry_id)
    return file_response(documents.registry_xlsx(batch), documents.registry_filename(batch, "xlsx"), XLSX_TYPE)


@router.post("/post/registries/{registry_id}/post", response=RegistryOut, summary="Mark the registry as posted")
def post_registry(request: HttpRequest, registry_id: Id) -> RegistryBatch:
    return registries.post_registry(current_user(request), registry_id)


@router.post("/post/registries/{registry_id}/undo", response=RegistryOut, summary="Undo a registry not yet posted")
def undo_registry(request: HttpRequest, registry_id: Id) -> RegistryBatch:
    return registries.undo_registry(current_user(request), registry_id)


# --- settings --------------------------------------------------------------------------------


@router.get("/post/settings", response=SettingsOut, summary="Post settings (administrators)")
def get_settings(request: HttpRequest) -> PostSettings:
    from okno.accounts.services import require_admin

    require_admin(current_user(request))
    return PostSettings.load()


@router.patch("/post/settings", response=SettingsOut, summary="Change the post settings (administrators)")
def patch_settings(request: HttpRequest, payload: SettingsPatch) -> PostSettings:
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return update_settings(current_user(request), changes)
