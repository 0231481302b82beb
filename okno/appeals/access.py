"""Who may see and do what with appeals. Services call these checks, so the UI,
the API, attachments and server push cannot disagree.

- Administrators, compliance officers and dispatchers see every appeal.
- Everyone else sees the appeals of the queues they belong to, and the appeals
  assigned to them personally.
- Compliance officers only read. Cancelling needs a dispatcher, a supervisor or
  an administrator. Approving a reply needs a supervisor of the appeal's queue or
  an administrator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from okno.accounts.choices import Role

if TYPE_CHECKING:
    from okno.accounts.models import User
    from okno.appeals.models import Appeal


SEE_ALL_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE, Role.DISPATCHER})
WORK_ROLES = frozenset({Role.AGENT, Role.SPECIALIST, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
CANCEL_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
APPROVE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
ASSIGN_ANYONE_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


class Action(StrEnum):
    VIEW = "view"
    WORK = "work"  # reply, note, status, fields, links, sub-cases, assign within the queue
    CANCEL = "cancel"
    APPROVE = "approve"
    EXTEND_DEADLINE = "extend_deadline"  # the head's decision (59-FZ art. 12 part 2)


@dataclass(frozen=True)
class Visibility:
    """What one user can see, computed once per request or live connection."""

    user_id: int
    sees_all: bool
    queue_ids: frozenset[int] = field(default_factory=frozenset)

    def covers(self, queue_id: int | None, assignee_id: int | None) -> bool:
        return (
            self.sees_all
            or (queue_id is not None and queue_id in self.queue_ids)
            or (assignee_id is not None and assignee_id == self.user_id)
        )


def _active_staff(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def queue_ids_of(user: User) -> frozenset[int]:
    cached = getattr(user, "_okno_queue_ids", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("queue_id", flat=True))
        user._okno_queue_ids = cached  # type: ignore[attr-defined]
    return cached


def forget_cached_access(user: User) -> None:
    user.__dict__.pop("_okno_queue_ids", None)


def visibility(user: User) -> Visibility:
    if not _active_staff(user):
        return Visibility(user_id=0, sees_all=False)
    return Visibility(
        user_id=user.pk,
        sees_all=user.role in SEE_ALL_ROLES or user.is_superuser,
        queue_ids=queue_ids_of(user),
    )


def visible_appeals(user: User, queryset: QuerySet[Appeal] | None = None) -> QuerySet[Appeal]:
    """The appeals ``user`` may read. Every list, search and lookup starts here."""
    from okno.appeals.models import Appeal

    qs = Appeal.objects.all() if queryset is None else queryset
    vis = visibility(user)
    if vis.sees_all:
        return qs
    if vis.user_id == 0:
        return qs.none()
    return qs.filter(Q(queue_id__in=vis.queue_ids) | Q(assignee_id=vis.user_id))


def can(user: User, action: Action, appeal: Appeal) -> bool:
    if not _active_staff(user):
        return False
    if not visibility(user).covers(appeal.queue_id, appeal.assignee_id):
        return False
    role = Role.ADMIN if user.is_superuser else user.role
    if action == Action.VIEW:
        return True
    if action == Action.WORK:
        return role in WORK_ROLES
    if action == Action.CANCEL:
        return role in CANCEL_ROLES
    if action in (Action.APPROVE, Action.EXTEND_DEADLINE):
        if role == Role.ADMIN:
            return True
        return role in APPROVE_ROLES and appeal.queue_id is not None and appeal.queue_id in queue_ids_of(user)
    return False


def require(user: User, action: Action, appeal: Appeal) -> None:
    """Raise unless ``user`` may do ``action``. An appeal the user cannot see is
    "not found": we do not confirm that it exists."""
    if can(user, action, appeal):
        return
    if action != Action.VIEW and can(user, Action.VIEW, appeal):
        raise PermissionDenied(_("You may not do this with appeal %(number)s.") % {"number": appeal.number})
    from okno.core.errors import NotFound

    raise NotFound(_("Appeal not found."))


def can_assign_anyone(user: User) -> bool:
    return _active_staff(user) and (user.is_superuser or user.role in ASSIGN_ANYONE_ROLES)


def can_register(user: User) -> bool:
    return _active_staff(user) and (user.is_superuser or user.role in WORK_ROLES)


def can_approve_without_review(user: User) -> bool:
    """Supervisors and administrators are the approvers; their own replies go straight out."""
    return _active_staff(user) and (user.is_superuser or user.role in APPROVE_ROLES)
