"""The appeal itself, its yearly number counter, and links between appeals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.appeals.choices import PRIORITY_RANK, Channel, LinkKind, Outcome, Priority, Status


class AppealCounter(models.Model):
    """Last number given out in a year. Incremented under a row lock, so numbers
    are unique and sequential under concurrent registration."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("appeal number counter")
        verbose_name_plural = _("appeal number counters")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:06d}"


class Appeal(models.Model):
    """An appeal (обращение): anything a client asked of us, by any channel.

    Change it only through ``okno.appeals.services``: they check permissions,
    append events and notify live views.
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("number in the year"))

    kind = models.ForeignKey("appeals.Kind", on_delete=models.PROTECT, related_name="+", verbose_name=_("kind"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(
        "appeals.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product or service"),
    )
    subject = models.CharField(_("subject"), max_length=500)
    description = models.TextField(_("description"), blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    # Lets lists sort by priority on an index; kept equal to PRIORITY_RANK[priority].
    priority_rank = models.PositiveSmallIntegerField(default=PRIORITY_RANK[Priority.NORMAL], editable=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

    # No index of its own: appeal_inbox_idx starts with the queue. A second, bare one
    # made SQLite pick it for "open appeals of a queue, most urgent first" and sort
    # the whole queue (33 ms instead of 5 ms at 200,000 appeals; bench/README.md).
    queue = models.ForeignKey(
        "queues.Queue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("queue"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_appeals",
        verbose_name=_("assignee"),
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("client"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subcases",
        verbose_name=_("parent appeal"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_appeals",
        verbose_name=_("merged into"),
    )
    tags = models.ManyToManyField("appeals.Tag", blank=True, related_name="appeals", verbose_name=_("tags"))

    created_at = models.DateTimeField(_("received"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # The nearest running deadline and the moment 80 % of its term is gone, copied
    # from the clocks (okno.deadlines) so that lists sort and filter on an index.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    # Price of the goods or the amount the client demands: the base of the
    # consumer-protection penalty (art. 23) shown on overdue appeals.
    claim_amount = models.DecimalField(
        _("price or amount claimed"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # A deadline policy chosen for this appeal (by a routing rule) instead of the
    # first policy matching it.
    deadline_policy = models.ForeignKey(
        "deadlines.DeadlinePolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deadline policy"),
    )
    # A complaint the regulator (Bank of Russia, Rospotrebnadzor, …) forwarded to us:
    # the regulator report lists them with its reference number and whether we
    # answered on time (okno.reports.regulator).
    regulator_forwarded = models.BooleanField(_("forwarded by the regulator"), default=False)
    regulator_reference = models.CharField(_("regulator's reference number"), max_length=100, blank=True)
    regulator_letter_date = models.DateField(_("date of the regulator's letter"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="uniq_appeal_year_seq"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(outcome=""), name="closed_appeal_has_outcome"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="appeal_not_own_parent"),
            models.CheckConstraint(
                condition=Q(regulator_forwarded=True) | Q(regulator_reference="", regulator_letter_date__isnull=True),
                name="appeal_regulator_reference_needs_flag",
            ),
        ]
        indexes = [
            # The inbox: one queue, one status, most urgent and newest first.
            models.Index(fields=["queue", "status", "priority_rank", "created_at", "id"], name="appeal_inbox_idx"),
            models.Index(fields=["status", "priority_rank", "created_at", "id"], name="appeal_status_idx"),
            # Counts of open appeals (per queue, unassigned, overdue) with the visibility
            # check, read from the index alone.
            models.Index(fields=["status", "queue", "assignee", "due_at", "due_risk_at"], name="appeal_open_idx"),
            # An agent's load per channel, counted at every automatic assignment.
            models.Index(fields=["assignee", "status", "channel"], name="appeal_load_idx"),
            # "Open, most urgent first", in a queue and overall: PostgreSQL reads these in
            # order and stops at the page (78 ms → 1 ms and 244 ms → 1 ms at a million
            # appeals). SQLite cannot prove a bound status list matches, so it sorts the
            # open rows instead (8–20 ms at 200,000). Only open appeals are in them.
            models.Index(
                fields=["queue", "priority_rank", "created_at", "id"],
                condition=Q(status__in=[Status.IN_WORK, Status.NEW, Status.WAITING_CLIENT]),
                name="appeal_open_queue_idx",
            ),
            models.Index(
                fields=["priority_rank", "created_at", "id"],
                condition=Q(status__in=[Status.IN_WORK, Status.NEW, Status.WAITING_CLIENT]),
                name="appeal_open_prio_idx",
            ),
            models.Index(fields=["assignee", "status"], name="appeal_assignee_idx"),
            models.Index(fields=["client", "created_at"], name="appeal_client_idx"),
            models.Index(fields=["created_at", "id"], name="appeal_created_idx"),
            models.Index(fields=["updated_at"], name="appeal_updated_idx"),
            models.Index(fields=["due_at"], name="appeal_due_idx"),
            models.Index(fields=["due_risk_at"], name="appeal_due_risk_idx"),
            # The regulator report's list of forwarded complaints in a period.
            models.Index(fields=["created_at"], condition=Q(regulator_forwarded=True), name="appeal_regulator_idx"),
            # The reports' answer times: the clocks met in a period join their appeals
            # (received when, forwarded or not) from this index alone rather than the
            # table (PostgreSQL, a million appeals: 0.9 → 0.75 s for the regulator's).
            models.Index(
                fields=["id", "created_at", "regulator_forwarded"],
                condition=Q(parent__isnull=True) & ~Q(status__in=[Status.MERGED, Status.CANCELLED]),
                name="appeal_report_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.priority_rank = PRIORITY_RANK[Priority(self.priority)]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "priority" in update_fields:
            kwargs["update_fields"] = {*update_fields, "priority_rank"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in Status.open_values()

    @property
    def is_final(self) -> bool:
        return self.status in Status.final_values()

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_at is not None
            and not self.is_final
            and self.status != Status.ANSWERED
            and (self.due_at < timezone.now())
        )


class AppealLink(models.Model):
    """A link between two appeals. Stored once, read from both ends."""

    source = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices, default=LinkKind.RELATED)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("link between appeals")
        verbose_name_plural = _("links between appeals")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="uniq_appeal_link"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="appeal_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id} ({self.kind})"
