"""Administering routing rules: create, change, delete, switch on and off, reorder.
Administrators only; the settings pages and the API both come through here.

Conditions and actions are checked by ``conditions.clean_conditions`` and
``actions.clean_actions`` (unknown keys, wrong shapes, rows that do not exist or
are retired, regular expressions that do not compile or could run for ever), each
error naming its key (``conditions.text``, ``actions.queue``). Every change makes
this process forget the compiled rules at once and again on commit; other
processes pick it up within ``rules.SECONDS``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.core.errors import Conflict, InvalidInput, NotFound
from okno.routing.models import RoutingRule
from okno.routing.services import rules
from okno.routing.services.actions import clean_actions
from okno.routing.services.conditions import clean_conditions

RULE_FIELDS: Final = ("name", "description", "is_active", "stop", "position", "conditions", "actions")
MAX_NAME: Final = 200
MAX_DESCRIPTION: Final = 10_000
MAX_POSITION: Final = 1_000_000
POSITION_STEP: Final = 10

Ref = RoutingRule | int


def clean_rule(values: Mapping[str, Any]) -> dict[str, Any]:
    """Rule values checked and normalised; only the keys given. Raises ``InvalidInput``."""
    unknown = sorted(set(values) - set(RULE_FIELDS))
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(unknown)}, field=unknown[0])
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name":
            text = " ".join(str(value or "").split())
            if not text:
                raise InvalidInput(_("A rule needs a name."), field="name")
            if len(text) > MAX_NAME:
                raise InvalidInput(_("The name is at most %(n)d characters long.") % {"n": MAX_NAME}, field="name")
            out[name] = text
        elif name == "description":
            text = str(value or "").strip()
            if len(text) > MAX_DESCRIPTION:
                raise InvalidInput(
                    _("The description is at most %(n)d characters long.") % {"n": MAX_DESCRIPTION},
                    field="description",
                )
            out[name] = text
        elif name in ("is_active", "stop"):
            if not isinstance(value, bool):
                raise InvalidInput(_("“%(key)s” must be true or false.") % {"key": name}, field=name)
            out[name] = value
        elif name == "position":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POSITION:
                raise InvalidInput(
                    _("The position is a whole number from 0 to %(max)d.") % {"max": MAX_POSITION}, field="position"
                )
            out[name] = value
        elif name == "conditions":
            out[name] = clean_conditions(value)
        else:
            out[name] = clean_actions(value)
    return out


def _require_something(rule: RoutingRule) -> None:
    if not rule.actions and not rule.stop:
        raise InvalidInput(
            _("A rule must do something: set a field, add tags, send to the dispatcher, or stop the rules after it."),
            field="actions",
        )


def _lock(rule: Ref) -> RoutingRule:
    pk = rule.pk if isinstance(rule, RoutingRule) else rule
    found = RoutingRule.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        raise NotFound(_("No such routing rule."))
    return found


def _last_position() -> int:
    last = RoutingRule.objects.aggregate(last=Max("position"))["last"]
    return min(MAX_POSITION, (last or 0) + POSITION_STEP)


def _changed(rule: RoutingRule, actor: User | None) -> None:
    rule.updated_at = timezone.now()
    rule.updated_by = actor
    rules.forget_on_commit()


@transaction.atomic
def create_rule(actor: User, values: Mapping[str, Any]) -> RoutingRule:
    """A new rule, last in the order unless a ``position`` is given; active unless
    ``is_active`` says otherwise."""
    require_admin(actor)
    cleaned = clean_rule(values)
    if "name" not in cleaned:
        raise InvalidInput(_("A rule needs a name."), field="name")
    cleaned.setdefault("position", _last_position())
    rule = RoutingRule(**cleaned)
    _require_something(rule)
    rule.created_at = timezone.now()
    _changed(rule, actor)
    rule.save()
    return rule


@transaction.atomic
def update_rule(actor: User, rule: Ref, changes: Mapping[str, Any]) -> RoutingRule:
    """Change the fields given; ``conditions`` and ``actions`` are replaced whole."""
    require_admin(actor)
    locked = _lock(rule)
    for name, value in clean_rule(changes).items():
        setattr(locked, name, value)
    _require_something(locked)
    _changed(locked, actor)
    locked.save()
    return locked


@transaction.atomic
def set_active(actor: User, rule: Ref, active: bool) -> RoutingRule:
    require_admin(actor)
    locked = _lock(rule)
    if locked.is_active != active:
        locked.is_active = active
        _changed(locked, actor)
        locked.save(update_fields=["is_active", "updated_at", "updated_by"])
    return locked


def activate(actor: User, rule: Ref) -> RoutingRule:
    return set_active(actor, rule, True)


def deactivate(actor: User, rule: Ref) -> RoutingRule:
    return set_active(actor, rule, False)


@transaction.atomic
def delete_rule(actor: User, rule: Ref) -> None:
    """Delete a rule. A shipped preset is switched off instead of deleted (the
    installer would bring it back)."""
    require_admin(actor)
    locked = _lock(rule)
    if locked.is_preset:
        raise Conflict(_("A shipped preset cannot be deleted; switch it off instead."))
    locked.delete()
    rules.forget_on_commit()


def _renumber(ordered: Sequence[RoutingRule], actor: User) -> None:
    now = timezone.now()
    changed = []
    for n, row in enumerate(ordered, start=1):
        if row.position != n * POSITION_STEP:
            row.position = n * POSITION_STEP
            row.updated_at = now
            row.updated_by = actor
            changed.append(row)
    RoutingRule.objects.bulk_update(changed, ["position", "updated_at", "updated_by"])
    rules.forget_on_commit()


@transaction.atomic
def move(actor: User, rule: Ref, direction: Literal["up", "down"]) -> RoutingRule:
    """Swap a rule with its neighbour in the order (the rules are renumbered in tens)."""
    require_admin(actor)
    if direction not in ("up", "down"):
        raise InvalidInput(_("Move a rule up or down."), field="direction")
    locked = _lock(rule)
    ordered = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, r in enumerate(ordered) if r.pk == locked.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        _renumber(ordered, actor)
    return next(r for r in ordered if r.pk == locked.pk)


@transaction.atomic
def reorder(actor: User, ids: Sequence[int]) -> list[RoutingRule]:
    """Put the rules in the order of ``ids``, which must name every rule once."""
    require_admin(actor)
    ordered = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
    by_id = {r.pk: r for r in ordered}
    wanted = list(ids)
    if len(set(wanted)) != len(wanted):
        raise InvalidInput(_("Each rule must appear once in the order."), field="ids")
    unknown = [pk for pk in wanted if pk not in by_id]
    if unknown:
        raise InvalidInput(_("There is no rule with id %(id)s.") % {"id": unknown[0]}, field="ids")
    missing = [r for r in ordered if r.pk not in set(wanted)]
    if missing:
        raise InvalidInput(
            _("The order must name every rule; “%(name)s” is missing.") % {"name": missing[0].name}, field="ids"
        )
    result = [by_id[pk] for pk in wanted]
    _renumber(result, actor)
    return result
