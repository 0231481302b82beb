"""Reads for the administrators' page and the API: task records by state, and each
periodic job with its last and next run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.tasks import TaskResultStatus
from django.utils import timezone

from okno.background.models import TaskRecord
from okno.background.schedule import PeriodicJob, periodic_jobs

STATUSES = [str(value) for value in TaskResultStatus.values]
# Newest first, except the queue, which reads in the order it will be worked.
_ORDER = {
    TaskResultStatus.READY: ("enqueued_at",),
    TaskResultStatus.RUNNING: ("started_at",),
    TaskResultStatus.FAILED: ("-enqueued_at",),
    TaskResultStatus.SUCCESSFUL: ("-enqueued_at",),
}


def counts() -> dict[str, int]:
    """Records per status, every status present (zero when none)."""
    found = dict(TaskRecord.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: int(found.get(status, 0)) for status in STATUSES}


def records(status: str | None = None, limit: int = 50) -> list[TaskRecord]:
    qs = TaskRecord.objects.all()
    if status:
        qs = qs.filter(status=status).order_by(*_ORDER[TaskResultStatus(status)], "pk")
    else:
        qs = qs.order_by("-enqueued_at", "pk")
    return list(qs[:limit])


@dataclass(frozen=True)
class JobStatus:
    job: PeriodicJob
    last: TaskRecord | None
    next_run: datetime | None

    @property
    def name(self) -> str:
        return self.job.name

    @property
    def description(self) -> str:
        return str(self.job.description)

    @property
    def schedule(self) -> str:
        return self.job.cron.expression

    @property
    def task_path(self) -> str:
        return self.job.task.module_path


def periodic_status(now: datetime | None = None) -> list[JobStatus]:
    """Every registered job with its latest run (one indexed read per job)."""
    now = now or timezone.now()
    return [
        JobStatus(
            job=job,
            last=TaskRecord.objects.filter(periodic_name=job.name).order_by("-enqueued_at").first(),
            next_run=job.cron.next_after(now),
        )
        for job in periodic_jobs()
    ]
