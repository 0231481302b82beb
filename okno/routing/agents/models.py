"""Agents as routing sees them: status, limits and skills; per-channel totals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.appeals.choices import Channel
from okno.routing.agents.choices import AgentStatus


class AgentProfile(models.Model):
    """A person's status and what automatic assignment may give them.

    Limits count open appeals assigned to the agent (new, in work, waiting for the
    client); None means no limit. An empty skill list means "any".
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="agent_profile",
        verbose_name=_("user"),
    )
    status = models.CharField(_("status"), max_length=20, choices=AgentStatus.choices, default=AgentStatus.OFFLINE)
    status_since = models.DateTimeField(_("in this status since"), default=timezone.now)
    max_open = models.PositiveIntegerField(_("open appeals at most"), null=True, blank=True)
    # {"mail": 20, "messenger": 3}: open appeals at most per channel.
    channel_limits = models.JSONField(_("limits per channel"), default=dict, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+", verbose_name=_("products"))
    # The last appeal automatic assignment gave them: "least loaded" prefers, among
    # equally loaded agents, the one who waited longest.
    last_assigned_at = models.DateTimeField(_("last assigned automatically"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")
        ordering = ["user"]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()}"


class AgentStatusChange(models.Model):
    """The history of statuses (who set it, when), for supervisors and reports."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("agent")
    )
    status = models.CharField(_("status"), max_length=20, choices=AgentStatus.choices)
    previous = models.CharField(_("previous status"), max_length=20, choices=AgentStatus.choices, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="agent_status_history_idx")]

    def __str__(self) -> str:
        return f"{self.user}: {self.status}"


class ChannelLimit(models.Model):
    """At most this many open appeals of a channel assigned at once, all agents together."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, unique=True)
    max_open = models.PositiveIntegerField(_("open appeals at most"))

    class Meta:
        verbose_name = _("channel limit")
        verbose_name_plural = _("channel limits")
        ordering = ["channel"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.max_open}"
