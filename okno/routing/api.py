"""API: routing rules (administrators), the dry run, and running the rules again on
an appeal (dispatchers, supervisors, administrators).

Conditions and actions are JSON objects whose keys and shapes the module
docstrings of ``okno.routing.services.conditions`` and ``…actions`` list; a wrong
one is a 400 whose ``field`` names it (``conditions.text``, ``actions.queue``).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from okno.accounts.services import require_admin
from okno.appeals import queries as appeal_queries
from okno.appeals.schemas import AppealOut
from okno.clients.models import Client
from okno.core.apitools import MAX_ID, ApiDateTime, Id, InputSchema, UserRef, current_user, load, patch_values
from okno.core.errors import NotFound
from okno.routing.models import RoutingRule
from okno.routing.services import rule_admin, rules
from okno.routing.services.describe import describe

router = Router(tags=["routing"])

Name = Annotated[str, StringConstraints(max_length=200)]
Description = Annotated[str, StringConstraints(max_length=10_000)]
Position = Annotated[int, Field(ge=0, le=rule_admin.MAX_POSITION)]
_REF = re.compile(r"[0-9A-Za-z-]{1,20}")

_CONDITIONS = (
    "Keys (all optional): channels, mailboxes, senders, segments, organisations, vip, repeat {count, days}, "
    'kinds, categories, products, text, text_none (terms: word, "phrase", /regex/), attachments, '
    "amount_over, arrival (working | off_hours)."
)
_ACTIONS = (
    "Keys (all optional): queue, kind, category, product, priority, only_raise, tags, deadline_policy, "
    "assignee, to_dispatcher, apply_suggestion [category, queue, kind, product], regulator_forwarded (true)."
)


class RuleOut(Schema):
    id: int
    name: str
    description: str
    position: int
    is_active: bool
    stop: bool
    is_preset: bool
    conditions: dict[str, Any] = Field(description=_CONDITIONS)
    actions: dict[str, Any] = Field(description=_ACTIONS)
    summary: dict[str, Any] = Field(description='The rule in words: {"conditions", "actions", "problems"}.')
    updated_at: datetime
    updated_by: UserRef | None


class RuleIn(InputSchema):
    name: Name
    description: Description = ""
    is_active: bool = True
    stop: bool = Field(False, description="No later rule is tried after this one holds.")
    position: Position | None = Field(None, description="Place in the order; omitted: last.")
    conditions: dict[str, Any] = Field(default_factory=dict, description=_CONDITIONS)
    actions: dict[str, Any] = Field(default_factory=dict, description=_ACTIONS)


class RulePatchIn(InputSchema):
    name: Name | None = None
    description: Description | None = None
    is_active: bool | None = None
    stop: bool | None = None
    position: Position | None = None
    conditions: dict[str, Any] | None = Field(None, description="Replaced whole. " + _CONDITIONS)
    actions: dict[str, Any] | None = Field(None, description="Replaced whole. " + _ACTIONS)


class OrderIn(InputSchema):
    ids: list[Id] = Field(max_length=10_000, description="Every rule's id, in the new order.")


class MoveIn(InputSchema):
    direction: Literal["up", "down"]


class DryRunIn(InputSchema):
    appeal: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        None, description="An appeal's number (2026-000123) or id; then the other fields are ignored."
    )
    subject: Annotated[str, StringConstraints(max_length=500)] = ""
    text: Annotated[str, StringConstraints(max_length=1_000_000)] = ""
    channel: Annotated[str, StringConstraints(max_length=20)] = "mail"
    sender: Annotated[str, StringConstraints(max_length=320)] = ""
    mailbox_id: Id | None = None
    client_id: Id | None = None
    attachments: Annotated[int, Field(ge=0, le=1000)] = 0
    claim_amount: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"))] | None = None
    received: ApiDateTime | None = Field(None, description="When it arrived; omitted: now.")


class TraceOut(Schema):
    rule_id: int
    name: str
    position: int
    stop: bool
    reached: bool = Field(description="False after an earlier rule stopped the run.")
    matched: bool
    failed: list[dict[str, str]] = Field(
        description='Conditions that did not hold: {"key", "label", "wanted", "actual"}.'
    )
    decision: dict[str, Any] | None


class DryRunOut(Schema):
    appeal: str | None = Field(description="The number of the appeal tried, if one was picked.")
    subject: str
    channel: str
    sender: str
    client: str | None
    language: str
    fixed: list[str]
    rules: list[TraceOut]
    suggestions: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    changed: list[str]
    facts: list[list[str]]


class RerouteOut(Schema):
    appeal: AppealOut
    decisions: list[dict[str, Any]]


def _appeal_ref(ref: str) -> str | int:
    """An appeal's number, or its id when ``ref`` is all digits."""
    ref = ref.strip()
    if not _REF.fullmatch(ref) or (ref.isdecimal() and not 1 <= int(ref) <= MAX_ID):
        raise NotFound(_("Appeal not found."))
    return int(ref) if ref.isdecimal() else ref


def _rule(pk: int) -> RoutingRule:
    found = RoutingRule.objects.select_related("updated_by").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such routing rule."))
    return found


