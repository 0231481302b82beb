"""Reference data an administrator edits: kinds, the category tree, tags."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from okno.core.models import Named


class Kind(Named):
    """What sort of appeal this is: complaint, claim, warranty claim, request …"""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    requires_reply_approval = models.BooleanField(_("replies need a supervisor's approval"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("kind of appeal")
        verbose_name_plural = _("kinds of appeal")
        ordering = ["position", "name"]


class Category(Named):
    """A topic. Two levels: a category and its subcategories."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def clean(self) -> None:
        if self.parent_id is not None:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A category cannot be its own parent.")})
            if self.parent is not None and self.parent.parent_id is not None:
                raise ValidationError({"parent": _("Subcategories cannot have subcategories of their own.")})

    @property
    def full_name(self) -> str:
        if self.parent is not None:
            return f"{self.parent.display_name} → {self.display_name}"
        return self.display_name


class Tag(models.Model):
    """A free label on appeals."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
