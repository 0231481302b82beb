"""API: deadline policies. Everyone signed in reads them (in matching order);
administrators create, change, reorder, switch and delete them. Kinds, categories
and calendars are named by their codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema, Status
from pydantic import StringConstraints

from okno.appeals.choices import Channel, Priority
from okno.clients.choices import Segment
from okno.core.apitools import Id, InputSchema, Position, RefName, UserRef, current_user, get_or_404, patch_values
from okno.deadlines.choices import ClockKind, CountsFrom, DayOffRule, TermUnit
from okno.deadlines.models import DeadlinePolicy, PolicyClock
from okno.deadlines.services import policy_admin as services

router = Router(tags=["deadline policies"])

PolicyCode = Annotated[str, StringConstraints(min_length=1, max_length=60)]
NewPolicyCode = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")]
RefCode = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Codes = Annotated[list[RefCode], Field(max_length=500)]
Basis = Annotated[str, StringConstraints(max_length=300)]
Description = Annotated[str, StringConstraints(max_length=10_000)]
# Bounded so garbage is a 4xx; the service says what a sensible term is.
Amount = Annotated[int, Field(ge=0, le=1_000_000)]
Percents = Annotated[list[Annotated[int, Field(ge=-1000, le=1000)]], Field(max_length=100)]


class CriterionRef(Schema):
    id: int
    code: str
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)


class PolicyClockOut(Schema):
    id: int
    clock: ClockKind
    stage: str = Field(description="For a stage clock: the appeal status it times.")
    term_amount: int
    term_unit: TermUnit
    calendar: str | None = Field(description="Calendar code; null: the default calendar.")
    day_off_rule: DayOffRule
    counts_from: CountsFrom
    is_statutory: bool
    pauses_while_waiting: bool
    extension_amount: int | None
    extension_notice_required: bool
    extension_basis: str
    citation: str
    citation_en: str
    penalty_percent_per_day: Decimal | None

    @staticmethod
    def resolve_calendar(obj: PolicyClock) -> str | None:
        return obj.calendar.code if obj.calendar is not None else None


class PolicyOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    display_name: str
    basis: str
    basis_en: str
    description: str
    is_active: bool
    is_preset: bool
    position: int
    kinds: list[CriterionRef]
    categories: list[CriterionRef] = Field(description="A category matches its subcategories too.")
    channels: list[Channel]
    segments: list[Segment]
    priorities: list[Priority]
    reminder_percents: list[int]
    remind_on_last_day: bool
    breach_notifies_supervisors: bool
    breach_raises_priority: bool
    breach_reassigns_to: UserRef | None
    clocks: list[PolicyClockOut]

    @staticmethod
    def resolve_kinds(obj: DeadlinePolicy) -> list[Any]:
        return list(obj.kinds.all())

    @staticmethod
    def resolve_categories(obj: DeadlinePolicy) -> list[Any]:
        return list(obj.categories.all())

    @staticmethod
    def resolve_clocks(obj: DeadlinePolicy) -> list[Any]:
        return list(obj.clocks.all())


class PolicyClockIn(InputSchema):
    clock: ClockKind
    stage: Annotated[str, StringConstraints(max_length=20)] = Field(
        "", description=f"Stage clocks only: one of {', '.join(services.STAGE_STATUSES)}."
    )
    term_amount: Amount
    term_unit: TermUnit
    calendar: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        None, description="Calendar code; null: the default calendar."
    )
    day_off_rule: DayOffRule = DayOffRule.NEXT
    counts_from: CountsFrom = CountsFrom.RECEIVED
    is_statutory: bool = False
    pauses_while_waiting: bool = Field(False, description="Never for a statutory clock.")
    extension_amount: Amount | None = None
    extension_notice_required: bool = True
    extension_basis: Basis = ""
    citation: Basis = ""
    citation_en: Basis = ""
    penalty_percent_per_day: Annotated[Decimal, Field(ge=-1000, le=1000)] | None = None


Clocks = Annotated[list[PolicyClockIn], Field(max_length=50)]
_CRITERIA = "Empty: any."


class PolicyIn(InputSchema):
    code: NewPolicyCode
    name: RefName
    name_en: RefName = ""
    basis: Basis = ""
    basis_en: Basis = ""
    description: Description = ""
    is_active: bool = Field(False, description="New policies start switched off unless this says otherwise.")
    position: Position | None = Field(None, description="Place in the matching order; omitted: last.")
    kinds: Codes = Field(default_factory=list, description=f"Kind codes. {_CRITERIA}")
    categories: Codes = Field(default_factory=list, description=f"Category codes (with subcategories). {_CRITERIA}")
    channels: list[Channel] = Field(default_factory=list, description=_CRITERIA)
    segments: list[Segment] = Field(default_factory=list, description=_CRITERIA)
    priorities: list[Priority] = Field(default_factory=list, description=_CRITERIA)
    reminder_percents: Percents = Field(default_factory=lambda: [50, 80], description="1–99, % of the term.")
    remind_on_last_day: bool = True
    breach_notifies_supervisors: bool = True
    breach_raises_priority: bool = True
    breach_reassigns_to: Id | None = Field(None, description="User id.")
    clocks: Clocks = Field(default_factory=list)


class PolicyPatchIn(InputSchema):
    code: NewPolicyCode | None = None
    name: RefName | None = None
    name_en: RefName | None = None
    basis: Basis | None = None
    basis_en: Basis | None = None
    description: Description | None = None
    is_active: bool | None = None
    position: Position | None = None
    kinds: Codes | None = None
    categories: Codes | None = None
    channels: list[Channel] | None = None
    segments: list[Segment] | None = None
    priorities: list[Priority] | None = None
    reminder_percents: Percents | None = None
    remind_on_last_day: bool | None = None
    breach_notifies_supervisors: bool | None = None
    breach_raises_priority: bool | None = None
    breach_reassigns_to: Id | None = Field(None, description="User id; null clears it.")
    clocks: Clocks | None = Field(None, description="The whole new clock list.")


def _policies() -> QuerySet[DeadlinePolicy]:
    return DeadlinePolicy.objects.select_related("breach_reassigns_to").prefetch_related(
        "kinds", "categories", "clocks__calendar"
    )


def _policy(code: str) -> DeadlinePolicy:
    return get_or_404(_policies(), _("No such deadline policy."), code=code)


def _clock_values(clocks: list[PolicyClockIn]) -> list[dict[str, Any]]:
    return [c.model_dump() for c in clocks]


@router.get("/deadline-policies", response=list[PolicyOut], summary="Deadline policies in matching order")
def list_policies(request: HttpRequest) -> Any:
    """The first active policy that matches an appeal sets its deadlines; an appeal
    that matches none is answered within its queue's term, in calendar days."""
    return _policies().order_by("position", "id")


