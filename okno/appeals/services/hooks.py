"""Domains that keep state derived from an appeal (its deadlines) register here; the
appeal services call them inside the transaction of every operation that changed
an appeal, so that state can never drift from the appeal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okno.appeals.models import Appeal

AppealHook = Callable[["Appeal"], None]
_after_change: list[AppealHook] = []


def after_change(hook: AppealHook) -> AppealHook:
    """Register ``hook(appeal)``; the app that owns the state does it in ``ready()``."""
    if hook not in _after_change:
        _after_change.append(hook)
    return hook


def appeal_changed(appeal: Appeal) -> None:
    for hook in _after_change:
        hook(appeal)
