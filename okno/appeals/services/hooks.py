"""Domains that keep state derived from an appeal (its deadlines) register here; the
appeal services call them inside the transaction of every operation that changed
an appeal, so that state can never drift from the appeal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from okno.appeals.models import Appeal


class AppealHook(Protocol):
    def __call__(self, appeal: Appeal, *, created: bool = False) -> None: ...


class RegisterHook(Protocol):
    def __call__(self, appeals: Sequence[Appeal]) -> Callable[[], None] | None: ...


@dataclass(slots=True)
class Arrival:
    """A new appeal before it is inserted, as routing sees it.

    Routing may change the appeal's fields (queue, kind, category, product,
    priority, assignee, deadline policy, the regulator's mark) and ``tags``, except the fields named in
    ``fixed``: those the person registering chose themselves.
    """

    appeal: Appeal  # unsaved: no id or number yet
    tags: list[str]
    text: str  # the client's message, else the description
    attachments: int
    sender: str  # the address or number the appeal came from, as written; "" if none
    mailbox_id: int | None
    fixed: frozenset[str]
    actor: Any
    # Set by routing.
    language: str = ""
    to_dispatcher: bool = False
    assignment_note: str = ""  # the comment of the "assigned" event
    extra: dict[str, Any] = field(default_factory=dict)


class RoutePass(Protocol):
    def before_insert(self) -> None:
        """Inside the registering transaction, before the INSERT (assignment under lock)."""

    def after_insert(self) -> list[dict[str, Any]]:
        """Once the appeals have ids: routing's own rows; returns its events (as
        ``events.values``), which registration inserts with its own."""


Router = Callable[[Sequence[Arrival]], RoutePass | None]
_router: list[Router] = []

_after_change: list[AppealHook] = []
_on_register: list[tuple[RegisterHook, AppealHook | None]] = []


def after_change(hook: AppealHook) -> AppealHook:
    """Register ``hook(appeal, created=…)``; the app that owns the state does it in
    ``ready()``. ``created`` says the appeal was registered by this operation (only
    for a hook that no :func:`on_register` hook ``covers``)."""
    if hook not in _after_change:
        _after_change.append(hook)
    return hook


def on_register(hook: RegisterHook, *, covers: AppealHook | None = None) -> RegisterHook:
    """Register ``hook(appeals)`` for newly registered appeals, one call per batch.

    It runs before the appeals are inserted (they have everything but their id and
    number), so it can compute derived state and set the appeal's own copies of it
    without an UPDATE later; it returns what writes the rest once they have ids, or
    None. ``covers`` is the ``after_change`` hook it stands for at registration.
    """
    if all(hook is not known for known, _covers in _on_register):
        _on_register.append((hook, covers))
    return hook


def set_router(router: Router) -> None:
    """The routing app installs the one function that routes new appeals."""
    _router[:] = [router]


def route(arrivals: Sequence[Arrival]) -> RoutePass | None:
    """Route new appeals (outside the transaction, before the deadlines are computed)."""
    return _router[0](arrivals) if _router and arrivals else None


def appeal_changed(appeal: Appeal, *, created: bool = False) -> None:
    for hook in _after_change:
        hook(appeal, created=created)


def registering(appeals: Sequence[Appeal]) -> list[Callable[[], None]]:
    """Before new appeals are inserted: what each register hook will write after."""
    writers = []
    for hook, _covers in _on_register:
        writer = hook(appeals)
        if writer is not None:
            writers.append(writer)
    return writers


def registered(appeals: Sequence[Appeal], writers: Sequence[Callable[[], None]]) -> None:
    """After new appeals are inserted: the register hooks' writes, then every
    ``after_change`` hook no register hook covers, per appeal."""
    for write in writers:
        write()
    covered = [covers for _hook, covers in _on_register]
    rest = [hook for hook in _after_change if all(hook is not c for c in covered)]
    for appeal in appeals:
        for hook in rest:
            hook(appeal, created=True)
