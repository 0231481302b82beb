"""Staff users, their API tokens and their remembered list settings."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.accounts.choices import Role


class User(AbstractUser):
    """A person working in Okno. What they may see and do follows from ``role``
    and their queue memberships (see ``okno.appeals.access``)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    language = models.CharField(
        _("interface language"), max_length=8, blank=True, help_text=_("Empty: as the browser asks.")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """«Фамилия И. О.», the way Russian business documents name people."""
        if not self.last_name and not self.first_name:
            return self.username
        initials = "".join(f"{part[0]}." for part in (self.first_name, self.patronymic) if part)
        return f"{self.last_name} {initials}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Administrators reach the Django admin for reference data.
        if self.role == Role.ADMIN:
            self.is_staff = True
        super().save(*args, **kwargs)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "okno_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, expires_at: Any = None) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=hash_token(raw), key_prefix=raw[:12], expires_at=expires_at
        )
        return token, raw

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ListSettings(models.Model):
    """What a user last chose for a list (columns, filters, sort), so the inbox
    opens the way they left it, in the UI and when asked through the API."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="list_settings")
    list_name = models.CharField(max_length=50)
    columns = models.JSONField(default=list, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=50, blank=True)
    page_size = models.PositiveSmallIntegerField(default=50)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("list settings")
        verbose_name_plural = _("list settings")
        ordering = ["user", "list_name"]
        constraints = [models.UniqueConstraint(fields=["user", "list_name"], name="uniq_list_settings")]

    def __str__(self) -> str:
        return f"{self.user} / {self.list_name}"
