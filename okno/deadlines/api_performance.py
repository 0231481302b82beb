"""API: the on-time performance report ("executive discipline"), the same numbers
as the page at /deadlines/performance/. Supervisors, compliance officers and
administrators; each sees only the appeals they may open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from okno.core.apitools import ApiDate, current_user
from okno.deadlines.services import performance as service

router = Router(tags=["reports"])


class OnTimeQuery(Schema):
    group_by: service.GroupBy = "assignee"
    date_from: ApiDate | None = None
    date_to: ApiDate | None = None


class OnTimeRowOut(Schema):
    key: int | str | None
    name: str
    open: int
    due_today: int
    overdue: int
    answered: int
    answered_on_time: int
    answered_late: int
    on_time_percent: float | None
    breaches: int


class OnTimeOut(Schema):
    group_by: str
    date_from: dt.date
    date_to: dt.date
    generated_at: dt.datetime
    rows: list[OnTimeRowOut]
    total: OnTimeRowOut


@router.get(
    "/reports/on-time",
    response=OnTimeOut,
    summary="On-time performance per agent, queue or department",
    description=(
        "Open, due today and overdue appeals now; answers given in the period (`date_from` to `date_to`, "
        "both included, in the installation's time zone; by default the current month up to `date_to`) and "
        "how many of them on time; deadline breaches recorded in the period. `key` is the user or queue id, "
        "or the department's name; `null` for appeals without one."
    ),
)
def on_time(request: HttpRequest, q: Query[OnTimeQuery]) -> dict[str, Any]:
    user = current_user(request)
    service.require_view(user)
    now = timezone.now()
    date_to = q.date_to or timezone.localdate(now)
    date_from = q.date_from or date_to.replace(day=1)
    rows = service.on_time_performance(user, group_by=q.group_by, date_from=date_from, date_to=date_to, now=now)
    return {
        "group_by": q.group_by,
        "date_from": date_from,
        "date_to": date_to,
        "generated_at": now,
        "rows": rows[:-1],
        "total": rows[-1],
    }
