"""Background work of automatic assignment; each task only wraps a service."""

from __future__ import annotations

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from okno.background.schedule import periodic
from okno.routing.agents.services.assignment import fill_capacity


@periodic(
    "* * * * *", description=_("Give waiting appeals to agents with room (a safety net for changes made in bulk)")
)
@task
def fill_waiting() -> int:
    """Capacity is filled the moment it frees up; this catches what no hook saw
    (memberships written in bulk, appeals changed outside the services)."""
    return len(fill_capacity())
