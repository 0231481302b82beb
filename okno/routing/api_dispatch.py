"""API: an appeal's routing record, applying a suggestion, and what waits for the dispatcher."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from okno.appeals import access
from okno.appeals import queries as appeal_queries
from okno.appeals.schemas import AppealItem, AppealOut
from okno.core.apitools import Id, InputSchema, current_user
from okno.routing.services import dispatch

router = Router(tags=["routing"])


class AppealRoutingOut(Schema):
    appeal_id: int
    language: str
    to_dispatcher: bool = Field(description="A rule sent the appeal to the dispatcher.")
    suggestions: dict[str, Any] = Field(
        description='The classifier\'s suggestions: {"category": {"value", "label", "confidence", "model"}, …}.'
    )
    fired: list[dict[str, Any]] = Field(description="The rules that fired, in order, with what each set.")
    routed_at: datetime


class ApplyIn(InputSchema):
    target: Literal["category", "queue", "kind", "product"]


class WaitingPage(Schema):
    count: int
    items: list[AppealItem]


@router.get("/appeals/{appeal_id}/routing", response=AppealRoutingOut, summary="How the appeal was routed")
def get_routing(request: HttpRequest, appeal_id: Id) -> Any:
    appeal = appeal_queries.get_visible(current_user(request), pk=appeal_id)
    routing = dispatch.routing_of(appeal)
    if routing is None:
        return {
            "appeal_id": appeal.pk,
            "language": "",
            "to_dispatcher": False,
            "suggestions": {},
            "fired": [],
            "routed_at": appeal.registered_at,
        }
    return routing


@router.post("/appeals/{appeal_id}/routing/apply", response=AppealOut, summary="Apply the classifier's suggestion")
def apply_suggestion(request: HttpRequest, appeal_id: Id, body: ApplyIn) -> Any:
    user = current_user(request)
    appeal = appeal_queries.get_visible(user, pk=appeal_id)
    if not access.can_assign_anyone(user):
        raise PermissionDenied
    dispatch.apply_suggestion(user, appeal, body.target)
    return appeal_queries.get_visible(user, pk=appeal_id)


@router.post("/appeals/{appeal_id}/routing/release", response={204: None}, summary="Leave to automatic assignment")
def release(request: HttpRequest, appeal_id: Id) -> Status[None]:
    user = current_user(request)
    appeal = appeal_queries.get_visible(user, pk=appeal_id)
    if not access.can_assign_anyone(user):
        raise PermissionDenied
    dispatch.release_to_queue(user, appeal)
    return Status(204, None)


@router.get("/routing/waiting", response=WaitingPage, summary="Appeals waiting for the dispatcher, most urgent first")
def waiting(request: HttpRequest, limit: Annotated[int, Field(ge=1, le=500)] = 100) -> dict[str, Any]:
    user = current_user(request)
    if not access.can_assign_anyone(user):
        raise PermissionDenied
    appeals = dispatch.waiting_for_dispatcher(user).prefetch_related("tags")
    return {"count": appeals.count(), "items": list(appeals[:limit])}
