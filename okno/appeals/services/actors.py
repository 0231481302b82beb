"""Who performs an operation: a staff user, or a system robot (mail intake,
a scheduled job) named by a label."""

from __future__ import annotations

from dataclasses import dataclass

from okno.accounts.models import User


@dataclass(frozen=True)
class SystemActor:
    """A robot acting on its own authority: no permission checks, its label in events."""

    label: str


Actor = User | SystemActor


def actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def actor_label(actor: Actor) -> str:
    return actor.label if isinstance(actor, SystemActor) else actor.display_name
