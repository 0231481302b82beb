"""``django.tasks`` backend run by huey (settings: ``TASKS["default"]``).

``enqueue`` writes a ``TaskRecord`` inside the caller's transaction and hands
"run record X" to huey only when that transaction commits: a task enqueued by a
change that is rolled back never runs, and a worker never looks for a row it
cannot see yet. ``get_result`` reads the row, from any process.

OPTIONS: ``inline`` (huey's immediate mode: run in this process at commit),
``redis_url`` (Redis storage when set) and ``sqlite_path`` (SQLite storage otherwise).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.db import transaction
from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.json import normalize_json
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from huey import Huey

    from okno.background.models import TaskRecord

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R = TypeVar("_R")


class HueyTaskBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True
    # The worker calls Task.call(), which runs a coroutine function to completion.
    supports_async_task = True

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.inline = bool(self.options.get("inline", False))
        self.redis_url = str(self.options.get("redis_url") or "")
        self.sqlite_path = str(self.options.get("sqlite_path") or "tasks.sqlite3")

    @property
    def huey(self) -> Huey:
        from okno.background.huey_app import get_huey

        return get_huey(inline=self.inline, redis_url=self.redis_url, sqlite_path=self.sqlite_path)

    def enqueue(self, task: Task[_P, _R], args: Sequence[Any], kwargs: dict[str, Any]) -> TaskResult[_P, _R]:
        return self.enqueue_record(task, args, kwargs)

    def enqueue_record(
        self, task: Task[_P, _R], args: Sequence[Any], kwargs: dict[str, Any], *, periodic_name: str = ""
    ) -> TaskResult[_P, _R]:
        """``enqueue``, optionally marking the record as a run of a periodic job."""
        from okno.background.models import TaskRecord

        self.validate_task(task)
        # Arguments travel as JSON: anything else is the caller's mistake, now.
        record = TaskRecord.objects.create(
            id=uuid.uuid4().hex,
            task_path=task.module_path,
            backend=self.alias,
            queue_name=task.queue_name,
            priority=task.priority,
            args=normalize_json(list(args)),
            kwargs=normalize_json(dict(kwargs)),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            run_after=task.run_after,
            periodic_name=periodic_name,
        )
        result = result_from_record(record, task)
        task_enqueued.send(type(self), task_result=result)
        transaction.on_commit(partial(self.send, record.id, record.priority, record.run_after))
        return result

    def send(self, record_id: str, priority: int = 0, run_after: datetime | None = None) -> bool:
        """Hand the record to huey. A failure (Redis down) is logged, not raised: the
        record is committed and stays READY, and the resend job tries again."""
        from okno.background.huey_app import send_run

        try:
            send_run(self.huey, record_id, priority=priority, run_after=run_after)
        except Exception:
            logger.exception("Task record %s could not be handed to huey; it will be sent again", record_id)
            return False
        return True

    def get_result(self, result_id: str) -> TaskResult[..., Any]:
        from okno.background.models import TaskRecord

        record = TaskRecord.objects.filter(pk=str(result_id)).first()
        if record is None:
            raise TaskResultDoesNotExist(result_id)
        return result_from_record(record)


def result_from_record[**P, R](record: TaskRecord, task: Task[P, R] | None = None) -> TaskResult[P, R]:
    """The ``TaskResult`` a record stands for (the task is imported by its path)."""
    if task is None:
        task = import_string(record.task_path)
        if not isinstance(task, Task):
            raise TypeError(f"{record.task_path} is not a django.tasks task")
    task = task.using(
        priority=record.priority, queue_name=record.queue_name, run_after=record.run_after, backend=record.backend
    )
    result: TaskResult[P, R] = TaskResult(
        task=task,
        id=record.id,
        status=TaskResultStatus(record.status),
        enqueued_at=record.enqueued_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
        last_attempted_at=record.started_at,
        args=list(record.args),
        kwargs=dict(record.kwargs),
        backend=record.backend,
        errors=[TaskError(**error) for error in record.errors],
        worker_ids=list(record.worker_ids),
    )
    object.__setattr__(result, "_return_value", record.return_value)
    return result
