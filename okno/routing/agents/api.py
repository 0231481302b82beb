"""API: agents' statuses, limits and skills, channels' total limits, queues'
assignment modes and the supervisor board.

Everyone reads and sets their own status and reads their own limits;
supervisors and administrators set anyone's status; supervisors, dispatchers and
administrators read everyone's settings and the board; only administrators
change limits, skills and modes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from okno.core.apitools import Id, InputSchema, UserRef, current_user
from okno.core.errors import PermissionDenied
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services import board as board_service
from okno.routing.agents.services import limits, queries, statuses
from okno.routing.agents.services.common import can_read_board
from okno.routing.choices import AssignmentMode

router = Router(tags=["agents"])

StatusCode = Literal["available", "break", "consultation", "mail", "chats", "offline"]
ModeCode = Literal["manual", "round_robin", "least_loaded"]
ChannelCode = Literal["mail", "portal", "phone", "api", "messenger", "paper", "in_person"]
Limit = Annotated[int, Field(ge=0, le=limits.MAX_LIMIT)]


class StatusOut(Schema):
    status: StatusCode
    label: str
    since: datetime | None


class StatusIn(InputSchema):
    status: StatusCode


class AgentOut(Schema):
    user: UserRef
    role: str
    status: StatusCode
    status_since: datetime | None
    max_open: int | None = Field(
        description="Open appeals at most (new, in work, waiting for the client); null: no limit."
    )
    channel_limits: dict[str, int] = Field(
        description='Open appeals at most per channel: {"mail": 20, "messenger": 3}.'
    )
    languages: list[str] = Field(description="Languages of appeals the agent takes; empty: any.")
    products: list[int] = Field(description="Product ids the agent takes; empty: any.")
    queues: list[int] = Field(description="Queue ids the agent belongs to.")
    open: int = Field(description="Open appeals assigned now.")
    last_assigned_at: datetime | None = Field(description="When automatic assignment last gave them an appeal.")


class AgentPatchIn(InputSchema):
    max_open: Limit | None = None
    channel_limits: dict[ChannelCode, Limit] | None = Field(None, description="The whole new set.")
    languages: Annotated[list[Literal["ru", "en"]], Field(max_length=10)] | None = None
    products: Annotated[list[Id], Field(max_length=1000)] | None = None


class ChannelLimitsIO(InputSchema):
    limits: dict[ChannelCode, Limit] = Field(
        description="Open assigned appeals at most per channel, all agents together; a channel left out has no limit."
    )


class QueueRoutingOut(Schema):
    queue: int
    name: str
    mode: ModeCode
    auto_apply_threshold: float | None = Field(description="Set with the routing rules; read-only here.")
    last_assigned: UserRef | None = Field(description="Round-robin: who got the queue's last appeal.")


class QueuePatchIn(InputSchema):
    mode: ModeCode


class LoadOut(Schema):
    channel: str
    open: int
    limit: int | None


class BoardAgentOut(Schema):
    user: dict[str, Any] = Field(description="id, username, name")
    status: StatusCode
    status_since: datetime | None
    open: int
    max_open: int | None
    channels: list[LoadOut]
    languages: list[str]
    products: list[str] = Field(description="Product names.")
    queues: list[str] = Field(description="Queue names.")


class BoardQueueOut(Schema):
    queue: dict[str, Any] = Field(description="id, name")
    mode: ModeCode
    open: int
    unassigned: int
    waiting: int = Field(description="Unassigned and left to automatic assignment (0 in a manual queue).")
    oldest_waiting_since: datetime | None
    oldest_unassigned_since: datetime | None = Field(
        description="When the open unassigned appeal waiting longest was received."
    )
    assigned: int = Field(description="Open appeals someone is handling.")
    by_status: dict[str, int] = Field(description="Open appeals per status: new, in_work, waiting_client.")
    at_risk: int = Field(description="Open, not yet due, with 80 % of the term gone (the inbox's «at risk»).")
    overdue: int = Field(description="Open and past due.")
    due_today: int = Field(description="Open and due between now and midnight.")
    arrived_today: int = Field(description="Received since midnight (any status).")
    agents_taking: int = Field(description="Members in a status that takes appeals (available, mail, chats).")
    free_places: int | None = Field(description="Their free places together; null: one of them has no limit.")


class BoardMailboxOut(Schema):
    mailbox: dict[str, Any] = Field(description="id, name, address")
    queue: int | None
    arrived_today: int = Field(description="Letters from clients received since midnight.")
    waiting_for_answer: int = Field(description="Appeals from this mailbox that are new or in work.")


class BoardConsultationOut(Schema):
    user: int
    name: str
    since: datetime | None


class BoardTotalsOut(Schema):
    open: int
    unassigned: int
    assigned: int
    at_risk: int
    overdue: int
    due_today: int
    arrived_today: int
    oldest_unassigned_since: datetime | None


class BoardOut(Schema):
    at: datetime
    agents: list[BoardAgentOut]
    queues: list[BoardQueueOut]
    channels: list[LoadOut] = Field(description="Open assigned appeals per channel against the channel's total limit.")
    to_dispatcher: int = Field(description="Open unassigned appeals no automatic assignment takes.")
    statuses: dict[str, int] = Field(description="Agents per status (every status, zeros included).")
    answering: int = Field(description="Agents in a status that takes appeals.")
    consultations: list[BoardConsultationOut] = Field(description="Agents asking for help, the longest waiting first.")
    mailboxes: list[BoardMailboxOut]
    totals: BoardTotalsOut = Field(description="The queues on the board together.")


def _status(profile: Any) -> dict[str, Any]:
    return {"status": profile.status, "label": str(AgentStatus(profile.status).label), "since": profile.status_since}


def _agent(info: queries.AgentInfo) -> dict[str, Any]:
    return {
        "user": info.user,
        "role": info.user.role,
        "status": info.status,
        "status_since": info.status_since,
        "max_open": info.max_open,
        "channel_limits": info.channel_limits,
        "languages": info.languages,
        "products": info.products,
        "queues": info.queues,
        "open": info.open,
        "last_assigned_at": info.last_assigned_at,
    }


def _queue(routing: Any) -> dict[str, Any]:
    return {
        "queue": routing.queue_id,
        "name": routing.queue.display_name,
        "mode": routing.mode,
        "auto_apply_threshold": routing.auto_apply_threshold,
        "last_assigned": routing.last_assigned,
    }


@router.get("/agents/me/status", response=StatusOut, summary="My status")
def my_status(request: HttpRequest) -> dict[str, Any]:
    from okno.routing.agents.services.common import profile_of

    return _status(profile_of(current_user(request)))


@router.put("/agents/me/status", response=StatusOut, summary="Set my status")
def set_my_status(request: HttpRequest, body: StatusIn) -> dict[str, Any]:
    user = current_user(request)
    return _status(statuses.set_status(user, user, body.status))


@router.get("/agents", response=list[AgentOut], summary="Agents with their status, limits and skills")
def list_agents(request: HttpRequest) -> list[dict[str, Any]]:
    return [_agent(info) for info in queries.agents(current_user(request))]


@router.get("/agents/{user_id}", response=AgentOut, summary="One agent")
def get_agent(request: HttpRequest, user_id: Id) -> dict[str, Any]:
    return _agent(queries.agent(current_user(request), user_id))


@router.patch("/agents/{user_id}", response=AgentOut, summary="Change an agent's limits and skills")
def update_agent(request: HttpRequest, user_id: Id, body: AgentPatchIn) -> dict[str, Any]:
    user = current_user(request)
    limits.update_agent(user, user_id, body.model_dump(exclude_unset=True))
    return _agent(queries.agent(user, user_id))


@router.put("/agents/{user_id}/status", response=StatusOut, summary="Set an agent's status")
def set_agent_status(request: HttpRequest, user_id: Id, body: StatusIn) -> dict[str, Any]:
    return _status(statuses.set_status(current_user(request), user_id, body.status))


@router.get("/routing/channel-limits", response=ChannelLimitsIO, summary="Channels' total limits")
def get_channel_limits(request: HttpRequest) -> dict[str, Any]:
    if not can_read_board(current_user(request)):
        raise PermissionDenied
    return {"limits": limits.channel_limits()}


@router.put("/routing/channel-limits", response=ChannelLimitsIO, summary="Set channels' total limits")
def set_channel_limits(request: HttpRequest, body: ChannelLimitsIO) -> dict[str, Any]:
    return {"limits": limits.set_channel_limits(current_user(request), {str(k): v for k, v in body.limits.items()})}


@router.get("/routing/queues/{queue_id}", response=QueueRoutingOut, summary="A queue's assignment mode")
def get_queue_routing(request: HttpRequest, queue_id: Id) -> dict[str, Any]:
    if not can_read_board(current_user(request)):
        raise PermissionDenied
    routing = limits.queue_routing(queue_id)
    if routing._state.adding:
        routing.mode = AssignmentMode.MANUAL
    return _queue(routing)


@router.patch("/routing/queues/{queue_id}", response=QueueRoutingOut, summary="Change a queue's assignment mode")
def update_queue_routing(request: HttpRequest, queue_id: Id, body: QueuePatchIn) -> dict[str, Any]:
    return _queue(limits.set_queue_mode(current_user(request), queue_id, body.mode))


@router.get("/routing/board", response=BoardOut, summary="The supervisor board")
def get_board(request: HttpRequest) -> dict[str, Any]:
    """Each agent's status and load per channel against limits; agents per status
    and those asking for help; each queue's mode, open, unassigned and waiting
    appeals with the longest wait, at-risk and overdue counts, appeals being handled
    by status and those received today; each mailbox's letters today and appeals
    waiting for an answer; channels' totals against their limits; how many appeals
    wait for the dispatcher."""
    return board_service.board(current_user(request)).as_json()
