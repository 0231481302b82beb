"""What administrators set for automatic assignment: each agent's limits and
skills, each channel's total limit, each queue's assignment mode. A change that
lets someone take more fills the freed capacity at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.appeals.choices import Channel
from okno.catalog.models import Product
from okno.core.errors import InvalidInput, NotFound, choice_of
from okno.queues.models import Queue
from okno.routing.agents.models import AgentProfile, ChannelLimit
from okno.routing.agents.services.common import lock_assignment
from okno.routing.choices import AssignmentMode
from okno.routing.models import QueueRouting

AGENT_FIELDS = ("max_open", "channel_limits", "languages", "products")
# Languages routing recognises in appeals (okno.routing.language).
LANGUAGES = {"ru": "Русский", "en": "English"}
MAX_LIMIT = 100_000


def _limit(value: Any, field: str) -> int | None:
    """A limit: a whole number from 0, or None (no limit)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(_("A limit is a whole number."), field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("A limit is a whole number."), field=field) from None
    if number != value and not (isinstance(value, str) and value.strip() == str(number)):
        raise InvalidInput(_("A limit is a whole number."), field=field)
    if not 0 <= number <= MAX_LIMIT:
        raise InvalidInput(_("A limit is between 0 and %(max)s.") % {"max": MAX_LIMIT}, field=field)
    return number


def _channel_limits(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(_("Limits per channel are a mapping of channel to number."), field="channel_limits")
    limits: dict[str, int] = {}
    for channel, raw in value.items():
        code = choice_of(channel, Channel, "channel_limits")
        limit = _limit(raw, f"channel_limits.{code}")
        if limit is not None:
            limits[code] = limit
    return dict(sorted(limits.items()))


def _languages(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidInput(_("Languages are a list of codes."), field="languages")
    codes = sorted({str(v).strip().lower() for v in value if str(v).strip()})
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown:
        raise InvalidInput(
            _("Unknown language “%(code)s”; known: %(known)s.") % {"code": unknown[0], "known": ", ".join(LANGUAGES)},
            field="languages",
        )
    return codes


def _products(value: Any) -> list[Product]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidInput(_("Products are a list of ids."), field="products")
    ids: set[int] = set()
    for item in value:
        pk = item.pk if isinstance(item, Product) else item
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise InvalidInput(_("Products are a list of ids."), field="products")
        ids.add(pk)
    found = list(Product.objects.filter(pk__in=sorted(ids)))
    missing = sorted(ids - {p.pk for p in found})
    if missing:
        raise InvalidInput(_("There is no product with id %(id)s.") % {"id": missing[0]}, field="products")
    return found


def _user(agent: User | int) -> User:
    if isinstance(agent, User):
        return agent
    found = User.objects.filter(pk=agent).first()
    if found is None:
        raise NotFound(_("No such user."))
    return found


@transaction.atomic
def update_agent(actor: User, agent: User | int, changes: Mapping[str, Any]) -> AgentProfile:
    """Change any of ``AGENT_FIELDS``: ``max_open`` (None: no limit),
    ``channel_limits`` ({channel: number}; the whole new set), ``languages``
    (codes; empty: any), ``products`` (ids; empty: any)."""
    require_admin(actor)
    unknown = sorted(set(changes) - set(AGENT_FIELDS))
    if unknown:
        raise InvalidInput(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(unknown)}, field=unknown[0])
    user = _user(agent)
    values: dict[str, Any] = {}
    if "max_open" in changes:
        values["max_open"] = _limit(changes["max_open"], "max_open")
    if "channel_limits" in changes:
        values["channel_limits"] = _channel_limits(changes["channel_limits"])
    if "languages" in changes:
        values["languages"] = _languages(changes["languages"])
    products = _products(changes["products"]) if "products" in changes else None
    lock_assignment()
    profile = AgentProfile.objects.select_for_update().filter(user_id=user.pk).first()
    if profile is None:
        profile, _created = AgentProfile.objects.get_or_create(user_id=user.pk)
    for name, value in values.items():
        setattr(profile, name, value)
    if values:
        profile.save(update_fields=sorted(values))
    if products is not None:
        profile.products.set(products)
    _fill(user_ids=[user.pk])
    return profile


@transaction.atomic
def set_channel_limits(actor: User, limits: Mapping[str, Any]) -> dict[str, int]:
    """The whole set of channels' total limits: a channel left out (or None) has none."""
    require_admin(actor)
    if not isinstance(limits, Mapping):
        raise InvalidInput(_("Limits per channel are a mapping of channel to number."), field="limits")
    wanted: dict[str, int] = {}
    for channel, raw in limits.items():
        code = choice_of(channel, Channel, "channel")
        limit = _limit(raw, f"limits.{code}")
        if limit is not None:
            wanted[code] = limit
    lock_assignment()
    ChannelLimit.objects.exclude(channel__in=sorted(wanted)).delete()
    for channel, limit in wanted.items():
        ChannelLimit.objects.update_or_create(channel=channel, defaults={"max_open": limit})
    _fill()
    return channel_limits()


def channel_limits() -> dict[str, int]:
    return dict(ChannelLimit.objects.order_by("channel").values_list("channel", "max_open"))


def queue_routing(queue: Queue | int) -> QueueRouting:
    """The queue's routing settings (manual assignment until someone says otherwise)."""
    pk = queue.pk if isinstance(queue, Queue) else queue
    if not Queue.objects.filter(pk=pk).exists():
        raise NotFound(_("Queue not found."))
    found = QueueRouting.objects.select_related("queue", "last_assigned").filter(queue_id=pk).first()
    return found if found is not None else QueueRouting(queue_id=pk)


@transaction.atomic
def set_queue_mode(actor: User, queue: Queue | int, mode: str) -> QueueRouting:
    """How the queue's new appeals reach agents; becoming automatic gives its
    waiting appeals away at once."""
    require_admin(actor)
    mode = choice_of(mode, AssignmentMode, "mode")
    pk = queue.pk if isinstance(queue, Queue) else queue
    if not Queue.objects.filter(pk=pk).exists():
        raise NotFound(_("Queue not found."))
    lock_assignment()
    routing, _created = QueueRouting.objects.select_for_update().get_or_create(queue_id=pk)
    if routing.mode != mode:
        routing.mode = mode
        routing.save(update_fields=["mode"])
        if mode != AssignmentMode.MANUAL:
            _fill(queue_ids=[pk])
    return QueueRouting.objects.select_related("queue", "last_assigned").get(queue_id=pk)


def _fill(**scope: Any) -> None:
    from okno.routing.agents.services.assignment import fill_capacity

    fill_capacity(**scope)
