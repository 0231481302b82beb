"""The status switcher's data for the signed-in user (one query per page), and the
board's clocks of how long something has waited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import pgettext

from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services.board import STATUS_COLOURS
from okno.routing.agents.services.common import is_routed

register = template.Library()


@register.simple_tag(takes_context=True)
def my_agent_status(context: template.Context) -> dict[str, Any] | None:
    """``{status, label, colour, choices}`` for someone automatic assignment may
    give appeals to; None for anyone else (no switcher)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_routed(user):
        return None
    from okno.routing.agents.models import AgentProfile

    status = AgentProfile.objects.filter(user_id=user.pk).values_list("status", flat=True).first()
    status = status or AgentStatus.OFFLINE
    return {
        "status": status,
        "label": AgentStatus(status).label,
        "colour": STATUS_COLOURS[AgentStatus(status)],
        "choices": [(s.value, s.label, STATUS_COLOURS[s]) for s in AgentStatus],
    }


@register.filter
def colour_of(status: str) -> str:
    try:
        return STATUS_COLOURS[AgentStatus(status)]
    except ValueError:
        return "secondary"


@register.filter
def epoch_ms(value: datetime | None) -> str:
    """A moment as milliseconds since the epoch, for the board's ticking clocks."""
    return "" if value is None else str(int(value.timestamp() * 1000))


@register.filter
def since_clock(value: datetime | None, now: datetime | None = None) -> str:
    """How long since ``value`` as a clock: ``4:05``, ``1:04:05``, or ``2 d 3 h``
    beyond a day (board.js keeps it ticking in the same format)."""
    if value is None:
        return "—"
    return wait_clock(int(((now or timezone.now()) - value).total_seconds()))


def wait_clock(seconds: int) -> str:
    seconds = max(seconds, 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return pgettext("duration", "%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
