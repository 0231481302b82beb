"""Routing state of queues and appeals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.routing.choices import AssignmentMode


class QueueRouting(models.Model):
    """How a queue's new appeals reach agents, and when the classifier's
    suggestion is trusted without a person looking."""

    queue = models.OneToOneField(
        "queues.Queue", on_delete=models.CASCADE, primary_key=True, related_name="routing", verbose_name=_("queue")
    )
    mode = models.CharField(
        _("assignment"), max_length=20, choices=AssignmentMode.choices, default=AssignmentMode.MANUAL
    )
    # A suggestion at least this confident is applied by the rule action
    # "apply the classifier's suggestion"; None: never applied automatically.
    auto_apply_threshold = models.FloatField(
        _("apply the classifier's suggestion from confidence"), null=True, blank=True
    )
    # Round-robin: who got the queue's last appeal, so the next goes to the one after.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("queue routing")
        verbose_name_plural = _("queue routing")
        ordering = ["queue"]

    def __str__(self) -> str:
        return f"{self.queue}: {self.get_mode_display()}"


class AppealRouting(models.Model):
    """What routing found out and decided about an appeal when it arrived (or
    was last re-routed): its language, the classifier's suggestions with their
    confidence, the rules that fired, and whether it waits for the dispatcher."""

    appeal = models.OneToOneField(
        "appeals.Appeal", on_delete=models.CASCADE, primary_key=True, related_name="routing", verbose_name=_("appeal")
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    to_dispatcher = models.BooleanField(_("waits for the dispatcher"), default=False, db_index=True)
    # {"category": {"value": 12, "label": "…", "confidence": 0.93, "model": 4}, …}
    suggestions = models.JSONField(_("classifier suggestions"), default=dict, blank=True)
    # [{"rule": 3, "name": "…", "set": {"queue": {"value": 2, "label": "…"}, …}}, …]
    fired = models.JSONField(_("rules that fired"), default=list, blank=True)
    routed_at = models.DateTimeField(_("routed"), default=timezone.now)

    class Meta:
        verbose_name = _("appeal routing")
        verbose_name_plural = _("appeal routing")
        ordering = ["-routed_at"]

    def __str__(self) -> str:
        return f"routing of {self.appeal_id}"
