"""Accounts: API tokens (issue, check, revoke), the interface language, and the
list settings a user's inbox remembers. The profile page and the API both call
these."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.choices import Role
from okno.accounts.models import ApiToken, ListSettings, User, hash_token
from okno.core.errors import InvalidInput, NotFound, PermissionDenied

MAX_ACTIVE_TOKENS = 50
# Recording every use of a token would be a write per API call; once a minute is enough.
LAST_USED_PRECISION = timedelta(minutes=1)
LIST_SETTINGS_FIELDS = ("columns", "filters", "sort", "page_size")


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def require_admin(user: User) -> None:
    """Reference data (kinds, categories, tags, products, queues) is the administrators'."""
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may change reference data."))


# --- API tokens -------------------------------------------------------------------


def authenticate_token(raw: str) -> User | None:
    """The active user a usable token belongs to, or ``None``. One query (the token
    with its user) plus, at most once a minute, a write of the last use."""
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def issue_token(user: User, name: str, *, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new personal token; the raw value is returned once and never stored."""
    name = " ".join((name or "").split())[:100]
    if not name:
        raise InvalidInput(_("Give the token a name, so you know later what uses it."), field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(_("The expiry date must be in the future."), field="expires_at")
    active = user.api_tokens.filter(revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise InvalidInput(_("You have too many tokens; revoke the ones you do not use."), field="name")
    return ApiToken.issue(user, name, expires_at=expires_at)


@transaction.atomic
def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (someone else's is "not found")."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(_("Token not found."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# --- interface language -------------------------------------------------------------


def set_language(user: User, language: str) -> User:
    """Remember the interface language ("" follows the browser)."""
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise InvalidInput(_("Unknown language."), field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


# --- list settings --------------------------------------------------------------------


def list_settings(user: User, list_name: str) -> ListSettings:
    """What the user last chose for a list; an unsaved default (``pk`` is ``None``)
    when they never chose anything."""
    found = ListSettings.objects.filter(user=user, list_name=list_name).first()
    # Never saved, so ``updated_at`` (auto_now) is still None.
    return found if found is not None else ListSettings(user=user, list_name=list_name)


def save_list_settings(user: User, list_name: str, values: dict[str, Any]) -> ListSettings:
    """Store ``columns``, ``filters``, ``sort`` and ``page_size`` (those given).
    Writes only when something changed, so opening a list the way it was
    remembered costs no write."""
    unknown = set(values) - set(LIST_SETTINGS_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    current = ListSettings.objects.filter(user=user, list_name=list_name).first()
    if current is None:
        return ListSettings.objects.create(user=user, list_name=list_name, **values)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if changed:
        for name in changed:
            setattr(current, name, values[name])
        current.save(update_fields=[*changed, "updated_at"])
    return current


def forget_list_settings(user: User, list_name: str) -> None:
    """Back to the defaults."""
    ListSettings.objects.filter(user=user, list_name=list_name).delete()
