"""The clocks running on an appeal, and the alarms (reminders, breach) each one will
raise. Both are written by ``okno.deadlines.services`` only."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.core.models import in_language
from okno.deadlines.choices import AlarmKind, ClockKind, ClockState, DayOffRule, TermUnit


class AppealClock(models.Model):
    """One deadline of one appeal, as computed from its policy clock.

    The term, calendar and rules are copied from the policy when the clock starts,
    so later edits of a policy change running clocks only through an explicit
    recomputation (which records an event saying why).
    """

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="clocks")
    policy = models.ForeignKey(
        "deadlines.DeadlinePolicy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    policy_clock = models.ForeignKey(
        "deadlines.PolicyClock", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    stage = models.CharField(_("stage (status)"), max_length=20, blank=True)
    term_amount = models.PositiveIntegerField(_("term"))
    term_unit = models.CharField(_("unit"), max_length=20, choices=TermUnit.choices)
    calendar = models.ForeignKey("deadlines.Calendar", on_delete=models.PROTECT, related_name="+")
    day_off_rule = models.CharField(_("deadline on a day off"), max_length=10, choices=DayOffRule.choices)
    is_statutory = models.BooleanField(_("set by law"), default=False)
    pauses_while_waiting = models.BooleanField(_("pauses while waiting for the client"), default=False)
    citation = models.CharField(_("article"), max_length=300, blank=True)
    citation_en = models.CharField(_("article (English)"), max_length=300, blank=True)
    penalty_percent_per_day = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    # 80 % of the term gone: lists call the appeal "at risk" from here.
    risk_at = models.DateTimeField(_("at risk from"))
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused (working seconds)"), default=0)
    extended_amount = models.PositiveIntegerField(_("extended by"), default=0)
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breach recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal deadline")
        verbose_name_plural = _("appeal deadlines")
        ordering = ["appeal", "due_at", "id"]
        indexes = [
            models.Index(fields=["appeal", "clock"], name="clock_appeal_idx"),
            # Running clocks by deadline: the sweep, "overdue" and "due today".
            models.Index(
                fields=["due_at"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="clock_running_due_idx",
            ),
            # On-time performance over a period: answers given, breaches recorded.
            models.Index(fields=["met_at"], name="clock_met_idx"),
            models.Index(fields=["breached_at"], condition=Q(breached_at__isnull=False), name="clock_breached_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.clock} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def state(self, now: datetime | None = None) -> ClockState:
        now = now or timezone.now()
        if self.cancelled_at is not None:
            return ClockState.CANCELLED
        if self.met_at is not None:
            return ClockState.MET if self.met_at <= self.due_at else ClockState.MET_LATE
        if self.paused_since is not None:
            return ClockState.PAUSED
        return ClockState.OVERDUE if now > self.due_at else ClockState.RUNNING

    @property
    def display_citation(self) -> str:
        return in_language(self.citation, self.citation_en)


class ClockAlarm(models.Model):
    """A moment at which a clock tells somebody something: a reminder at a share of
    the term, the last working day, the breach. Computed with the clock, so the
    periodic sweep is one indexed range read instead of calendar arithmetic."""

    clock = models.ForeignKey(AppealClock, on_delete=models.CASCADE, related_name="alarms")
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=AlarmKind.choices)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField()
    fired_at = models.DateTimeField(null=True, blank=True)
    # Which sweep fired it: the sweep marks its alarms first, then writes everything
    # they cause with set-based INSERT … SELECT over that mark.
    sweep = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("deadline alarm")
        verbose_name_plural = _("deadline alarms")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["at"], condition=Q(fired_at__isnull=True), name="alarm_pending_idx"),
            models.Index(fields=["sweep"], condition=Q(sweep__isnull=False), name="alarm_sweep_idx"),
            models.Index(fields=["clock"], name="alarm_clock_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id}: {self.kind} {self.at:%Y-%m-%d %H:%M}"
