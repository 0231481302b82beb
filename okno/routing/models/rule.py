"""Routing rules: what an administrator tells Okno to do with an appeal as it arrives."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """An ordered rule: when all of its ``conditions`` hold, its ``actions`` apply.

    Rules are tried in ``position`` order at registration (and when re-run on an
    appeal); a later rule sees what earlier ones set; ``stop`` ends the run after
    this rule fires. ``conditions`` and ``actions`` are JSON objects whose keys and
    shapes ``okno.routing.services.rules`` validates on save (an empty condition
    matches anything).
    """

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    stop = models.BooleanField(_("stop here"), default=False, help_text=_("No later rule runs after this one fires."))
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=dict, blank=True)
    is_preset = models.BooleanField(_("shipped preset"), default=False, editable=False)
    # How the installer knows a shipped preset (``services.presets``), so it adds the
    # missing ones and never a second copy of one an administrator edited; "" otherwise.
    preset_code = models.CharField(_("preset code"), max_length=60, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["preset_code"], condition=~models.Q(preset_code=""), name="routing_rule_preset_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name
