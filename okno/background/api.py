"""API for administrators: background task records, periodic jobs, retrying a
failed task. Everyone else gets a 403."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.tasks import TaskResultStatus
from ninja import Path, Query, Router, Schema
from pydantic import Field, StringConstraints, field_validator

from okno.background import queries, services
from okno.background.models import TaskRecord
from okno.core.apitools import current_user

router = Router(tags=["system"])

RecordId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class TaskErrorOut(Schema):
    exception_class_path: str
    traceback: str


class TaskOut(Schema):
    id: str
    task: str = Field(alias="task_path")
    queue: str = Field(alias="queue_name")
    priority: int
    status: TaskResultStatus
    args: list[Any]
    kwargs: dict[str, Any]
    enqueued_at: datetime
    run_after: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    worker_ids: list[str]
    errors: list[TaskErrorOut]
    return_value: Any = None
    periodic_job: str = Field("", alias="periodic_name", description="The periodic job that enqueued it, if any.")


class TaskQuery(Schema):
    status: TaskResultStatus | None = Field(None, description="READY, RUNNING, FAILED or SUCCESSFUL; all if absent.")
    limit: int = Field(50, ge=1, le=200)

    @field_validator("status", mode="before")
    @classmethod
    def _empty_is_all(cls, value: Any) -> Any:
        return None if value == "" else value


class PeriodicJobOut(Schema):
    name: str
    description: str
    schedule: str = Field(description="Cron: minute hour day month weekday, in the installation's time zone.")
    task: str = Field(alias="task_path")
    last_run: TaskOut | None = Field(None, alias="last")
    next_run: datetime | None


@router.get("/system/tasks", response=list[TaskOut], summary="Background tasks (administrators)")
def list_tasks(request: HttpRequest, q: Query[TaskQuery]) -> list[TaskRecord]:
    """Newest first; queued tasks in the order they will run, running ones by start."""
    services.require_admin(current_user(request))
    return queries.records(q.status.value if q.status else None, q.limit)


@router.get("/system/periodic-jobs", response=list[PeriodicJobOut], summary="Periodic jobs (administrators)")
def list_periodic_jobs(request: HttpRequest) -> list[queries.JobStatus]:
    services.require_admin(current_user(request))
    return queries.periodic_status()


@router.post("/system/tasks/{record_id}/retry", response=TaskOut, summary="Retry a failed task (administrators)")
def retry_task(request: HttpRequest, record_id: Path[RecordId]) -> TaskRecord:
    """The same task record goes back to the queue; its attempts and errors are kept.
    404 for an unknown id, 409 if the task has not failed."""
    return services.retry_task(current_user(request), record_id)
