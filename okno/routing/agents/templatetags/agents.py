"""The status switcher's data for the signed-in user (one query per page)."""

from __future__ import annotations

from typing import Any

from django import template

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