def _out(found: list[RoutingRule]) -> list[dict[str, Any]]:
    texts = describe(found)
    out = []
    for rule in found:
        text = texts[rule.pk]
        out.append(
            {
                "id": rule.pk,
                "name": rule.name,
                "description": rule.description,
                "position": rule.position,
                "is_active": rule.is_active,
                "stop": rule.stop,
                "is_preset": rule.is_preset,
                "conditions": rule.conditions,
                "actions": rule.actions,
                "summary": {
                    "conditions": text.conditions_line,
                    "actions": text.actions_line,
                    "problems": text.problems,
                },
                "updated_at": rule.updated_at,
                "updated_by": rule.updated_by,
            }
        )
    return out


def _one(pk: int) -> dict[str, Any]:
    return _out([_rule(pk)])[0]


def _all() -> list[dict[str, Any]]:
    return _out(list(RoutingRule.objects.select_related("updated_by").order_by("position", "id")))


@router.get("/routing/rules", response=list[RuleOut], summary="Routing rules in order (administrators)")
def list_rules(request: HttpRequest) -> Any:
    require_admin(current_user(request))
    return _all()


@router.post("/routing/rules", response={201: RuleOut}, summary="Add a routing rule (administrators)")
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[dict[str, Any]]:
    values = payload.model_dump()
    if values["position"] is None:
        del values["position"]
    rule = rule_admin.create_rule(current_user(request), values)
    return Status(201, _one(rule.pk))


@router.post("/routing/rules/order", response=list[RuleOut], summary="Put the rules in a new order (administrators)")
def order_rules(request: HttpRequest, payload: OrderIn) -> Any:
    rule_admin.reorder(current_user(request), payload.ids)
    return _all()


@router.get("/routing/rules/{rule_id}", response=RuleOut, summary="One routing rule (administrators)")
def get_rule(request: HttpRequest, rule_id: Id) -> Any:
    require_admin(current_user(request))
    return _one(rule_id)


@router.patch("/routing/rules/{rule_id}", response=RuleOut, summary="Change a routing rule (administrators)")
def update_rule(request: HttpRequest, rule_id: Id, payload: RulePatchIn) -> Any:
    rule_admin.update_rule(current_user(request), rule_id, patch_values(payload))
    return _one(rule_id)


@router.post("/routing/rules/{rule_id}/move", response=RuleOut, summary="Move a rule up or down (administrators)")
def move_rule(request: HttpRequest, rule_id: Id, payload: MoveIn) -> Any:
    rule_admin.move(current_user(request), rule_id, payload.direction)
    return _one(rule_id)


@router.delete("/routing/rules/{rule_id}", response={204: None}, summary="Delete a routing rule (administrators)")
def delete_rule(request: HttpRequest, rule_id: Id) -> Status[None]:
    rule_admin.delete_rule(current_user(request), rule_id)
    return Status(204, None)


def _trace(trace: rules.RuleTrace) -> dict[str, Any]:
    return {
        "rule_id": trace.rule_id,
        "name": trace.name,
        "position": trace.position,
        "stop": trace.stop,
        "reached": trace.reached,
        "matched": trace.matched,
        "failed": trace.failed,
        "decision": trace.decision.as_json() if trace.decision is not None else None,
    }


@router.post("/routing/dry-run", response=DryRunOut, summary="What the rules would do (administrators)")
def dry_run(request: HttpRequest, payload: DryRunIn) -> Any:
    """Nothing is written. Pick an appeal by number or id, or give a text with what
    came with it (channel, sender, mailbox, client …)."""
    user = current_user(request)
    require_admin(user)
    client = load(Client, payload.client_id, "client_id")
    appeal = _appeal_ref(payload.appeal) if payload.appeal and payload.appeal.strip() else None
    result = rules.dry_run(
        user,
        appeal=appeal,
        subject=payload.subject,
        text=payload.text,
        channel=payload.channel,
        sender=payload.sender,
        mailbox_id=payload.mailbox_id,
        client=client,
        attachments=payload.attachments,
        claim_amount=payload.claim_amount,
        received=payload.received,
    )
    return {
        "appeal": result.appeal.number if result.appeal is not None else None,
        "subject": result.subject,
        "channel": result.channel,
        "sender": result.sender,
        "client": result.client.name if result.client is not None else None,
        "language": result.language,
        "fixed": result.fixed,
        "rules": [_trace(t) for t in result.rules],
        "suggestions": result.suggestions,
        "before": result.before,
        "after": result.after,
        "changed": result.changed,
        "facts": [[label, value] for label, value in result.facts],
    }


@router.post(
    "/appeals/{ref}/reroute",
    response=RerouteOut,
    summary="Run the routing rules again on an appeal (dispatchers, supervisors, administrators)",
)
def reroute(request: HttpRequest, ref: str) -> Any:
    """``ref`` is the appeal's number (2026-000123) or id. Fields a person chose are
    kept; each rule that holds is an event on the appeal."""
    user = current_user(request)
    key = _appeal_ref(ref)
    found = (
        appeal_queries.get_visible(user, pk=key)
        if isinstance(key, int)
        else appeal_queries.get_visible(user, number=key)
    )
    decisions = rules.rerun(user, found)
    return {
        "appeal": appeal_queries.get_visible(user, pk=found.pk),
        "decisions": [d.as_json() for d in decisions],
    }
