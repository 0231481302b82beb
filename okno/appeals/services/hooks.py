"""Domains that keep state derived from an appeal (its deadlines) register here; the
appeal services call them inside the transaction of every operation that changed
an appeal, so that state can never drift from the appeal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from okno.appeals.models import Appeal


class AppealHook(Protocol):
    def __call__(self, appeal: Appeal, *, created: bool = False) -> None: ...


_after_change: list[AppealHook] = []


def after_change(hook: AppealHook) -> AppealHook:
    """Register ``hook(appeal, created=…)``; the app that owns the state does it in
    ``ready()``. ``created`` says the appeal was registered by this operation."""
    if hook not in _after_change:
        _after_change.append(hook)
    return hook


def appeal_changed(appeal: Appeal, *, created: bool = False) -> None:
    for hook in _after_change:
        hook(appeal, created=created)
