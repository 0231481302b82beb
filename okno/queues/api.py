"""API: queues with their members. Everyone reads; administrators create and change."""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from okno.core.apitools import (
    Code,
    Id,
    InputSchema,
    NamedOut,
    Position,
    RefName,
    UserRef,
    current_user,
    get_or_404,
    patch_values,
)
from okno.queues import services
from okno.queues.models import Queue

router = Router(tags=["reference data"])

Description = Annotated[str, StringConstraints(max_length=10_000)]
TermDays = Annotated[int, Field(ge=1, le=3650)]
Members = Annotated[list[Id], Field(max_length=1000)]


class QueueOut(NamedOut):
    description: str
    requires_reply_approval: bool
    answer_term_days: int
    position: int
    members: list[UserRef]


class QueueIn(InputSchema):
    code: Code
    name: RefName
    name_en: RefName = ""
    description: Description = ""
    requires_reply_approval: bool = False
    answer_term_days: TermDays = 30
    is_active: bool = True
    position: Position = 0
    members: Members = Field(default_factory=list, description="User ids.")


class QueuePatchIn(InputSchema):
    code: Code | None = None
    name: RefName | None = None
    name_en: RefName | None = None
    description: Description | None = None
    requires_reply_approval: bool | None = None
    answer_term_days: TermDays | None = None
    is_active: bool | None = None
    position: Position | None = None
    members: Members | None = Field(None, description="User ids: the whole new membership.")


class QueueQuery(Schema):
    active: bool | None = None


def _queues() -> QuerySet[Queue]:
    return Queue.objects.prefetch_related("members")


@router.get("/queues", response=list[QueueOut], summary="Queues with their members")
def list_queues(request: HttpRequest, q: Query[QueueQuery]) -> Any:
    return _queues() if q.active is None else _queues().filter(is_active=q.active)


@router.get("/queues/{queue_id}", response=QueueOut, summary="One queue")
def get_queue(request: HttpRequest, queue_id: Id) -> Queue:
    return get_or_404(_queues(), _("Queue not found."), pk=queue_id)


@router.post("/queues", response={201: QueueOut}, summary="Add a queue (administrators)")
def create_queue(request: HttpRequest, payload: QueueIn) -> Status[Queue]:
    values = payload.model_dump(exclude={"members"})
    queue = services.create_queue(current_user(request), values, payload.members)
    return Status(201, _queues().get(pk=queue.pk))


@router.patch("/queues/{queue_id}", response=QueueOut, summary="Change a queue (administrators)")
def update_queue(request: HttpRequest, queue_id: Id, payload: QueuePatchIn) -> Queue:
    changes = patch_values(payload)
    members = changes.pop("members", None)
    services.update_queue(current_user(request), queue_id, changes, members)
    return _queues().get(pk=queue_id)
