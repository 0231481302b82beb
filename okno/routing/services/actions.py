"""Actions of routing rules: checking what an administrator saved.

``RoutingRule.actions`` is a JSON object; every key is optional:

========================  ==================================================================
key                       shape and meaning
========================  ==================================================================
``queue``                 queue id
``kind``                  kind id
``category``              category id
``product``               product id
``priority``              ``"low"`` / ``"normal"`` / ``"high"`` / ``"critical"``
``only_raise``            ``true``: the priority is only ever raised, never lowered (the
                          shipped automatic-priority rules use it, so their order does
                          not matter)
``tags``                  ``["регулятор"]``: tag names, added to the appeal's tags
``deadline_policy``       deadline policy id: its terms instead of the first matching policy
``assignee``              user id; when the rule runs the user must be active and a member
                          of the appeal's queue (as the rule leaves it), else the action is
                          skipped and the decision says why
``to_dispatcher``         ``true``: the appeal waits for a dispatcher (no automatic
                          assignment); ``false`` undoes an earlier rule's ``true``
``apply_suggestion``      ``["category", "queue", "kind", "product"]``: apply the
                          classifier's suggestion for these fields when its confidence is
                          at least the queue's ``QueueRouting.auto_apply_threshold`` (for
                          the queue itself: the suggested queue's threshold)
``regulator_forwarded``   ``true``: the appeal is marked as forwarded by the regulator, so the
                          regulator report counts it; never unmarked (``false`` is no action)
========================  ==================================================================

A field a person chose when registering the appeal is never changed (it is
"kept"), and an action whose row has been retired or deleted since the rule was
saved is skipped; both show in the rule's decision.
"""

from __future__ import annotations

from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.appeals.choices import Priority
from okno.core.errors import InvalidInput
from okno.routing.services.conditions import MAX_ID, existing

ACTION_KEYS: Final = (
    "queue",
    "kind",
    "category",
    "product",
    "priority",
    "only_raise",
    "tags",
    "deadline_policy",
    "assignee",
    "to_dispatcher",
    "apply_suggestion",
    "regulator_forwarded",
)
TARGETS: Final = ("queue", "kind", "category", "product")
FIELD_LABELS: Final = {
    "queue": gettext_lazy("queue"),
    "kind": gettext_lazy("kind"),
    "category": gettext_lazy("category"),
    "product": gettext_lazy("product"),
    "priority": gettext_lazy("priority"),
    "tags": gettext_lazy("tags"),
    "deadline_policy": gettext_lazy("deadline policy"),
    "assignee": gettext_lazy("assignee"),
    "to_dispatcher": gettext_lazy("dispatcher"),
    "regulator_forwarded": gettext_lazy("forwarded by the regulator"),
}
MAX_TAGS: Final = 20
TAG_LENGTH: Final = 60


def field_of(key: str) -> str:
    return f"actions.{key}"


def _id(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise InvalidInput(_("“%(value)s” is not an id.") % {"value": value}, field=field_of(key))
    return value


def _tags(value: Any) -> list[str]:
    field = field_of("tags")
    if not isinstance(value, list):
        raise InvalidInput(_("Give the tags as a list of names."), field=field)
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise InvalidInput(_("Give the tags as a list of names."), field=field)
        name = " ".join(item.split())
        if not name:
            continue
        if len(name) > TAG_LENGTH:
            raise InvalidInput(_("A tag is at most %(n)d characters long.") % {"n": TAG_LENGTH}, field=field)
        if name not in out:
            out.append(name)
    if len(out) > MAX_TAGS:
        raise InvalidInput(_("At most %(n)d tags per rule.") % {"n": MAX_TAGS}, field=field)
    return out


def _assignee(pk: int) -> int:
    from okno.accounts.models import User
    from okno.appeals import access

    user = User.objects.filter(pk=pk).first()
    field = field_of("assignee")
    if user is None:
        raise InvalidInput(_("There is no user with id %(id)s.") % {"id": pk}, field=field)
    if not user.is_active or not (user.is_superuser or user.role in access.WORK_ROLES):
        raise InvalidInput(_("%(user)s cannot be assigned appeals.") % {"user": user.display_name}, field=field)
    return pk


def clean_actions(values: Any) -> dict[str, Any]:
    """The actions checked and normalised (``false`` flags and empty lists dropped,
    references checked: they must exist and be in use). Raises ``InvalidInput``
    whose ``field`` is ``actions.<key>``."""
    from okno.appeals.models import Category, Kind
    from okno.catalog.models import Product
    from okno.deadlines.models import DeadlinePolicy
    from okno.queues.models import Queue

    if values is None:
        return {}
    if not isinstance(values, dict):
        raise InvalidInput(_("Actions must be an object."), field="actions")
    unknown = sorted(set(values) - set(ACTION_KEYS))
    if unknown:
        raise InvalidInput(
            _("Unknown actions: %(keys)s. Known: %(known)s.")
            % {"keys": ", ".join(unknown), "known": ", ".join(ACTION_KEYS)},
            field=field_of(unknown[0]),
        )
    rows: dict[str, Any] = {"queue": Queue, "kind": Kind, "category": Category, "product": Product}
    out: dict[str, Any] = {}
    for key in ACTION_KEYS:
        value = values.get(key)
        if value is None:
            continue
        field = field_of(key)
        if key in rows:
            out[key] = existing(rows[key], [_id(value, key)], field)[0].pk
        elif key == "deadline_policy":
            out[key] = existing(DeadlinePolicy, [_id(value, key)], field)[0].pk
        elif key == "assignee":
            out[key] = _assignee(_id(value, key))
        elif key == "priority":
            if value not in Priority.values:
                raise InvalidInput(
                    _("Unknown priority “%(value)s”; known: %(known)s.")
                    % {"value": value, "known": ", ".join(Priority.values)},
                    field=field,
                )
            out[key] = value
        elif key in ("only_raise", "to_dispatcher", "regulator_forwarded"):
            if not isinstance(value, bool):
                raise InvalidInput(_("“%(key)s” must be true or false.") % {"key": key}, field=field)
            if value or key == "to_dispatcher":
                out[key] = value
        elif key == "tags":
            tags = _tags(value)
            if tags:
                out[key] = tags
        else:  # apply_suggestion
            if not isinstance(value, list) or any(t not in TARGETS for t in value):
                raise InvalidInput(
                    _("Apply the classifier's suggestion for any of: %(known)s.") % {"known": ", ".join(TARGETS)},
                    field=field,
                )
            targets = [t for t in TARGETS if t in value]
            if targets:
                out[key] = targets
    if out.get("only_raise") and "priority" not in out:
        raise InvalidInput(_("“Only raise” needs a priority to raise to."), field=field_of("only_raise"))
    for target in out.get("apply_suggestion", ()):
        if target in out:
            raise InvalidInput(
                _("The rule both sets the %(field)s and applies the classifier's suggestion for it; choose one.")
                % {"field": FIELD_LABELS[target]},
                field=field_of("apply_suggestion"),
            )
    return out
