"""Rules in words, for the rule list and the API: one line per condition and per
action, with the names of the rows they name, and a warning for each row that is
no longer in use (the engine skips such an action). A few queries for all rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from okno.appeals.choices import Priority
from okno.core.errors import InvalidInput
from okno.routing.models import RoutingRule
from okno.routing.services.actions import FIELD_LABELS, TARGETS
from okno.routing.services.conditions import CONDITION_KEYS, Lookup, compile_conditions


@dataclass
class RuleText:
    conditions: list[tuple[str, str]] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def conditions_line(self) -> str:
        if not self.conditions:
            return _("Every appeal")
        return "; ".join(f"{label}: {text}" for label, text in self.conditions)

    @property
    def actions_line(self) -> str:
        return "; ".join(f"{label}: {text}" if label else text for label, text in self.actions) or "—"


def _action_rows(rules: Sequence[RoutingRule]) -> dict[str, dict[int, Any]]:
    from okno.accounts.models import User
    from okno.appeals.models import Category, Kind
    from okno.catalog.models import Product
    from okno.deadlines.models import DeadlinePolicy
    from okno.queues.models import Queue

    sources: dict[str, type[models.Model]] = {
        "queue": Queue,
        "kind": Kind,
        "category": Category,
        "product": Product,
        "deadline_policy": DeadlinePolicy,
        "assignee": User,
    }
    wanted: dict[str, set[int]] = {name: set() for name in sources}
    for rule in rules:
        actions = rule.actions if isinstance(rule.actions, dict) else {}
        for name in sources:
            if isinstance(actions.get(name), int):
                wanted[name].add(actions[name])
    return {name: (sources[name]._default_manager.in_bulk(pks) if pks else {}) for name, pks in wanted.items()}


def _label(name: str) -> str:
    text = str(FIELD_LABELS.get(name, name))
    return text[:1].upper() + text[1:]


def describe(rules: Sequence[RoutingRule]) -> dict[int, RuleText]:
    """Each rule (by id) in words."""
    lookup = Lookup([r.conditions for r in rules if isinstance(r.conditions, dict)])
    rows = _action_rows(rules)
    out: dict[int, RuleText] = {}
    for rule in rules:
        text = RuleText()
        conditions = rule.conditions if isinstance(rule.conditions, dict) else {}
        try:
            compiled = compile_conditions(conditions, lookup)
        except (InvalidInput, KeyError, TypeError, ValueError):
            compiled = []
            text.problems.append(_("The conditions cannot be read; save the rule again."))
        # In the order the form shows them (PostgreSQL's jsonb keeps no key order).
        for condition in sorted(compiled, key=lambda c: CONDITION_KEYS.index(c.key)):
            text.conditions.append((condition.label, condition.describe()))
        actions = rule.actions if isinstance(rule.actions, dict) else {}
        for name in ("queue", "kind", "category", "product", "deadline_policy", "assignee"):
            if name not in actions:
                continue
            row = rows[name].get(actions[name])
            if row is None:
                text.actions.append((_label(name), _("(deleted)")))
                text.problems.append(_("%(field)s: the one the rule names was deleted.") % {"field": _label(name)})
                continue
            shown = row.display_name
            text.actions.append((_label(name), shown))
            if not getattr(row, "is_active", True):
                text.problems.append(
                    _("%(field)s “%(name)s” is no longer in use; the rule skips it.")
                    % {"field": _label(name), "name": shown}
                )
        if "priority" in actions:
            try:
                shown = str(Priority(actions["priority"]).label)
            except ValueError:
                shown = str(actions["priority"])
            if actions.get("only_raise"):
                shown = _("%(priority)s (only raised)") % {"priority": shown}
            text.actions.append((_label("priority"), shown))
        if actions.get("tags"):
            text.actions.append((_label("tags"), "+ " + ", ".join(actions["tags"])))
        if actions.get("apply_suggestion"):
            targets = ", ".join(str(FIELD_LABELS[t]) for t in TARGETS if t in actions["apply_suggestion"])
            text.actions.append(("", _("The classifier's suggestion: %(fields)s") % {"fields": targets}))
        if actions.get("to_dispatcher") is True:
            text.actions.append(("", _("To the dispatcher")))
        elif actions.get("to_dispatcher") is False:
            text.actions.append(("", _("Not to the dispatcher")))
        if actions.get("regulator_forwarded") is True:
            text.actions.append(("", _("Mark as forwarded by the regulator")))
        out[rule.pk] = text
    return out
