"""Routing new appeals as they are registered: language, the classifier's
suggestions, the rules, then automatic assignment.

Registration calls :func:`route` with each batch (``okno.appeals.services.hooks``).
Routing must never cost an appeal: if the rules or the classifier fail, the
appeals are registered as they came, sent to the dispatcher, and the failure is
logged (without their content).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.appeals.choices import EventKind
from okno.appeals.services import events
from okno.appeals.services.hooks import Arrival
from okno.core import fastsql
from okno.routing import language
from okno.routing.models import AppealRouting

if TYPE_CHECKING:
    from okno.routing.classifier.services.predict import Suggestion
    from okno.routing.services.rules import Decision

log = logging.getLogger(__name__)


def route(arrivals: Sequence[Arrival]) -> RoutingPass:
    """Decide what can be decided before the transaction: the rules and the
    classifier are pure CPU and reads."""
    for arrival in arrivals:
        arrival.language = language.detect(f"{arrival.appeal.subject}\n{arrival.text}")
    suggestions = _suggest(arrivals)
    decisions = _decide(arrivals, suggestions)
    return RoutingPass(arrivals, suggestions, decisions)


def classifier_text(subject: str, text: str) -> str:
    """What the classifier reads of an appeal (the same at training and at registration)."""
    return f"{subject}\n{text}"


def _suggest(arrivals: Sequence[Arrival]) -> list[Mapping[str, Suggestion]]:
    from okno.routing.classifier.services.predict import suggest_many

    try:
        return list(suggest_many([classifier_text(a.appeal.subject, a.text) for a in arrivals]))
    except Exception:
        log.exception("classifier failed; %d appeals registered without suggestions", len(arrivals))
        return [{} for _arrival in arrivals]


def _decide(arrivals: Sequence[Arrival], suggestions: Sequence[Mapping[str, Suggestion]]) -> list[list[Decision]]:
    from okno.routing.services.rules import decide

    try:
        return decide(arrivals, suggestions)
    except Exception:
        log.exception("routing rules failed; %d appeals sent to the dispatcher", len(arrivals))
        for arrival in arrivals:
            arrival.to_dispatcher = True
            arrival.extra["routing_failed"] = True
        return [[] for _arrival in arrivals]


class RoutingPass:
    """What :func:`route` decided, written with the appeals."""

    def __init__(
        self,
        arrivals: Sequence[Arrival],
        suggestions: Sequence[Mapping[str, Suggestion]],
        decisions: Sequence[Sequence[Decision]],
    ) -> None:
        self.arrivals = arrivals
        self.suggestions = suggestions
        self.decisions = decisions

    def before_insert(self) -> None:
        """Automatic assignment, under the registering transaction's locks; a
        failure leaves the appeals unassigned (waiting) rather than unregistered."""
        from okno.routing.agents.services.assignment import assign_arrivals

        # PostgreSQL: a failed statement spoils the transaction, so a savepoint keeps the
        # registration alive. SQLite: nothing to roll back (the two UPDATEs of the pool
        # come last; a round-robin position moved for nothing is harmless) and the
        # savepoint's two statements are a tenth of the assignment's time.
        guard = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
        try:
            with guard:
                assign_arrivals(self.arrivals)
        except Exception:
            log.exception("automatic assignment failed; %d appeals wait in their queues", len(self.arrivals))
            for arrival in self.arrivals:
                if arrival.appeal.assignee_id is not None and "assignee" not in arrival.fixed:
                    arrival.appeal.assignee = None
                    arrival.assignment_note = ""

    def after_insert(self) -> list[dict[str, Any]]:
        """The routing records; the "routed" events go back to registration, which
        inserts them with its own (one statement for all of an appeal's events)."""
        now = timezone.now()
        rows: list[dict[str, Any]] = []
        log_rows: list[dict[str, Any]] = []
        for arrival, suggestions, decisions in zip(self.arrivals, self.suggestions, self.decisions, strict=True):
            appeal = arrival.appeal
            rows.append(
                {
                    "appeal": appeal,
                    "language": arrival.language,
                    "to_dispatcher": arrival.to_dispatcher,
                    "suggestions": {target: s.as_json() for target, s in suggestions.items()},
                    "fired": [fired_entry(d) for d in decisions],
                    "routed_at": now,
                }
            )
            for decision in decisions:
                log_rows.append(
                    events.values(
                        appeal,
                        EventKind.ROUTED,
                        arrival.actor,
                        after=decision.rule_name,
                        comment=decision.summary(),
                        at=now,
                    )
                )
            if arrival.extra.get("routing_failed"):
                log_rows.append(
                    events.values(
                        appeal,
                        EventKind.ROUTED,
                        arrival.actor,
                        comment=_("Routing rules could not run; the appeal waits for the dispatcher."),
                        at=now,
                    )
                )
        fastsql.insert_rows(AppealRouting, rows)
        return log_rows


def fired_entry(decision: Decision) -> dict[str, Any]:
    """How a fired rule is kept on the appeal's routing record."""
    return {
        "rule": decision.rule_id,
        "name": decision.rule_name,
        "set": decision.set,
        "kept": decision.kept,
        "skipped": decision.skipped,
        "stopped": decision.stopped,
    }
