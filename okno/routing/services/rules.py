"""The routing rules engine: which rules an arriving appeal meets and what they set.

Rules are tried in ``position`` order; all conditions of a rule must hold (see
``conditions`` for their keys and shapes); a rule that holds applies its actions
(``actions``) at once, so a later rule sees what an earlier one set; a rule with
``stop`` ends the run. Fields a person chose (``Arrival.fixed``) are kept, and an
action naming a row that has been retired or deleted since is skipped: each
:class:`Decision` says what its rule set, kept and skipped.

Speed: the active rules are compiled once per process (terms parsed, category
trees expanded, rows named by conditions loaded) and remembered for ``SECONDS``;
every change through ``rule_admin`` forgets them at once in its own process and
again on commit. What a batch of arrivals needs from the database (earlier appeals
of their clients for "repeat", organisations above their clients, members of the
queues named by assignee actions, queues' thresholds for the classifier) is read
once per batch, a query each, and only if some rule asks. An appeal's text is split
into words and stemmed once, the first time a rule looks at it.

:func:`dry_run` (``dryrun``) shows all of it without writing anything, and
:func:`rerun` (``reroute``) runs the rules again on a registered appeal.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.appeals.choices import PRIORITY_RANK, Priority, Status
from okno.core import fastsql, refcache
from okno.routing.services.actions import FIELD_LABELS
from okno.routing.services.conditions import Condition, Facts, Lookup, compile_conditions

if TYPE_CHECKING:
    from okno.accounts.models import User
    from okno.appeals.models import Appeal
    from okno.appeals.services.hooks import Arrival
    from okno.clients.models import Client
    from okno.routing.classifier.services.predict import Suggestion
    from okno.routing.models import RoutingRule
    from okno.routing.services.dryrun import DryRun

__all__ = ["Decision", "RuleTrace", "compiled", "decide", "dry_run", "forget", "forget_on_commit", "rerun"]

log = logging.getLogger(__name__)

SECONDS: Final = 30.0
MAX_LINEAGE: Final = 10


# --- what a rule did ---------------------------------------------------------------------------------


@dataclass
class Decision:
    """What one rule that held did to one appeal."""

    rule_id: int
    rule_name: str
    # field -> {"value": stored value, "label": how it reads}; a classifier's
    # suggestion also carries "suggestion": True, "model" and "confidence".
    set: dict[str, dict[str, Any]] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # fields it would have set, but a person had chosen them
    stopped: bool = False
    skipped: dict[str, str] = field(default_factory=dict)  # field -> why the action was not done

    @property
    def is_empty(self) -> bool:
        return not (self.set or self.kept or self.skipped or self.stopped)

    def changes(self) -> list[str]:
        """What the rule did, a phrase per field (translated now)."""
        parts: list[str] = []
        for name, entry in self.set.items():
            label = str(FIELD_LABELS.get(name, name))
            if name == "to_dispatcher":
                parts.append(_("to the dispatcher") if entry.get("value") else _("not to the dispatcher"))
            elif name == "regulator_forwarded":
                parts.append(_("marked as forwarded by the regulator"))
            elif name == "tags":
                parts.append(f"{label} + {entry.get('label', '')}")
            elif entry.get("suggestion"):
                parts.append(
                    _("%(field)s → %(value)s (the classifier's suggestion, model v%(model)s, %(confidence)s %%)")
                    % {
                        "field": label,
                        "value": entry.get("label", ""),
                        "model": entry.get("model", "?"),
                        "confidence": round(100 * float(entry.get("confidence", 0))),
                    }
                )
            else:
                parts.append(f"{label} → {entry.get('label', '')}")
        if self.kept:
            parts.append(
                _("kept as a person chose: %(fields)s")
                % {"fields": ", ".join(str(FIELD_LABELS.get(f, f)) for f in self.kept)}
            )
        parts += self.skipped.values()
        if self.stopped:
            parts.append(_("later rules were not tried"))
        return parts

    def summary(self) -> str:
        """E.g. «Правило «VIP»: приоритет → Высокий; очередь → VIP»."""
        parts = self.changes() or [_("nothing to change")]
        return _("Rule “%(name)s”: %(changes)s") % {"name": self.rule_name, "changes": "; ".join(parts)}

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "name": self.rule_name,
            "set": self.set,
            "kept": self.kept,
            "skipped": self.skipped,
            "stopped": self.stopped,
            "summary": self.summary(),
        }


@dataclass
class RuleTrace:
    """One rule in a dry run: whether it was reached and held, and if not, why."""

    rule_id: int
    name: str
    position: int
    stop: bool
    conditions: list[tuple[str, str]]  # (label, what it asks) for the rule's description
    reached: bool = True
    matched: bool = False
    failed: list[dict[str, str]] = field(default_factory=list)  # {"key", "label", "wanted", "actual"}
    decision: Decision | None = None


# --- compiled rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    position: int
    stop: bool
    conditions: tuple[Condition, ...]
    actions: Mapping[str, Any]

    def failing(self, facts: Facts) -> Condition | None:
        for condition in self.conditions:
            if not condition.test(facts):
                return condition
        return None

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.conditions)


def compile_rule(rule: RoutingRule, lookup: Lookup | None = None) -> CompiledRule:
    conditions = rule.conditions if isinstance(rule.conditions, dict) else {}
    return CompiledRule(
        id=rule.pk,
        name=rule.name,
        position=rule.position,
        stop=rule.stop,
        conditions=tuple(compile_conditions(conditions, lookup or Lookup([conditions]))),
        actions=dict(rule.actions) if isinstance(rule.actions, dict) else {},
    )


def compile_all(rules: Sequence[RoutingRule]) -> list[CompiledRule]:
    """Compile rules in order; one that cannot be compiled (changed behind the
    services' back) is left out and logged rather than stopping all routing."""
    lookup = Lookup([r.conditions for r in rules if isinstance(r.conditions, dict)])
    out = []
    for rule in rules:
        try:
            out.append(compile_rule(rule, lookup))
        except Exception:
            log.exception("routing rule %s cannot be compiled; it is left out", rule.pk)
    return out


_lock = threading.Lock()
# When read, the active rules compiled, and each queue's classifier threshold (the
# "apply the suggestion" action reads it; set with the rules, it changes as rarely).
_compiled: tuple[float, list[CompiledRule], dict[int, float]] | None = None


def _snapshot() -> tuple[float, list[CompiledRule], dict[int, float]]:
    global _compiled
    hit = _compiled
    now = time.monotonic()
    if hit is not None and now - hit[0] < SECONDS:
        return hit
    from okno.routing.models import QueueRouting, RoutingRule

    rules = compile_all(list(RoutingRule.objects.filter(is_active=True).order_by("position", "id")))
    thresholds = {
        queue: threshold
        for queue, threshold in QueueRouting.objects.values_list("queue_id", "auto_apply_threshold")
        if threshold is not None
    }
    snapshot = (now, rules, thresholds)
    with _lock:
        _compiled = snapshot
    return snapshot


def compiled() -> list[CompiledRule]:
    """The active rules in order, compiled, remembered for ``SECONDS`` per process."""
    return _snapshot()[1]


def thresholds() -> dict[int, float]:
    """Queue id → the confidence from which it applies the classifier's suggestions,
    remembered with the rules."""
    return _snapshot()[2]


def forget() -> None:
    """Drop the compiled rules (after any change to the rules or the thresholds, in this process)."""
    global _compiled
    with _lock:
        _compiled = None


def forget_on_commit() -> None:
    """Forget now (this transaction's reads see the change) and again on commit
    (a read in between must not keep the old rules)."""
    forget()
    transaction.on_commit(forget)


# --- facts of a batch ------------------------------------------------------------------------------


class Batch:
    """What the rules read from the database for a batch of arrivals: a query per
    kind of fact, for all of them, and only when some rule asks for it."""

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        arrivals: Sequence[Arrival],
        exclude: Sequence[int | None] = (),
    ) -> None:
        self.rules = rules
        self.arrivals = arrivals
        keys = frozenset().union(*(r.keys for r in rules)) if rules else frozenset()
        clients = [a.appeal.client if a.appeal.client_id is not None else None for a in arrivals]
        lineages = self._lineages(clients) if "organisations" in keys else {}
        days = sorted({c.days for r in rules for c in r.conditions if c.key == "repeat"})  # type: ignore[attr-defined]
        repeats = self._repeats(days, exclude) if days else [{} for _a in arrivals]
        self.facts = [
            Facts(
                a.appeal,
                text=a.text,
                sender=a.sender,
                mailbox_id=a.mailbox_id,
                attachments=a.attachments,
                lineage=lineages.get(a.appeal.client_id, frozenset()) if a.appeal.client_id else frozenset(),
                repeats=repeats[i],
            )
            for i, a in enumerate(arrivals)
        ]
        self._thresholds: dict[int, float] | None = None
        self._assignees: tuple[dict[int, User], dict[int, frozenset[int]]] | None = None

    @staticmethod
    def _lineages(clients: Sequence[Client | None]) -> dict[int, frozenset[int]]:
        """Each client's id with the ids of the organisations above it, a query per level."""
        from okno.clients.models import Client

        parent: dict[int, int | None] = {c.pk: c.parent_id for c in clients if c is not None}
        wanted = {p for p in parent.values() if p is not None and p not in parent}
        for _level in range(MAX_LINEAGE):
            if not wanted:
                break
            rows = dict(Client.objects.filter(pk__in=wanted).values_list("pk", "parent_id"))
            parent.update(rows)
            for pk in wanted - rows.keys():
                parent[pk] = None
            wanted = {p for p in rows.values() if p is not None and p not in parent}
        out: dict[int, frozenset[int]] = {}
        for client in clients:
            if client is None or client.pk in out:
                continue
            chain: list[int] = []
            node: int | None = client.pk
            while node is not None and node not in chain and len(chain) <= MAX_LINEAGE:
                chain.append(node)
                node = parent.get(node)
            out[client.pk] = frozenset(chain)
        return out

    def _repeats(self, days: Sequence[int], exclude: Sequence[int | None]) -> list[dict[int, int]]:
        """For each arrival, per window of days: the client's appeals registered in
        that many days before it (merged duplicates and the appeal itself not
        counted), in one query for the batch; earlier arrivals of the batch count too."""
        from okno.appeals.models import Appeal

        arrivals = self.arrivals
        client_ids = {a.appeal.client_id for a in arrivals if a.appeal.client_id is not None}
        empty: list[dict[int, int]] = [{} for _a in arrivals]
        if not client_ids:
            return empty
        anchors = {a.appeal.registered_at or timezone.now() for a in arrivals}
        skip = sorted(pk for pk in exclude if pk is not None)
        clients = sorted(client_ids)
        where = f"client_id IN ({fastsql.placeholders(clients)}) AND status <> %s"
        params: list[Any] = [*clients, Status.MERGED]
        if skip:
            where += f" AND id NOT IN ({fastsql.placeholders(skip)})"
            params += skip
        where += " AND registered_at >= %s AND registered_at <= %s"
        adapt = connection.ops.adapt_datetimefield_value
        counted: dict[tuple[int, int, dt.datetime], int] = {}
        if len(anchors) == 1:
            # One moment (one registration, or a batch registered at once): a count per window in the database.
            (anchor,) = anchors
            windows = ", ".join("SUM(CASE WHEN registered_at >= %s THEN 1 ELSE 0 END)" for _d in days)
            sql = f"SELECT client_id, {windows} FROM appeals_appeal WHERE {where} GROUP BY client_id"  # noqa: S608 - placeholders only
            bounds = [adapt(anchor - dt.timedelta(days=max(days))), adapt(anchor)]
            starts = [adapt(anchor - dt.timedelta(days=d)) for d in days]
            for owner, *counts in fastsql.select(sql, [*starts, *params, *bounds], [None] * (len(days) + 1)):
                for d, n in zip(days, counts, strict=True):
                    counted[(owner, d, anchor)] = int(n or 0)
        else:
            sql = f"SELECT client_id, registered_at FROM appeals_appeal WHERE {where}"  # noqa: S608 - placeholders only
            since = min(anchors) - dt.timedelta(days=max(days))
            registered_field = Appeal._meta.get_field("registered_at")
            for owner, registered in fastsql.select(
                sql, [*params, adapt(since), adapt(max(anchors))], [None, registered_field]
            ):
                for anchor in anchors:
                    for d in days:
                        if anchor - dt.timedelta(days=d) <= registered <= anchor:
                            key = (owner, d, anchor)
                            counted[key] = counted.get(key, 0) + 1
        seen: dict[int, int] = {}
        out = empty
        for i, arrival in enumerate(arrivals):
            client_id = arrival.appeal.client_id
            if client_id is None:
                continue
            anchor = arrival.appeal.registered_at or timezone.now()
            earlier = seen.get(client_id, 0) if arrival.appeal.pk is None else 0
            out[i] = {d: counted.get((client_id, d, anchor), 0) + earlier for d in days}
            seen[client_id] = earlier + 1
        return out

    def threshold(self, queue_id: int | None) -> float | None:
        """The confidence from which the queue applies the classifier's suggestions."""
        if queue_id is None:
            return None
        if self._thresholds is None:
            self._thresholds = thresholds()
        return self._thresholds.get(queue_id)

    def assignee(self, user_id: int) -> tuple[User | None, frozenset[int]]:
        """A user an assignee action names (None if no longer active staff) and the
        queues they belong to; all such users are read at the first ask."""
        if self._assignees is None:
            from okno.accounts.models import User
            from okno.appeals import access
            from okno.queues.models import Membership

            wanted = {r.actions["assignee"] for r in self.rules if isinstance(r.actions.get("assignee"), int)}
            users = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)}
            users = {pk: u for pk, u in users.items() if u.is_superuser or u.role in access.WORK_ROLES}
            queues: dict[int, set[int]] = {}
            for uid, qid in Membership.objects.filter(user_id__in=users).values_list("user_id", "queue_id"):
                queues.setdefault(uid, set()).add(qid)
            self._assignees = (users, {uid: frozenset(q) for uid, q in queues.items()})
        users, memberships = self._assignees
        return users.get(user_id), memberships.get(user_id, frozenset())


