"""What the appeals API accepts and returns. Inputs reject unknown fields and
out-of-range values (422); outputs read only what the queries already loaded."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.urls import reverse
from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from okno.appeals.choices import (
    ApprovalStatus,
    Channel,
    DeliveryStatus,
    Direction,
    EventKind,
    LinkKind,
    Outcome,
    Priority,
    Status,
)
from okno.appeals.models import Appeal, AppealLink, Attachment
from okno.appeals.queries import DEFAULT_SORT, MAX_PAGE_SIZE, OPEN, SORTS
from okno.core.apitools import (
    ApiDateTime,
    Comment,
    DayOrMoment,
    Id,
    InputSchema,
    PageNumber,
    Ref,
    Text,
    UserRef,
)


def _member_of(values: Collection[str]) -> Callable[[str], str]:
    allowed = tuple(values)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed)}")
        return value

    return check


_STATUS_FILTERS = (OPEN, *Status.values)
# A status, or "open" (new + in work + waiting for the client); listed as an enum.
StatusFilter = Annotated[
    str,
    AfterValidator(_member_of(_STATUS_FILTERS)),
    WithJsonSchema({"type": "string", "enum": list(_STATUS_FILTERS)}),
]
SortKey = Annotated[str, AfterValidator(_member_of(SORTS)), WithJsonSchema({"type": "string", "enum": list(SORTS)})]
KindCode = Annotated[str, StringConstraints(min_length=1, max_length=50)]
TagName = Annotated[str, StringConstraints(max_length=60)]
Tags = Annotated[list[TagName], Field(max_length=50)]
AttachmentIds = Annotated[list[Id], Field(max_length=50)]
QueueParam = Annotated[str, StringConstraints(pattern=r"^(none|[1-9][0-9]{0,17})$")]
AssigneeParam = Annotated[str, StringConstraints(pattern=r"^(me|none|[1-9][0-9]{0,17})$")]
KindParam = Annotated[str, StringConstraints(min_length=1, max_length=50)]
RegulatorReference = Annotated[str, StringConstraints(max_length=100)]


# --- output ------------------------------------------------------------------


class KindRef(Ref):
    code: str


class CategoryRef(Ref):
    parent_id: int | None
    full_name: str


class AppealRef(Schema):
    id: int
    number: str


class AppealItem(Schema):
    """An appeal as lists show it (no description: lists do not load it)."""

    id: int
    number: str
    status: Status
    priority: Priority
    kind: KindRef
    channel: Channel
    subject: str
    queue: Ref | None
    assignee: UserRef | None
    client: Ref | None
    category: CategoryRef | None
    product: Ref | None
    tags: list[str]
    outcome: str
    parent_id: int | None
    merged_into_id: int | None
    created_at: datetime
    registered_at: datetime
    updated_at: datetime
    due_at: datetime | None = Field(description="The nearest running deadline (see /appeals/{id}/deadlines).")
    due_risk_at: datetime | None = Field(description="From this moment the nearest deadline is at risk.")
    claim_amount: Decimal | None = Field(description="Price of the goods or the amount claimed, roubles.")
    first_response_at: datetime | None
    closed_at: datetime | None
    is_overdue: bool
    reopen_count: int
    regulator_forwarded: bool = Field(description="Forwarded to us by the regulator (Bank of Russia, …).")
    regulator_reference: str = Field(description="The regulator's reference number, if any.")
    regulator_letter_date: date | None = Field(description="The date of the regulator's letter, if known.")

    @staticmethod
    def resolve_tags(obj: Appeal) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())


class LinkOut(Schema):
    id: int
    kind: LinkKind
    appeal: AppealRef = Field(description="The appeal at the other end of the link.")
    created_at: datetime


def link_out(link: AppealLink, from_appeal_id: int) -> dict[str, Any]:
    other = link.target if link.source_id == from_appeal_id else link.source
    return {
        "id": link.pk,
        "kind": link.kind,
        "appeal": {"id": other.pk, "number": other.number},
        "created_at": link.created_at,
    }


class AppealOut(AppealItem):
    """One appeal in full."""

    description: str
    parent: AppealRef | None
    merged_into: AppealRef | None
    links: list[LinkOut]
    subcases: list[AppealRef]

    @staticmethod
    def resolve_links(obj: Appeal) -> list[dict[str, Any]]:
        if getattr(obj, "is_just_registered", False):
            return []  # nothing can link to it yet: spare the registration response a query
        links = AppealLink.objects.filter(Q(source=obj) | Q(target=obj)).select_related("source", "target")
        return [link_out(link, obj.pk) for link in links.order_by("created_at", "id")]

    @staticmethod
    def resolve_subcases(obj: Appeal) -> list[dict[str, Any]]:
        if getattr(obj, "is_just_registered", False):
            return []
        return [{"id": pk, "number": number} for pk, number in obj.subcases.order_by("id").values_list("id", "number")]


class AppealPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[AppealItem]


class AttachmentOut(Schema):
    id: int
    appeal_id: int
    message_id: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    url: str = Field(description="Where to download the file (same authentication).")

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("api-v1:attachment_content", kwargs={"attachment_id": obj.pk})


class MessageOut(Schema):
    id: int
    appeal_id: int
    direction: Direction
    channel: Channel
    author: UserRef | None
    author_client: Ref | None
    subject: str
    body_text: str
    body_html: str
    created_at: datetime
    sent_at: datetime | None
    approval_status: ApprovalStatus
    approval_comment: str
    approved_by: UserRef | None
    approved_at: datetime | None
    status_after: str
    delivery_status: DeliveryStatus
    attachments: list[AttachmentOut]


class EventOut(Schema):
    id: int
    kind: EventKind
    actor: UserRef | None
    actor_label: str
    created_at: datetime
    field: str
    before: Any = Field(description="{value, label} before the change, or null.")
    after: Any = Field(description="{value, label} after the change, or null.")
    message_id: int | None
    related_appeal: AppealRef | None
    comment: str


# --- input -------------------------------------------------------------------


class AppealQuery(Schema):
    """Filters, sort and page of the appeal list; the inbox offers the same."""

    status: list[StatusFilter] = Field(default_factory=list)
    queue: list[QueueParam] = Field(default_factory=list, description="Queue ids, or “none” for no queue.")
    assignee: list[AssigneeParam] = Field(default_factory=list, description="User ids, “me” or “none”.")
    channel: list[Channel] = Field(default_factory=list)
    kind: list[KindParam] = Field(default_factory=list, description="Kind ids or codes.")
    priority: list[Priority] = Field(default_factory=list)
    category: Id | None = Field(None, description="Includes its subcategories.")
    product: Id | None = None
    client: Id | None = None
    tag: TagName = ""
    overdue: bool = False
    deadline: Literal["overdue", "due_today", "at_risk"] | None = Field(
        None, description="Open appeals past due, due by midnight, or with 80 % of the term gone."
    )
    created_from: DayOrMoment | None = None
    created_to: DayOrMoment | None = None
    updated_from: DayOrMoment | None = None
    updated_to: DayOrMoment | None = None
    regulator: bool | None = Field(None, description="Only appeals forwarded by the regulator (true) or the others.")
    text: Annotated[str, StringConstraints(max_length=200)] = Field("", description="Number or words.")
    sort: SortKey = DEFAULT_SORT
    page: PageNumber = 1
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class ClientContactIn(InputSchema):
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    name: Annotated[str, StringConstraints(max_length=300)] | None = None


class AppealCreateIn(InputSchema):
    subject: Annotated[str, StringConstraints(max_length=2000)]
    description: Text = ""
    channel: Channel = Channel.API
    kind: KindCode | None = Field(None, description="Kind code; the default kind if omitted.")
    priority: Priority = Priority.NORMAL
    queue: Id | None = None
    category: Id | None = None
    product: Id | None = None
    assignee: Id | None = None
    client: Id | None = None
    client_contact: ClientContactIn | None = Field(
        None, description="Find the client by e-mail (first) or phone; a new client if nobody has it."
    )
    tags: Tags = Field(default_factory=list)
    created_at: ApiDateTime | None = Field(None, description="When the appeal was received; now if omitted.")
    regulator_forwarded: bool = Field(False, description="Forwarded by the regulator; a reference implies it.")
    regulator_reference: RegulatorReference = ""
    regulator_letter_date: date | None = None


class AppealPatchIn(InputSchema):
    """Only the fields sent are changed; null clears an optional reference."""

    subject: Annotated[str, StringConstraints(max_length=2000)] | None = None
    description: Text | None = None
    kind: KindCode | None = None
    category: Id | None = None
    product: Id | None = None
    priority: Priority | None = None
    queue: Id | None = None
    client: Id | None = None
    tags: Tags | None = None
    claim_amount: Annotated[Decimal, Field(ge=0, lt=Decimal("1e12"), decimal_places=2)] | None = None
    regulator_forwarded: bool | None = Field(
        None, description="false also clears the reference and the letter date unless they are sent."
    )
    regulator_reference: RegulatorReference | None = None
    regulator_letter_date: date | None = None
    comment: Comment = ""


class AssignIn(InputSchema):
    assignee: Id | None = Field(description="A user id, or null to take the appeal off anyone.")
    comment: Comment = ""


class StatusIn(InputSchema):
    status: Status
    comment: Comment = ""


class ReplyIn(InputSchema):
    body_text: Text = ""
    body_html: Text = ""
    status_after: Literal["answered", "waiting_client", "in_work"] = "answered"
    attachments: AttachmentIds = Field(default_factory=list, description="Ids of files uploaded to this appeal.")


class NoteIn(InputSchema):
    body_text: Text
    attachments: AttachmentIds = Field(default_factory=list)


class InboundIn(InputSchema):
    body_text: Text = ""
    body_html: Text = ""
    channel: Channel | None = None
    external_id: Annotated[str, StringConstraints(max_length=500)] = ""
    created_at: ApiDateTime | None = None


class CloseIn(InputSchema):
    outcome: Outcome
    comment: Comment = ""


class CommentIn(InputSchema):
    comment: Comment = ""


class CancelIn(InputSchema):
    reason: Comment


class MergeIn(InputSchema):
    target: Id
    comment: Comment = ""


class LinkIn(InputSchema):
    other: Id
    kind: LinkKind = LinkKind.RELATED


class SubcaseIn(InputSchema):
    subject: Annotated[str, StringConstraints(max_length=2000)]
    description: Text = ""
    queue: Id | None = None
    assignee: Id | None = None
    kind: KindCode | None = None
    category: Id | None = None
    priority: Priority | None = None


class ReturnIn(InputSchema):
    comment: Comment


class ReviseIn(InputSchema):
    body_text: Text = ""
    body_html: Text = ""
