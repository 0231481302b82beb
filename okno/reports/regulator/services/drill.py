"""The appeals behind a number of the regulator report, by the same conditions the
numbers are counted with (``summary``), so the list and the number agree.

``measure`` says which number: ``received`` (optionally of one ``channel``,
``topic`` — a top-level category with its subcategories, or ``none`` — or
``subtopic``), ``closed`` (optionally of one ``outcome``), ``answered``
(optionally of one deadline ``regime``, ``on_time`` ``1``/``0``), ``overdue``
(deadline passed in the period without an answer; optionally of one ``regime``).
``forwarded=1`` narrows any of them to the appeals forwarded by the regulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals.choices import Channel, Outcome
from okno.appeals.models import Appeal, Category
from okno.core.errors import InvalidInput
from okno.deadlines.models import AppealClock
from okno.deadlines.services.performance import _bounds
from okno.reports.regulator.services.summary import (
    answered_clocks_q,
    closed_q,
    on_time_q,
    overdue_clocks_q,
    received_q,
    regime_q,
    report_appeals,
    require_view,
)

MEASURES = ("received", "closed", "answered", "overdue")
PARAMS = ("measure", "channel", "topic", "subtopic", "outcome", "regime", "on_time", "forwarded")


def _id(value: str, field: str) -> int:
    if not value.isdecimal() or not 0 < int(value) < 2**63:
        raise InvalidInput(_("“%(value)s” is not an id.") % {"value": value[:20]}, field=field)
    return int(value)


def drill_appeals(user: User, date_from: date, date_to: date, params: Mapping[str, str]) -> QuerySet[Appeal]:
    """The appeals behind one number, newest first. ``InvalidInput`` for a parameter
    that makes no sense; ``PermissionDenied`` for readers the report is not for."""
    require_view(user)
    start, end = _bounds(date_from, date_to)
    measure = params.get("measure") or "received"
    if measure not in MEASURES:
        raise InvalidInput(_("Unknown measure; known: %(known)s.") % {"known": ", ".join(MEASURES)}, field="measure")
    qs = report_appeals(user)
    if params.get("forwarded") == "1":
        qs = qs.filter(regulator_forwarded=True)
    if measure == "received":
        qs = qs.filter(received_q(start, end))
        if channel := params.get("channel"):
            if channel not in Channel.values:
                raise InvalidInput(_("Unknown channel."), field="channel")
            qs = qs.filter(channel=channel)
        if topic := params.get("topic"):
            if topic == "none":
                qs = qs.filter(category__isnull=True)
            else:
                pk = _id(topic, "topic")
                children = Category.objects.filter(parent_id=pk).values("id")
                qs = qs.filter(Q(category_id=pk) | Q(category_id__in=children))
        if subtopic := params.get("subtopic"):
            qs = qs.filter(category_id=_id(subtopic, "subtopic"))
    elif measure == "closed":
        qs = qs.filter(closed_q(start, end))
        if outcome := params.get("outcome"):
            if outcome not in Outcome.values:
                raise InvalidInput(_("Unknown outcome."), field="outcome")
            qs = qs.filter(outcome=outcome)
    else:
        clocks = (
            Q(answered_clocks_q(start, end, prefix="")) if measure == "answered" else overdue_clocks_q(start, end, "")
        )
        if regime := params.get("regime"):
            clocks &= regime_q(regime, prefix="")
        on_time = params.get("on_time")
        if measure == "answered" and on_time in ("1", "0"):
            clocks &= on_time_q("") if on_time == "1" else ~on_time_q("")
        qs = qs.filter(pk__in=AppealClock.objects.filter(clocks).values("appeal_id"))
    return qs.order_by("-created_at", "-id")
