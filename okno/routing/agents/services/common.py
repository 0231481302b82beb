"""What the agents services share: who routing may give appeals to, what each
status takes, the profile every staff user has, and the lock that serialises
automatic assignment."""

from __future__ import annotations

from django.db import connection, transaction

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals.choices import Channel
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.models import AgentProfile

# Roles automatic assignment gives appeals to (administrators configure, they do
# not take work; compliance officers only read).
ROUTED_ROLES = frozenset({Role.AGENT, Role.SPECIALIST, Role.DISPATCHER, Role.SUPERVISOR})
# Roles that see and steer everyone's status: the board, the status of others.
SUPERVISING_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
# Roles that may read the board without changing anything.
BOARD_READ_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER})

CHAT_CHANNELS = frozenset({Channel.MESSENGER, Channel.PORTAL})
# What each status takes: None = any channel; an empty set = nothing.
TAKES: dict[str, frozenset[str] | None] = {
    AgentStatus.AVAILABLE: None,
    AgentStatus.MAIL: frozenset({Channel.MAIL}),
    AgentStatus.CHATS: CHAT_CHANNELS,
    AgentStatus.BREAK: frozenset(),
    AgentStatus.CONSULTATION: frozenset(),
    AgentStatus.OFFLINE: frozenset(),
}
TAKING_STATUSES = frozenset(status for status, channels in TAKES.items() if channels != frozenset())

# pg_advisory_xact_lock key of automatic assignment ("okno" + "asgn" in ASCII).
ASSIGNMENT_LOCK_KEY = 0x6F6B6E6F_6173676E


def takes(status: str, channel: str) -> bool:
    """Whether an agent in ``status`` may be given an appeal of ``channel``."""
    channels = TAKES.get(status, frozenset())
    return channels is None or channel in channels


def is_routed(user: User) -> bool:
    """Whether automatic assignment may give ``user`` appeals at all (by role)."""
    return bool(user.is_active and user.role in ROUTED_ROLES)


def is_supervising(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role in SUPERVISING_ROLES))


def can_read_board(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role in BOARD_READ_ROLES))


def lock_assignment() -> None:
    """Serialise automatic assignment until the transaction ends.

    Every path that counts agents' loads and then gives appeals away (registration,
    filling freed capacity) or changes what they may take (status, limits) takes it
    first, so two of them never both see the same free place. PostgreSQL: a
    transaction-level advisory lock. SQLite: its write transactions are already
    serialised (``transaction_mode IMMEDIATE``), nothing to do.
    """
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_assignment() needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ASSIGNMENT_LOCK_KEY])


def profile_of(user: User | int) -> AgentProfile:
    """The user's profile, created (offline, no limits) the first time it is asked for."""
    pk = user.pk if isinstance(user, User) else user
    profile = AgentProfile.objects.filter(user_id=pk).first()
    if profile is None:
        with transaction.atomic():
            profile, _created = AgentProfile.objects.get_or_create(user_id=pk)
    return profile