# --- applying a rule -------------------------------------------------------------------------------------


def _row_model(name: str) -> type[models.Model]:
    from okno.appeals.models import Category, Kind
    from okno.catalog.models import Product
    from okno.queues.models import Queue

    return {"queue": Queue, "kind": Kind, "category": Category, "product": Product}[name]


def _active_row(name: str, pk: Any) -> Any:
    """The row an action names, if it still exists and is in use (the reference cache:
    registration reads the same rows)."""
    if not isinstance(pk, int):
        return None
    row = refcache.get(_row_model(name), pk=pk)
    return row if row is not None and getattr(row, "is_active", True) else None


class _Applier:
    """Applies one rule's actions to one arrival, writing down what it did."""

    def __init__(self, rule: CompiledRule, arrival: Arrival, suggestions: Mapping[str, Suggestion], batch: Batch):
        self.rule = rule
        self.arrival = arrival
        self.appeal = arrival.appeal
        self.suggestions = suggestions
        self.batch = batch
        self.decision = Decision(rule_id=rule.id, rule_name=rule.name)

    def run(self) -> Decision:
        actions = self.rule.actions
        for name in ("queue", "kind", "category", "product"):
            if name in actions:
                self.reference(name, actions[name])
        for target in actions.get("apply_suggestion", ()):
            self.suggestion(target)
        if "priority" in actions:
            self.priority(actions["priority"], bool(actions.get("only_raise")))
        if "deadline_policy" in actions:
            self.deadline_policy(actions["deadline_policy"])
        if actions.get("tags"):
            self.tags(actions["tags"])
        if "assignee" in actions:
            self.assignee(actions["assignee"])
        if "to_dispatcher" in actions:
            value = bool(actions["to_dispatcher"])
            self.arrival.to_dispatcher = value
            self.decision.set["to_dispatcher"] = {
                "value": value,
                "label": str(_("to the dispatcher") if value else _("not to the dispatcher")),
            }
        if actions.get("regulator_forwarded") is True:
            self.regulator_forwarded()
        self.decision.stopped = self.rule.stop
        return self.decision

    def fixed(self, name: str) -> bool:
        if name in self.arrival.fixed:
            if name not in self.decision.kept:
                self.decision.kept.append(name)
            return True
        return False

    def put(self, name: str, row: Any, **extra: Any) -> None:
        setattr(self.appeal, name, row)
        self.decision.set[name] = {"value": row.pk, "label": row.display_name, **extra}

    def reference(self, name: str, pk: Any) -> None:
        if self.fixed(name):
            return
        row = _active_row(name, pk)
        if row is None:
            self.decision.skipped[name] = _("%(field)s: the one the rule names is no longer in use; not set") % {
                "field": FIELD_LABELS[name]
            }
            return
        self.put(name, row)

    def suggestion(self, target: str) -> None:
        suggestion = self.suggestions.get(target)
        if suggestion is None:
            return
        if self.fixed(target):
            return
        threshold = self.batch.threshold(suggestion.value if target == "queue" else self.appeal.queue_id)
        if threshold is None:
            return  # the queue never applies suggestions by itself: not worth an event
        percent = round(100 * suggestion.confidence)
        if suggestion.confidence < threshold:
            self.decision.skipped[target] = _(
                "%(field)s: the classifier suggests “%(label)s” at %(confidence)s %%, below the queue's "
                "threshold of %(threshold)s %%; not applied"
            ) % {
                "field": FIELD_LABELS[target],
                "label": suggestion.label,
                "confidence": percent,
                "threshold": round(100 * threshold),
            }
            return
        row = _active_row(target, suggestion.value)
        if row is None:
            self.decision.skipped[target] = _("%(field)s: the suggested one is no longer in use; not applied") % {
                "field": FIELD_LABELS[target]
            }
            return
        self.put(target, row, suggestion=True, model=suggestion.model, confidence=round(suggestion.confidence, 3))

    def priority(self, value: str, only_raise: bool) -> None:
        if value not in Priority.values:
            return
        if only_raise and PRIORITY_RANK[value] <= PRIORITY_RANK.get(self.appeal.priority, 0):
            return
        if self.fixed("priority"):
            return
        self.appeal.priority = value
        self.decision.set["priority"] = {"value": value, "label": str(Priority(value).label)}

    def deadline_policy(self, pk: Any) -> None:
        if self.fixed("deadline_policy"):
            return
        from okno.deadlines.services.policies import compiled as compiled_policies

        policy = next((c.policy for c in compiled_policies() if c.policy.pk == pk), None)
        if policy is None:
            self.decision.skipped["deadline_policy"] = _(
                "deadline policy: the one the rule names is switched off or deleted; not set"
            )
            return
        self.appeal.deadline_policy = policy
        self.decision.set["deadline_policy"] = {"value": policy.pk, "label": policy.display_name}

    def tags(self, names: Sequence[str]) -> None:
        added = [n for n in names if n not in self.arrival.tags]
        if added:
            self.arrival.tags.extend(added)
            previous = self.decision.set.get("tags", {}).get("value", [])
            value = [*previous, *added]
            self.decision.set["tags"] = {"value": value, "label": ", ".join(value)}

    def regulator_forwarded(self) -> None:
        """Mark it, never unmark it; an appeal marked already (by the person registering
        it or an earlier rule) is no news."""
        if self.appeal.regulator_forwarded or self.fixed("regulator_forwarded"):
            return
        self.appeal.regulator_forwarded = True
        self.decision.set["regulator_forwarded"] = {
            "value": True,
            "label": str(FIELD_LABELS["regulator_forwarded"]),
        }

    def assignee(self, pk: Any) -> None:
        if self.fixed("assignee"):
            return
        user, queues = self.batch.assignee(pk) if isinstance(pk, int) else (None, frozenset())
        if user is None:
            self.decision.skipped["assignee"] = _("assignee: the person the rule names cannot take appeals now")
            return
        queue_id = self.appeal.queue_id
        if queue_id is None or queue_id not in queues:
            queue = self.appeal.queue if queue_id is not None else None
            self.decision.skipped["assignee"] = (
                _("assignee: %(user)s is not a member of the queue “%(queue)s”; not assigned")
                % {"user": user.display_name, "queue": queue.display_name}
                if queue is not None
                else _("assignee: the appeal has no queue for %(user)s to work it in; not assigned")
                % {"user": user.display_name}
            )
            return
        self.appeal.assignee = user
        self.decision.set["assignee"] = {"value": user.pk, "label": user.display_name}


