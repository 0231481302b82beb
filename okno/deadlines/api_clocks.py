"""API: an appeal's deadlines (every clock, as on the appeal page) and extending one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import StringConstraints

from okno.appeals import queries as appeal_queries
from okno.core.apitools import InputSchema, current_user
from okno.deadlines.choices import ClockKind, ClockState, DayOffRule, Risk, TermUnit
from okno.deadlines.queries import ClockView, clocks_of
from okno.deadlines.services import clocks as clock_service

router = Router(tags=["deadlines"])


class DeadlineEventOut(Schema):
    kind: str
    at: datetime
    before: Any | None
    after: Any | None
    comment: str


class ClockOut(Schema):
    id: int
    clock: ClockKind
    label: str
    stage: str
    policy: str | None
    policy_name: str
    citation: str
    term_amount: int
    term_unit: TermUnit
    extended_amount: int
    day_off_rule: DayOffRule
    calendar: str
    is_statutory: bool
    pauses_while_waiting: bool
    started_at: datetime
    due_at: datetime
    at_risk_from: datetime
    state: ClockState
    risk: Risk | None
    working_time_left: str
    paused_seconds: int
    paused_since: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    extended_at: datetime | None
    extension_reason: str
    extension_available: bool
    penalty: Decimal | None
    history: list[DeadlineEventOut]


class ExtendIn(InputSchema):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


def _out(view: ClockView) -> dict[str, Any]:
    c = view.clock
    return {
        "id": c.pk,
        "clock": c.clock,
        "label": view.label,
        "stage": c.stage,
        "policy": c.policy.code if c.policy is not None else None,
        "policy_name": view.policy_name,
        "citation": view.citation,
        "term_amount": c.term_amount,
        "term_unit": c.term_unit,
        "extended_amount": c.extended_amount,
        "day_off_rule": c.day_off_rule,
        "calendar": c.calendar.code,
        "is_statutory": c.is_statutory,
        "pauses_while_waiting": c.pauses_while_waiting,
        "started_at": c.started_at,
        "due_at": c.due_at,
        "at_risk_from": c.risk_at,
        "state": view.state,
        "risk": view.risk,
        "working_time_left": view.countdown,
        "paused_seconds": int(view.paused.total_seconds()),
        "paused_since": c.paused_since,
        "met_at": c.met_at,
        "breached_at": c.breached_at,
        "extended_at": c.extended_at,
        "extension_reason": c.extension_reason,
        "extension_available": bool(view.extension_available),
        "penalty": view.penalty,
        "history": [
            {"kind": e.kind, "at": e.created_at, "before": e.before, "after": e.after, "comment": e.comment}
            for e in view.history
        ],
    }


@router.get("/appeals/{appeal_id}/deadlines", response=list[ClockOut], summary="Every deadline of an appeal")
def appeal_deadlines(request: HttpRequest, appeal_id: int) -> list[dict[str, Any]]:
    appeal = appeal_queries.get_visible(current_user(request), pk=appeal_id)
    return [_out(view) for view in clocks_of(appeal)]


@router.post(
    "/appeals/{appeal_id}/deadlines/{clock_id}/extend",
    response=ClockOut,
    summary="Extend a deadline by its policy's extension (the client is notified where the policy says so)",
)
def extend_deadline(request: HttpRequest, appeal_id: int, clock_id: int, body: ExtendIn) -> dict[str, Any]:
    user = current_user(request)
    appeal = appeal_queries.get_visible(user, pk=appeal_id)
    clock_service.extend(user, appeal, clock_id, reason=body.reason)
    fresh = appeal_queries.get_visible(user, pk=appeal_id)
    return next(_out(v) for v in clocks_of(fresh) if v.clock.pk == clock_id)
