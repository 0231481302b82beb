"""One row per enqueued task: what to run, and what became of it. The row is the
truth; huey only carries "run record X" messages, so a lost or repeated message
can neither lose a task nor run a finished one again."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.tasks import TaskResultStatus
from django.utils.translation import gettext_lazy as _


class TaskRecord(models.Model):
    """A ``django.tasks`` task enqueued through ``HueyTaskBackend``: its arguments,
    its state (``TaskResultStatus``), who ran it, its errors and return value."""

    id = models.CharField(_("id"), max_length=32, primary_key=True)
    task_path = models.CharField(_("task"), max_length=255)
    backend = models.CharField(_("backend"), max_length=100, default="default")
    queue_name = models.CharField(_("queue"), max_length=100, default="default")
    priority = models.SmallIntegerField(_("priority"), default=0)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskResultStatus.choices, default=TaskResultStatus.READY
    )
    enqueued_at = models.DateTimeField(_("enqueued"))
    run_after = models.DateTimeField(_("run after"), null=True, blank=True)
    # The current (or last) attempt; earlier attempts live on in worker_ids and errors.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker_ids = models.JSONField(_("workers"), default=list, blank=True)
    # [{"exception_class_path": …, "traceback": …}], one per failed attempt.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    return_value = models.JSONField(_("return value"), null=True, blank=True)
    periodic_name = models.CharField(_("periodic job"), max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-enqueued_at"]
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        indexes = [
            models.Index(fields=["status", "enqueued_at"], name="bg_task_status_enqueued"),
            models.Index(fields=["periodic_name", "enqueued_at"], name="bg_task_periodic_enqueued"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=TaskResultStatus.values), name="bg_task_status_valid"),
            models.CheckConstraint(
                condition=models.Q(priority__gte=-100, priority__lte=100), name="bg_task_priority_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_path} [{self.status}] {self.id}"

    @property
    def task_name(self) -> str:
        """The function's name, for lists: ``okno.x.tasks.send`` → ``send``."""
        return self.task_path.rsplit(".", 1)[-1]

    @property
    def attempts(self) -> int:
        return len(self.worker_ids or [])

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def duration_seconds(self) -> float | None:
        duration = self.duration
        return None if duration is None else duration.total_seconds()

    @property
    def last_error(self) -> dict[str, str] | None:
        return self.errors[-1] if self.errors else None

    @property
    def last_worker(self) -> str:
        return self.worker_ids[-1] if self.worker_ids else ""