# --- running the rules ------------------------------------------------------------------------------------


def route_one(
    rules: Sequence[CompiledRule],
    arrival: Arrival,
    facts: Facts,
    suggestions: Mapping[str, Suggestion],
    batch: Batch,
    trace: list[RuleTrace] | None = None,
) -> list[Decision]:
    """Run the rules on one arrival (changing it); with ``trace``, write down every
    rule's outcome, and every condition that failed, for the dry run."""
    decisions: list[Decision] = []
    stopped = False
    for rule in rules:
        entry = None
        if trace is not None:
            entry = RuleTrace(
                rule_id=rule.id,
                name=rule.name,
                position=rule.position,
                stop=rule.stop,
                conditions=[(c.label, c.describe()) for c in rule.conditions],
                reached=not stopped,
            )
            trace.append(entry)
            if stopped:
                continue
        if entry is not None:
            failed = [c for c in rule.conditions if not c.test(facts)]
            entry.failed = [
                {"key": c.key, "label": c.label, "wanted": c.describe(), "actual": c.actual(facts)} for c in failed
            ]
            if failed:
                continue
        elif rule.failing(facts) is not None:
            continue
        decision = _Applier(rule, arrival, suggestions, batch).run()
        if entry is not None:
            entry.matched = True
            entry.decision = decision
        if not decision.is_empty:
            decisions.append(decision)
        if rule.stop:
            stopped = True
            if trace is None:
                break
    return decisions


