"""API: who am I, the staff list, my API tokens, my remembered list settings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, StringConstraints, field_validator

from okno.accounts import services
from okno.accounts.choices import Role
from okno.accounts.models import ApiToken, ListSettings, User
from okno.appeals import access
from okno.appeals.queries import MAX_PAGE_SIZE
from okno.core.apitools import ApiDateTime, Id, InputSchema, Ref, current_user
from okno.lib.text import fold

router = Router(tags=["users"])

ListName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,49}$")]
MAX_SETTINGS_BYTES = 20_000


class UserOut(Schema):
    id: int
    username: str
    name: str
    first_name: str
    last_name: str
    patronymic: str
    role: Role
    is_active: bool
    queues: list[Ref]

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.display_name


class MeOut(UserOut):
    email: str
    language: str
    is_admin: bool
    can_register: bool
    can_assign_anyone: bool
    can_approve: bool

    @staticmethod
    def resolve_is_admin(obj: User) -> bool:
        return services.is_admin(obj)

    @staticmethod
    def resolve_can_register(obj: User) -> bool:
        return access.can_register(obj)

    @staticmethod
    def resolve_can_assign_anyone(obj: User) -> bool:
        return access.can_assign_anyone(obj)

    @staticmethod
    def resolve_can_approve(obj: User) -> bool:
        return access.can_approve_without_review(obj)


class UserQuery(Schema):
    q: Annotated[str, StringConstraints(max_length=100)] = ""
    role: Role | None = None
    queue: Id | None = None
    active: bool = True


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    is_usable: bool


class TokenCreated(TokenOut):
    token: str = Field(description="The raw token. Shown once; store it now.")


class TokenIn(InputSchema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    expires_at: ApiDateTime | None = None


class ListSettingsOut(Schema):
    list_name: str
    columns: list[str]
    filters: dict[str, Any]
    sort: str
    page_size: int
    updated_at: datetime | None


class ListSettingsIn(InputSchema):
    columns: list[Annotated[str, StringConstraints(max_length=60)]] = Field(default_factory=list, max_length=100)
    filters: dict[Annotated[str, StringConstraints(max_length=60)], Any] = Field(default_factory=dict)
    sort: Annotated[str, StringConstraints(max_length=50)] = ""
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("filters")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value)) > MAX_SETTINGS_BYTES:
            raise ValueError("filters are too large")
        return value


@router.get("/me", response=MeOut, summary="The user making the request")
def me(request: HttpRequest) -> User:
    user = current_user(request)
    return User.objects.prefetch_related("queues").get(pk=user.pk)


@router.get("/users", response=list[UserOut], summary="Staff, for assignee pickers and filters")
def list_users(request: HttpRequest, filters: Query[UserQuery]) -> Any:
    qs = User.objects.prefetch_related("queues").order_by("last_name", "first_name", "username")
    qs = qs.filter(is_active=filters.active)
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.queue:
        qs = qs.filter(memberships__queue_id=filters.queue)
    text = fold(filters.q.strip())
    if text:
        # Few staff, and names are Cyrillic (SQLite's LIKE folds only ASCII): compare folded.
        return [u for u in qs if text in fold(f"{u.username} {u.last_name} {u.first_name} {u.patronymic}")]
    return qs


@router.get("/me/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=current_user(request)).order_by("-created_at", "-id")


@router.post("/me/tokens", response={201: TokenCreated}, summary="Create an API token (shown once)")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, raw = services.issue_token(current_user(request), payload.name, expires_at=payload.expires_at)
    data = TokenOut.from_orm(token).model_dump()
    return Status(201, {**data, "token": raw})


@router.delete("/me/tokens/{token_id}", response={204: None}, summary="Revoke one of my API tokens")
def revoke_token(request: HttpRequest, token_id: Path[Id]) -> Status[None]:
    services.revoke_token(current_user(request), token_id)
    return Status(204, None)


@router.get("/me/list-settings/{list_name}", response=ListSettingsOut, summary="My saved columns, filters and sort")
def get_list_settings(request: HttpRequest, list_name: Path[ListName]) -> ListSettings:
    return services.list_settings(current_user(request), list_name)


@router.put("/me/list-settings/{list_name}", response=ListSettingsOut, summary="Save my columns, filters and sort")
def put_list_settings(request: HttpRequest, list_name: Path[ListName], payload: ListSettingsIn) -> ListSettings:
    return services.save_list_settings(current_user(request), list_name, payload.model_dump())
