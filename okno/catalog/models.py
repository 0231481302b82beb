"""The directory of products and services an appeal can be about."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from okno.core.models import Named


class Product(Named):
    """A product or service, optionally inside a group (another product row)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    group = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("group"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")
        ordering = ["name"]
