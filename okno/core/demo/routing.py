"""Routing in the demo: the shipped rules, automatic first lines, agents at work
with limits, and a classifier trained on the demo's own closed appeals."""

from __future__ import annotations

import logging

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.queues.models import Queue
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services import limits, statuses
from okno.routing.choices import AssignmentMode
from okno.routing.services.presets import load_presets

log = logging.getLogger(__name__)
# Queues whose new appeals go to agents without a dispatcher.
AUTOMATIC = {"bank-first-line": AssignmentMode.LEAST_LOADED, "clim-support": AssignmentMode.ROUND_ROBIN}
TAKING = (Role.AGENT, Role.SPECIALIST)


def setup_routing() -> None:
    """Run after the history (its appeals were routed by whatever rules existed):
    from now on new appeals are routed as a live installation would route them."""
    load_presets()
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    if admin is None:
        return
    for queue in Queue.objects.filter(code__in=AUTOMATIC):
        limits.set_queue_mode(admin, queue, AUTOMATIC[queue.code])
    workers = User.objects.filter(role__in=TAKING, is_active=True).order_by("pk")
    for n, user in enumerate(workers):
        limits.update_agent(admin, user, {"max_open": 25, "channel_limits": {"messenger": 3}})
        statuses.set_status(admin, user, AgentStatus.BREAK if n % 5 == 4 else AgentStatus.AVAILABLE)
    _train_classifier(admin)


def _train_classifier(admin: User) -> None:
    from okno.core.errors import InvalidInput
    from okno.routing.classifier.services.learning import train_from_appeals

    try:
        train_from_appeals(admin, minimum=50, activate=True)
    except InvalidInput as exc:  # a small demo may not have enough closed appeals
        log.info("demo classifier not trained: %s", exc)