def decide(
    arrivals: Sequence[Arrival],
    suggestions: Sequence[Mapping[str, Suggestion]],
    *,
    exclude: Sequence[int | None] = (),
) -> list[list[Decision]]:
    """Apply the active rules to each arrival (in place: its appeal's fields, its
    tags, ``to_dispatcher``); returns, per arrival, the decisions of the rules that
    held, in order. ``exclude``: per arrival, the id of the appeal itself when it is
    already registered (a re-run), so it is not its own earlier appeal."""
    rules = compiled()
    if not rules or not arrivals:
        return [[] for _arrival in arrivals]
    batch = Batch(rules, arrivals, exclude)
    out = []
    for i, (arrival, facts) in enumerate(zip(arrivals, batch.facts, strict=True)):
        found = suggestions[i] if i < len(suggestions) else {}
        out.append(route_one(rules, arrival, facts, found or {}, batch))
    return out


def dry_run(actor: User, **kwargs: Any) -> DryRun:
    """What the rules would do with an appeal (``appeal=``) or a pasted text; nothing
    is written. See ``okno.routing.services.dryrun.dry_run``."""
    from okno.routing.services.dryrun import dry_run as run

    return run(actor, **kwargs)


def rerun(actor: User, appeal: Appeal | int) -> list[Decision]:
    """Run the rules again on a registered appeal and apply what they decide. See
    ``okno.routing.services.reroute.rerun``."""
    from okno.routing.services.reroute import rerun as run

    return run(actor, appeal)
