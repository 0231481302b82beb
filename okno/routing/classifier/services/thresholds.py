"""Per queue: from which confidence the classifier's suggestion is applied without a
person looking (by the rule action "apply the classifier's suggestion")."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.core.errors import InvalidInput, NotFound
from okno.queues.models import Queue
from okno.routing.classifier.services.store import require_admin
from okno.routing.models import QueueRouting
from okno.routing.services import rules

log = logging.getLogger(__name__)

LOWEST, HIGHEST = 0.5, 1.0


def check(value: Any) -> float | None:
    """A threshold from 0.5 to 1.0, or None (never applied automatically)."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not LOWEST <= number <= HIGHEST:  # NaN fails too
        raise InvalidInput(
            _("The threshold is a confidence from %(low)s to %(high)s, or empty for never.")
            % {"low": LOWEST, "high": HIGHEST},
            field="threshold",
        )
    return round(number, 4)


def set_threshold(actor: User, queue: Queue | int, value: Any) -> QueueRouting:
    """Set ``queue``'s threshold (administrators only)."""
    require_admin(actor)
    threshold = check(value)
    pk = queue.pk if isinstance(queue, Queue) else queue
    with transaction.atomic():
        if not Queue.objects.filter(pk=pk).exists():
            raise NotFound(_("Queue not found."))
        routing, _created = QueueRouting.objects.select_for_update().get_or_create(queue_id=pk)
        routing.auto_apply_threshold = threshold
        routing.save(update_fields=["auto_apply_threshold"])
        rules.forget_on_commit()
    log.info("Queue %s: classifier threshold set to %s by user %s", pk, threshold, actor.pk)
    return routing


def queue_thresholds() -> list[tuple[Queue, float | None]]:
    """Every active queue with its threshold (None: never)."""
    thresholds = dict(QueueRouting.objects.values_list("queue_id", "auto_apply_threshold"))
    return [(queue, thresholds.get(queue.pk)) for queue in Queue.objects.filter(is_active=True)]


def current(queue: Queue) -> float | None:
    return QueueRouting.objects.filter(queue=queue).values_list("auto_apply_threshold", flat=True).first()
