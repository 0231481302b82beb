"""What a worker does with a task record: claim it, run the Django task, write the
outcome. Called by huey (``run_record``), by huey's scheduler through the periodic
tasks (``enqueue_periodic``) and when a worker stops mid-task (``release``).

A record is claimed with a conditional update (READY → RUNNING): a message that
arrives twice, or two workers holding the same message, run the task once, and a
finished record is never run again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from traceback import format_exception
from typing import Any

from django.db import transaction
from django.tasks import TaskContext, TaskResult, TaskResultStatus, task_backends
from django.tasks.base import TaskError
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.json import normalize_json

from okno.background.models import TaskRecord

logger = logging.getLogger(__name__)

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
FAILED, SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


def worker_id() -> str:
    """host:pid:thread, so the page can say which worker holds a task."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def _error(exc: BaseException) -> dict[str, str]:
    kind = type(exc)
    return {
        "exception_class_path": f"{kind.__module__}.{kind.__qualname__}",
        "traceback": "".join(format_exception(exc)),
    }


def run_record(record_id: str) -> str:
    """Run one record if it is still READY; returns the status it ended in (or the
    one it had when another worker, or an earlier message, got there first)."""
    from okno.background.backend import HueyTaskBackend, result_from_record

    record = TaskRecord.objects.filter(pk=record_id).first()
    if record is None:
        logger.warning("Task record %s does not exist (pruned, or its transaction rolled back)", record_id)
        return ""
    if record.status != READY:
        return str(record.status)
    now = timezone.now()
    if record.run_after is not None and record.run_after > now:
        # Early (a clock ahead on the machine that sent it): back to huey's schedule.
        backend = task_backends[record.backend]
        if isinstance(backend, HueyTaskBackend):
            backend.send(record.id, record.priority, record.run_after)
        return str(record.status)

    workers = [*record.worker_ids, worker_id()]
    claimed = TaskRecord.objects.filter(pk=record.pk, status=READY).update(
        status=RUNNING, started_at=now, finished_at=None, worker_ids=workers
    )
    if not claimed:
        return str(TaskRecord.objects.filter(pk=record.pk).values_list("status", flat=True).first() or "")
    record.status, record.started_at, record.finished_at, record.worker_ids = RUNNING, now, None, workers

    try:
        backend = task_backends[record.backend]
        result: TaskResult[..., Any] = result_from_record(record)
    except Exception as exc:
        # The task's code is gone or the backend alias was removed: nothing can run it.
        logger.exception("Task record %s (%s) cannot be run", record.pk, record.task_path)
        _finish(record, FAILED, error=_error(exc))
        return FAILED
    task = result.task
    task_started.send(type(backend), task_result=result)
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
        else:
            value = task.call(*result.args, **result.kwargs)
        value = normalize_json(value)
    except KeyboardInterrupt:
        release(record.pk)
        raise
    except BaseException as exc:  # noqa: BLE001 - as Django's immediate backend: a SystemExit is a failure
        error = _error(exc)
        _finish(record, FAILED, error=error)
        _update_result(result, record)
        # Inside the handler, so the django.tasks log line carries the traceback.
        task_finished.send(type(backend), task_result=result)
        return FAILED
    _finish(record, SUCCESSFUL, value=value)
    _update_result(result, record)
    task_finished.send(type(backend), task_result=result)
    return SUCCESSFUL


def _finish(record: TaskRecord, status: str, *, value: Any = None, error: dict[str, str] | None = None) -> None:
    record.status = status
    record.finished_at = timezone.now()
    changes: dict[str, Any] = {"status": status, "finished_at": record.finished_at}
    if error is not None:
        record.errors = [*record.errors, error]
        changes["errors"] = record.errors
    else:
        record.return_value = value
        changes["return_value"] = value
    TaskRecord.objects.filter(pk=record.pk, status=RUNNING).update(**changes)


def _update_result(result: TaskResult[..., Any], record: TaskRecord) -> None:
    object.__setattr__(result, "status", TaskResultStatus(record.status))
    object.__setattr__(result, "finished_at", record.finished_at)
    object.__setattr__(result, "errors", [TaskError(**error) for error in record.errors])
    object.__setattr__(result, "_return_value", record.return_value)


def release(record_id: str) -> bool:
    """A worker stopped while running the record: READY again, to be sent again."""
    released = TaskRecord.objects.filter(pk=record_id, status=RUNNING).update(status=READY, started_at=None)
    if released:
        logger.warning("Task record %s was interrupted; it is READY again", record_id)
    return bool(released)


def enqueue_periodic(name: str) -> TaskResult[..., Any] | None:
    """The scheduler found job ``name`` due: enqueue its task, marked with the job's
    name. A run that has not started yet is not doubled (a busy queue, a worker that
    was down): the next one is enqueued when it has started."""
    from okno.background.backend import HueyTaskBackend
    from okno.background.schedule import get_job

    job = get_job(name)
    if job is None:
        logger.warning("Periodic job %s is not registered in this process", name)
        return None
    with transaction.atomic():
        if TaskRecord.objects.filter(periodic_name=name, status=READY).exists():
            logger.info("Periodic job %s: the previous run has not started yet; not enqueued again", name)
            return None
        backend = job.task.get_backend()
        if isinstance(backend, HueyTaskBackend):
            return backend.enqueue_record(job.task, (), {}, periodic_name=name)
        return job.task.enqueue()
