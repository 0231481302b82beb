"""Which policy applies to an appeal. Policies are few and read on every
registration, so each process keeps them compiled and forgets them on any change."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from okno.deadlines.models import DeadlinePolicy, PolicyClock

if TYPE_CHECKING:
    from okno.appeals.models import Appeal

SECONDS = 30.0


@dataclass(frozen=True)
class CompiledPolicy:
    policy: DeadlinePolicy
    clocks: tuple[PolicyClock, ...]
    kind_ids: frozenset[int]
    category_ids: frozenset[int]  # with the subcategories of the chosen categories
    channels: frozenset[str]
    segments: frozenset[str]
    priorities: frozenset[str]

    def matches(self, appeal: Appeal, segment: str | None) -> bool:
        return (
            (not self.kind_ids or appeal.kind_id in self.kind_ids)
            and (not self.category_ids or appeal.category_id in self.category_ids)
            and (not self.channels or appeal.channel in self.channels)
            and (not self.segments or segment in self.segments)
            and (not self.priorities or appeal.priority in self.priorities)
        )


_compiled: tuple[float, list[CompiledPolicy]] | None = None


def compiled() -> list[CompiledPolicy]:
    """Active policies in matching order, remembered for ``SECONDS`` per process."""
    global _compiled
    now = time.monotonic()
    if _compiled is not None and now - _compiled[0] < SECONDS:
        return _compiled[1]
    from okno.appeals.models import Category

    children: dict[int, set[int]] = {}
    for child_id, parent_id in Category.objects.filter(parent__isnull=False).values_list("id", "parent_id"):
        children.setdefault(parent_id, set()).add(child_id)
    result = []
    policies = DeadlinePolicy.objects.filter(is_active=True).prefetch_related("kinds", "categories", "clocks")
    for policy in policies.order_by("position", "id"):
        categories = {c.pk for c in policy.categories.all()}
        for category_id in list(categories):
            categories |= children.get(category_id, set())
        result.append(
            CompiledPolicy(
                policy=policy,
                clocks=tuple(policy.clocks.all()),
                kind_ids=frozenset(k.pk for k in policy.kinds.all()),
                category_ids=frozenset(categories),
                channels=frozenset(policy.channels or ()),
                segments=frozenset(policy.segments or ()),
                priorities=frozenset(policy.priorities or ()),
            )
        )
    _compiled = (now, result)
    return result


def forget() -> None:
    """Drop the compiled policies (after any change to policies, in this process)."""
    global _compiled
    _compiled = None


def forget_on_commit() -> None:
    transaction.on_commit(forget)
    forget()


def policy_for(appeal: Appeal) -> CompiledPolicy | None:
    """The policy routing chose for the appeal, else the first active policy in
    order that matches it, or None."""
    candidates = compiled()
    if appeal.deadline_policy_id is not None:
        chosen = next((c for c in candidates if c.policy.pk == appeal.deadline_policy_id), None)
        if chosen is not None:
            return chosen
    segment = None
    if appeal.client_id is not None and any(c.segments for c in candidates):
        segment = appeal.client.segment if appeal.client is not None else None
    for candidate in candidates:
        if candidate.matches(appeal, segment):
            return candidate
    return None
