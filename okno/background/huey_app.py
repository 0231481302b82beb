"""The huey side: one huey instance per configuration and process, carrying two
kinds of messages:

- "run task record X" (``execution.run_record``), sent by the backend on commit;
- one periodic task per ``@periodic`` job, which the scheduler fires when its cron
  matches and which only enqueues the job's Django task through the backend.

SQLite storage in the data dir on one machine, Redis (with priorities) when
``REDIS_URL`` is set; huey's immediate mode when tasks run inline.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from huey import Huey, PriorityRedisHuey, SqliteHuey
from huey import signals as huey_signals
from huey.utils import normalize_time

from okno.background import execution, schedule

logger = logging.getLogger(__name__)

HUEY_NAME = "okno"
RUN_TASK_NAME = "run_task_record"

_hueys: dict[tuple[bool, str, str], Huey] = {}
_lock = threading.Lock()


def get_huey(*, inline: bool, redis_url: str, sqlite_path: str) -> Huey:
    """The process's huey for this configuration (built once; thread-safe)."""
    key = (inline, redis_url, "" if redis_url else sqlite_path)
    with _lock:
        huey = _hueys.get(key)
        if huey is None:
            huey = _hueys[key] = _build(inline=inline, redis_url=redis_url, sqlite_path=sqlite_path)
    return huey


def _build(*, inline: bool, redis_url: str, sqlite_path: str) -> Huey:
    # Results live in TaskRecord; huey's own result store would only grow.
    options: dict[str, Any] = {"results": False, "immediate": inline, "utc": True}
    huey: Huey
    if redis_url:
        huey = PriorityRedisHuey(HUEY_NAME, url=redis_url, **options)
    else:
        if not inline:
            Path(sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(HUEY_NAME, filename=sqlite_path, **options)
    huey.task(name=RUN_TASK_NAME)(execution.run_record)
    huey.signal(huey_signals.SIGNAL_INTERRUPTED)(_interrupted)
    for job in schedule.periodic_jobs():
        _add_periodic(huey, job)
    return huey


def _add_periodic(huey: Huey, job: schedule.PeriodicJob) -> None:
    name = f"periodic:{job.name}"

    def enqueue_job() -> None:
        execution.enqueue_periodic(job.name)

    existing = huey._registry._registry.get(f"{__name__}.{name}")
    if existing is not None:  # the same job registered again (a module reloaded)
        huey._registry.unregister(existing)
    huey.periodic_task(job.is_due_utc, name=name)(enqueue_job)


def _on_new_job(job: schedule.PeriodicJob) -> None:
    with _lock:
        hueys = list(_hueys.values())
    for huey in hueys:
        _add_periodic(huey, job)


schedule.on_register(_on_new_job)


def send_run(huey: Huey, record_id: str, *, priority: int = 0, run_after: datetime | None = None) -> None:
    """Hand "run task record X" to huey (or, inline, run it now)."""
    task_class = huey._registry.string_to_task(f"{execution.__name__}.{RUN_TASK_NAME}")
    eta = normalize_time(run_after, utc=huey.utc) if run_after is not None else None
    huey.enqueue(task_class((record_id,), {}, priority=priority, eta=eta))


def _interrupted(signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
    """A worker stopped in the middle of a task: the record goes back to READY, so
    the resend job hands it to a worker again."""
    if type(task).__name__ == RUN_TASK_NAME and task.args:
        execution.release(str(task.args[0]))