@router.get("/deadline-policies/{code}", response=PolicyOut, summary="One deadline policy")
def get_policy(request: HttpRequest, code: PolicyCode) -> DeadlinePolicy:
    return _policy(code)


@router.post("/deadline-policies", response={201: PolicyOut}, summary="Add a deadline policy (administrators)")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[DeadlinePolicy]:
    values = payload.model_dump(exclude={"clocks"})
    if values["position"] is None:
        del values["position"]
    policy = services.create_policy(current_user(request), values, _clock_values(payload.clocks))
    return Status(201, _policy(policy.code))


@router.patch("/deadline-policies/{code}", response=PolicyOut, summary="Change a deadline policy (administrators)")
def update_policy(request: HttpRequest, code: PolicyCode, payload: PolicyPatchIn) -> DeadlinePolicy:
    changes = patch_values(payload, nullable=("breach_reassigns_to",))
    clocks = payload.clocks if "clocks" in changes else None
    changes.pop("clocks", None)
    policy = services.update_policy(
        current_user(request), code, changes, _clock_values(clocks) if clocks is not None else None
    )
    return _policy(policy.code)


@router.delete(
    "/deadline-policies/{code}",
    response={204: None},
    summary="Delete a deadline policy no running deadline follows (administrators)",
)
def delete_policy(request: HttpRequest, code: PolicyCode) -> Status[None]:
    services.delete_policy(current_user(request), code)
    return Status(204, None)


@router.put(
    "/deadline-policies/{code}/clocks", response=PolicyOut, summary="Replace a policy's clocks (administrators)"
)
def set_clocks(request: HttpRequest, code: PolicyCode, payload: Body[Clocks]) -> DeadlinePolicy:
    services.set_clocks(current_user(request), code, _clock_values(payload))
    return _policy(code)


@router.post(
    "/deadline-policies/{code}/activate", response=PolicyOut, summary="Switch a deadline policy on (administrators)"
)
def activate(request: HttpRequest, code: PolicyCode) -> DeadlinePolicy:
    services.activate(current_user(request), code)
    return _policy(code)


@router.post(
    "/deadline-policies/{code}/deactivate", response=PolicyOut, summary="Switch a deadline policy off (administrators)"
)
def deactivate(request: HttpRequest, code: PolicyCode) -> DeadlinePolicy:
    services.deactivate(current_user(request), code)
    return _policy(code)
