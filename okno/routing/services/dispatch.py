"""The dispatcher's side of routing: what waits for a person to route it, and
applying the classifier's suggestion by hand."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import EventKind, Status
from okno.appeals.models import Appeal, Category, Kind
from okno.appeals.services import events, update_fields
from okno.catalog.models import Product
from okno.core.errors import InvalidInput
from okno.queues.models import Queue
from okno.routing.choices import AssignmentMode
from okno.routing.models import AppealRouting

TARGET_MODELS: dict[str, type[Any]] = {"category": Category, "queue": Queue, "kind": Kind, "product": Product}


def routing_of(appeal: Appeal) -> AppealRouting | None:
    return AppealRouting.objects.filter(appeal=appeal).first()


def waiting_for_dispatcher(user: User) -> QuerySet[Appeal]:
    """Open unassigned appeals no automatic assignment will take: sent to the
    dispatcher by a rule, in a queue assigned by hand, or in no queue at all;
    the most urgent first."""
    automatic = [AssignmentMode.ROUND_ROBIN, AssignmentMode.LEAST_LOADED]
    return (
        access.visible_appeals(user)
        .filter(status__in=Status.open_values(), assignee__isnull=True)
        .filter(
            Q(routing__to_dispatcher=True)
            | Q(queue__isnull=True)
            | Q(queue__routing__isnull=True)
            | ~Q(queue__routing__mode__in=automatic)
        )
        .select_related("queue", "category", "kind", "client", "routing")
        .order_by("due_at", "-priority_rank", "created_at", "id")
    )


@transaction.atomic
def apply_suggestion(actor: User, appeal: Appeal, target: str) -> Appeal:
    """Set the field the classifier suggested for ``target`` (a person agreeing
    with it); the event says whose suggestion it was and how sure."""
    routing = AppealRouting.objects.select_for_update().filter(appeal=appeal).first()
    suggestion = (routing.suggestions or {}).get(target) if routing is not None else None
    if suggestion is None:
        raise InvalidInput(_("There is no suggestion for this field."), field="target")
    model = TARGET_MODELS[target]
    value = model._default_manager.filter(pk=suggestion["value"]).first()
    if value is None:
        raise InvalidInput(_("The suggested value no longer exists."), field="target")
    changed = update_fields(actor, appeal, {target: value})
    events.record(
        changed,
        EventKind.ROUTED,
        actor,
        after=str(value),
        comment=_("The classifier's suggestion (model v%(model)s, confidence %(confidence)s%%) applied by hand.")
        % {"model": suggestion.get("model"), "confidence": round(100 * float(suggestion.get("confidence", 0)))},
    )
    assert routing is not None
    routing.suggestions[target] = {**suggestion, "applied": True}
    if target == "queue":
        routing.to_dispatcher = False
    routing.save(update_fields=["suggestions", "to_dispatcher"])
    return changed


@transaction.atomic
def release_to_queue(actor: User, appeal: Appeal) -> None:
    """The dispatcher has looked and lets the queue's automatic assignment take it."""
    from okno.routing.agents.services.assignment import fill_capacity

    access.require(actor, access.Action.WORK, appeal)
    AppealRouting.objects.filter(appeal=appeal).update(to_dispatcher=False)
    if appeal.queue_id is not None:
        fill_capacity(queue_ids=[appeal.queue_id])
