"""Who sees paper letters and registries.

A letter is seen by whoever sees its appeal and either handles the post
(dispatcher, supervisor, administrator) or wrote the reply. Registries are the
post handlers'; a registry is shown only to one who sees every letter in it (its
PDF lists them all).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals import access
from okno.channels.post.models import PaperLetter, RegistryBatch

POST_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def handles_post(user: User) -> bool:
    """Dispatchers, supervisors and administrators: the "to post" list and registries."""
    return _active(user) and (user.is_superuser or user.role in POST_ROLES)


def can_use_post(user: User) -> bool:
    """Anyone who may have letters to follow: post handlers and those who reply."""
    return _active(user) and (user.is_superuser or user.role in access.WORK_ROLES)


def visible_letters(user: User, queryset: QuerySet[PaperLetter] | None = None) -> QuerySet[PaperLetter]:
    qs = PaperLetter.objects.all() if queryset is None else queryset
    if not can_use_post(user):
        return qs.none()
    vis = access.visibility(user)
    if not vis.sees_all:
        qs = qs.filter(appeal__in=access.visible_appeals(user))
    if not handles_post(user):
        qs = qs.filter(author=user)
    return qs


def visible_batches(user: User) -> QuerySet[RegistryBatch]:
    if not handles_post(user):
        return RegistryBatch.objects.none()
    qs = RegistryBatch.objects.all()
    if access.visibility(user).sees_all:
        return qs
    hidden = PaperLetter.objects.filter(registry__batch=OuterRef("pk")).exclude(
        Q(appeal__in=access.visible_appeals(user))
    )
    return qs.exclude(Exists(hidden))


def require_post_handler(user: User) -> None:
    if not handles_post(user):
        raise PermissionDenied(_("Only dispatchers, supervisors and administrators handle the post."))
