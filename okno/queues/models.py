"""Queues: the teams appeals are worked in, and who belongs to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from okno.core.models import Named


class Queue(Named):
    """A team and its work list. Agents see the appeals of the queues they belong to."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="queues",
        verbose_name=_("members"),
        blank=True,
    )
    requires_reply_approval = models.BooleanField(_("replies need a supervisor's approval"), default=False)
    answer_term_days = models.PositiveSmallIntegerField(
        _("answer term, calendar days"),
        default=30,
        help_text=_("The answer term of appeals no deadline policy matches."),
    )
    # Reports group queues by it ("executive discipline" per department).
    department = models.CharField(_("department"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["position", "name"]


class Membership(models.Model):
    """A user in a queue."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("queue membership")
        verbose_name_plural = _("queue memberships")
        ordering = ["queue", "user"]
        constraints = [models.UniqueConstraint(fields=["queue", "user"], name="uniq_queue_member")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.queue}"
