"""API: my notifications (list, unread count, mark read) and my notification
preferences. Everyone sees and changes only their own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Body, Query, Router, Schema
from pydantic import Field

from okno.appeals.access import visibility
from okno.core.apitools import Id, InputSchema, current_user
from okno.notifications import services
from okno.notifications.choices import NotificationKind
from okno.notifications.models import Notification
from okno.notifications.render import render

router = Router(tags=["notifications"])


class AppealBrief(Schema):
    id: int
    number: str
    subject: str = Field(description="Empty if you may no longer see the appeal.")


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    title: str = Field(description="In the request's language.")
    text: str
    appeal: AppealBrief | None
    url: str = Field(description="The appeal's page, or empty.")
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class ListQuery(Schema):
    unread: bool = False
    limit: int = Field(20, ge=1, le=services.MAX_LIST)
    before: Id | None = Field(None, description="The id of the last notification of the previous page.")


class UnreadOut(Schema):
    unread: int


class ReadIn(InputSchema):
    ids: list[Id] = Field(..., min_length=1, max_length=1000)


class MarkedOut(Schema):
    marked: int
    unread: int


class PreferenceOut(Schema):
    kind: NotificationKind
    label: str
    in_app: bool
    by_email: bool


class PreferenceIn(InputSchema):
    kind: NotificationKind
    in_app: bool
    by_email: bool


def _out(notification: Notification, vis: Any) -> dict[str, Any]:
    shown = render(notification, vis)
    appeal = notification.appeal
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": shown.title,
        "text": shown.text,
        "appeal": (
            {"id": appeal.pk, "number": appeal.number, "subject": shown.appeal_subject} if appeal is not None else None
        ),
        "url": shown.url,
        "params": notification.params,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


def _preferences_out(chosen: dict[str, services.Preference]) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "label": str(label), "in_app": chosen[kind][0], "by_email": chosen[kind][1]}
        for kind, label in NotificationKind.choices
    ]


@router.get("/notifications", response=list[NotificationOut], summary="My notifications, newest first")
def list_notifications(request: HttpRequest, filters: Query[ListQuery]) -> list[dict[str, Any]]:
    user = current_user(request)
    vis = visibility(user)
    found = services.list_for(user, unread_only=filters.unread, limit=filters.limit, before=filters.before)
    return [_out(n, vis) for n in found]


@router.get("/notifications/unread-count", response=UnreadOut, summary="How many of my notifications are unread")
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": services.unread_count(current_user(request))}


@router.post("/notifications/read", response=MarkedOut, summary="Mark some of my notifications read")
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    user = current_user(request)
    marked = services.mark_read(user, payload.ids)
    return {"marked": marked, "unread": services.unread_count(user)}


@router.post("/notifications/read-all", response=MarkedOut, summary="Mark all my notifications read")
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    user = current_user(request)
    marked = services.mark_all_read(user)
    return {"marked": marked, "unread": services.unread_count(user)}


@router.get("/notifications/preferences", response=list[PreferenceOut], summary="How I get each kind")
def get_preferences(request: HttpRequest) -> list[dict[str, Any]]:
    return _preferences_out(services.preferences(current_user(request)))


@router.put(
    "/notifications/preferences",
    response=list[PreferenceOut],
    summary="Change how I get some kinds (kinds left out stay as they are)",
)
def put_preferences(request: HttpRequest, payload: Body[list[PreferenceIn]]) -> list[dict[str, Any]]:
    chosen = {item.kind.value: (item.in_app, item.by_email) for item in payload}
    return _preferences_out(services.set_preferences(current_user(request), chosen))
