"""Small pieces every reference model shares."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(russian: str, english: str) -> str:
    """The English text when the interface speaks English and there is one."""
    if english and (get_language() or "ru").startswith("en"):
        return english
    return russian


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
        return in_language(self.name, self.name_en)
