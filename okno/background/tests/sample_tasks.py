"""Tasks the tests enqueue. Module-level, so a worker process can import them."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import TaskContext, task


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def fail(message: str) -> None:
    raise ValueError(message)


@task
def touch(path: str, text: str = "ran") -> str:
    """Leaves a trace outside the database (a rollback cannot undo it)."""
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(text + "\n")
    return text


@task
def fail_once(path: str) -> str:
    """Fails the first time (leaving a marker), succeeds after."""
    marker = Path(path)
    if not marker.exists():
        marker.write_text("failed once", encoding="utf-8")
        raise RuntimeError("first attempt fails")
    return "second attempt"


@task(takes_context=True)
def whoami(context: TaskContext, tag: str) -> dict[str, object]:
    return {"id": context.task_result.id, "attempt": context.attempt, "tag": tag}


@task
async def async_double(x: int) -> int:
    return 2 * x


@task
def not_json() -> object:
    return {1, 2, 3}


@task
def sleep_then_touch(seconds: float, path: str) -> str:
    time.sleep(seconds)
    Path(path).write_text("done", encoding="utf-8")
    return "done"
