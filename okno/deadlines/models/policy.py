"""Deadline policies: which appeals get which clocks. Law presets and business SLAs
are both rows here, editable by an administrator."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from okno.core.models import Named, in_language
from okno.deadlines.choices import ClockKind, CountsFrom, DayOffRule, TermUnit


class DeadlinePolicy(Named):
    """A rule matching appeals by kind, category, channel, client segment and priority.

    Policies are tried in ``position`` order and the first that matches applies (like
    firewall rules: the administrator sees and sets the order). An empty criterion
    matches anything.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    basis_en = models.CharField(_("legal basis (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_preset = models.BooleanField(_("shipped preset"), default=False, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    kinds = models.ManyToManyField("appeals.Kind", blank=True, related_name="+", verbose_name=_("kinds"))
    # A category matches its subcategories too.
    categories = models.ManyToManyField("appeals.Category", blank=True, related_name="+", verbose_name=_("categories"))
    channels = models.JSONField(_("channels"), default=list, blank=True)
    segments = models.JSONField(_("client segments"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)

    # Reminders to the assignee: percentages of the term, and the last working day.
    reminder_percents = models.JSONField(_("remind at (percent of the term)"), default=list, blank=True)
    remind_on_last_day = models.BooleanField(_("remind on the last working day"), default=True)
    # At a breach.
    breach_notifies_supervisors = models.BooleanField(_("notify supervisors at a breach"), default=True)
    breach_raises_priority = models.BooleanField(_("raise the priority at a breach"), default=True)
    breach_reassigns_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reassign to at a breach"),
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["position", "id"]

    @property
    def display_basis(self) -> str:
        return in_language(self.basis, self.basis_en)


class PolicyClock(models.Model):
    """One clock a policy starts: its term, calendar, day-off rule, pausing and extension."""

    policy = models.ForeignKey(DeadlinePolicy, on_delete=models.CASCADE, related_name="clocks")
    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    # For a stage clock: the status it times (it runs while the appeal is in it).
    stage = models.CharField(_("stage (status)"), max_length=20, blank=True)
    term_amount = models.PositiveIntegerField(_("term"))
    term_unit = models.CharField(_("unit"), max_length=20, choices=TermUnit.choices)
    calendar = models.ForeignKey(
        "deadlines.Calendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calendar"),
        help_text=_("Empty: the default calendar."),
    )
    day_off_rule = models.CharField(
        _("deadline on a day off"), max_length=10, choices=DayOffRule.choices, default=DayOffRule.NEXT
    )
    counts_from = models.CharField(
        _("counts from"), max_length=12, choices=CountsFrom.choices, default=CountsFrom.RECEIVED
    )
    is_statutory = models.BooleanField(_("set by law"), default=False)
    pauses_while_waiting = models.BooleanField(_("pauses while waiting for the client"), default=False)
    extension_amount = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    extension_notice_required = models.BooleanField(_("the client must be notified of an extension"), default=True)
    extension_basis = models.CharField(_("basis for an extension"), max_length=300, blank=True)
    citation = models.CharField(_("article"), max_length=300, blank=True)
    citation_en = models.CharField(_("article (English)"), max_length=300, blank=True)
    penalty_percent_per_day = models.DecimalField(
        _("penalty, percent of the price per day of delay"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("policy clock")
        verbose_name_plural = _("policy clocks")
        ordering = ["policy", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "clock", "stage"], name="uniq_policy_clock"),
            # A time limit set by law runs on whatever the client does.
            models.CheckConstraint(
                condition=~Q(is_statutory=True, pauses_while_waiting=True), name="statutory_clock_never_pauses"
            ),
            models.CheckConstraint(condition=Q(term_amount__gt=0), name="policy_clock_term_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code}: {self.clock}"

    @property
    def display_citation(self) -> str:
        return in_language(self.citation, self.citation_en)
