"""API: working calendars. Everyone signed in reads them and computes terms;
administrators change them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from okno.core.apitools import ApiDate, ApiDateTime, InputSchema, RefName, current_user, require_admin
from okno.core.errors import InvalidInput, NotFound
from okno.deadlines import calendar as calendar_service
from okno.deadlines.choices import CalendarBase, DayKind, DayOffRule, TermUnit
from okno.deadlines.models import Calendar
from okno.deadlines.services import calendars as services

router = Router(tags=["calendars"])

CalendarCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Year = Annotated[int, Field(ge=calendar_service.FIRST_DAY.year, le=calendar_service.LAST_DAY.year)]
Note = Annotated[str, StringConstraints(max_length=200)]


class CalendarOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    display_name: str
    time_zone: str
    base: CalendarBase
    day_start: dt.time
    day_end: dt.time
    lunch_start: dt.time | None
    lunch_end: dt.time | None
    short_day_minutes: int
    is_default: bool


class CalendarIn(InputSchema):
    code: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")]
    name: RefName
    name_en: RefName = ""
    time_zone: Annotated[str, StringConstraints(max_length=64)] = "Europe/Moscow"
    base: CalendarBase = CalendarBase.RU
    day_start: dt.time = dt.time(9)
    day_end: dt.time = dt.time(18)
    lunch_start: dt.time | None = None
    lunch_end: dt.time | None = None
    short_day_minutes: Annotated[int, Field(ge=0, le=1440)] = 60
    is_default: bool = False


class CalendarPatchIn(InputSchema):
    code: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")] | None = None
    name: RefName | None = None
    name_en: RefName | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    base: CalendarBase | None = None
    day_start: dt.time | None = None
    day_end: dt.time | None = None
    lunch_start: dt.time | None = None
    lunch_end: dt.time | None = None
    short_day_minutes: Annotated[int, Field(ge=0, le=1440)] | None = None
    is_default: bool | None = None


class DayOut(Schema):
    date: dt.date
    kind: DayKind
    is_working_day: bool
    is_short_day: bool
    overridden: bool
    note: str = ""
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None


class DayIn(InputSchema):
    kind: DayKind
    note: Note = ""


class DaysQuery(Schema):
    year: Year | None = None


class ComputeIn(InputSchema):
    """Either a term (``amount`` and ``unit``, optionally ``rule``) to get ``due``, or
    an ``end`` to get the working time between ``start`` and it, or both."""

    start: ApiDateTime
    amount: Annotated[float, Field(ge=0, le=100_000)] | None = None
    unit: TermUnit | None = None
    rule: DayOffRule = DayOffRule.NEXT
    end: ApiDateTime | None = None


class ComputeOut(Schema):
    calendar: str
    start: dt.datetime
    due: dt.datetime | None = None
    end: dt.datetime | None = None
    working_seconds: float | None = None


def _calendar(code: str) -> Calendar:
    found = Calendar.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("No such calendar."))
    return found


@router.get("/calendars", response=list[CalendarOut], summary="Working calendars")
def list_calendars(request: HttpRequest) -> Any:
    return Calendar.objects.all()


@router.post("/calendars", response={201: CalendarOut}, summary="Add a working calendar (administrators)")
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Status[Calendar]:
    require_admin(request)
    return Status(201, services.create_calendar(current_user(request), payload.model_dump()))


@router.patch("/calendars/{code}", response=CalendarOut, summary="Change a working calendar (administrators)")
def update_calendar(request: HttpRequest, code: CalendarCode, payload: CalendarPatchIn) -> Calendar:
    require_admin(request)
    changes = {
        k: v
        for k, v in payload.model_dump(exclude_unset=True).items()
        if v is not None or k in ("lunch_start", "lunch_end")
    }
    return services.update_calendar(current_user(request), _calendar(code), changes)


@router.get("/calendars/{code}/days", response=list[DayOut], summary="Every day of a year in a calendar")
def list_days(request: HttpRequest, code: CalendarCode, q: Query[DaysQuery]) -> Any:
    calendar = _calendar(code)
    year = q.year or dt.datetime.now(calendar_service.get_calendar(calendar).tz).year
    return services.days(calendar, dt.date(year, 1, 1), dt.date(year, 12, 31))


@router.put("/calendars/{code}/days/{day}", response=DayOut, summary="Set what a day is (administrators)")
def set_day(request: HttpRequest, code: CalendarCode, day: ApiDate, payload: DayIn) -> Any:
    require_admin(request)
    calendar = _calendar(code)
    services.set_day(current_user(request), calendar, day, payload.kind, payload.note)
    return services.day_info(calendar, day)


@router.delete(
    "/calendars/{code}/days/{day}",
    response={204: None},
    summary="Give a day back to the base calendar (administrators)",
)
def clear_day(request: HttpRequest, code: CalendarCode, day: ApiDate) -> Status[None]:
    require_admin(request)
    services.clear_day(current_user(request), _calendar(code), day)
    return Status(204, None)


@router.post("/calendars/{code}/compute", response=ComputeOut, summary="Compute a deadline or working time")
def compute(request: HttpRequest, code: CalendarCode, payload: ComputeIn) -> dict[str, Any]:
    cal = calendar_service.get_calendar(_calendar(code))
    if (payload.amount is None) != (payload.unit is None):
        raise InvalidInput(
            _("Give both amount and unit, or neither."), field="unit" if payload.unit is None else "amount"
        )
    if payload.amount is None and payload.end is None:
        raise InvalidInput(_("Give a term (amount and unit) or an end."), field="amount")
    out: dict[str, Any] = {"calendar": cal.code, "start": payload.start.astimezone(cal.tz)}
    if payload.amount is not None and payload.unit is not None:
        out["due"] = cal.add(payload.start, payload.amount, payload.unit, payload.rule)
    if payload.end is not None:
        out["end"] = payload.end.astimezone(cal.tz)
        out["working_seconds"] = cal.working_time_between(payload.start, payload.end).total_seconds()
    return out
