"""Small pieces every reference model shares."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Named(models.Model):
    """Reference data an administrator types in Russian and, optionally, English.

    ``display_name`` follows the interface language and falls back to ``name``.
    """

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "ru").startswith("en"):
            return self.name_en
        return self.name
