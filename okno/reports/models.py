"""Saved reports (a report with its filters, kept under a name) and their scheduled
delivery by e-mail, with a record of every send."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.reports.choices import ReportCode, Schedule, Weekday


class SavedReport(models.Model):
    """A report and its filters under a name, optionally mailed as XLSX to a list
    of addresses on a schedule. It is built as its owner sees the appeals.

    ``next_run_at`` is when it is due next; a failed send leaves it in the past, so
    the next run of the job tries again. ``claimed_at`` marks a send under way (a
    worker that died leaves it; it is taken back after a while).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_reports", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=200)
    report = models.CharField(_("report"), max_length=20, choices=ReportCode.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.OFF)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    send_hour = models.PositiveSmallIntegerField(_("hour"), default=8)
    next_run_at = models.DateTimeField(_("next delivery"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    failures = models.PositiveSmallIntegerField(_("failed attempts in a row"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        ordering = ["owner", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="uniq_saved_report_name"),
            models.CheckConstraint(condition=Q(send_hour__lte=23), name="saved_report_hour"),
            models.CheckConstraint(condition=Q(weekday__isnull=True) | Q(weekday__lte=6), name="saved_report_weekday"),
            models.CheckConstraint(
                condition=Q(day_of_month__isnull=True) | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="saved_report_day",
            ),
        ]
        indexes = [
            models.Index(fields=["next_run_at"], condition=~Q(schedule="off"), name="saved_report_due_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryRun(models.Model):
    """One attempt to mail a saved report: to whom, what, and how it went."""

    saved = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="runs", verbose_name=_("report"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ok = models.BooleanField(_("sent"), default=False)
    recipients = models.JSONField(_("recipients"), default=list)
    attachment = models.CharField(_("file"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size, bytes"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    manual = models.BooleanField(_("sent by hand"), default=False)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["saved", "-started_at"], name="report_run_idx")]

    def __str__(self) -> str:
        return f"{self.saved_id} {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"
