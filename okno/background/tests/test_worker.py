"""Real workers: ``manage.py worker`` processes on the test database, fed through
a real huey store (a SQLite file, or a redis-server of the test's own), the
scheduler role, shutdown, and ``manage.py serve`` starting and stopping its worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus

from okno.background.models import TaskRecord
from okno.background.tests import sample_tasks
from okno.background.tests.conftest import ROOT, free_port, server_database_url, tasks_setting, wait_for

pytestmark = [pytest.mark.server]

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
FAILED, SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


def finished(result_id: str) -> TaskRecord | None:
    record = TaskRecord.objects.get(pk=result_id)
    return record if record.status in (FAILED, SUCCESSFUL) else None


def _runs_tasks(worker) -> None:  # type: ignore[no-untyped-def]
    ok = sample_tasks.add.enqueue(2, 3)  # autocommit: handed to huey at once
    bad = sample_tasks.fail.enqueue("no such account")
    later = sample_tasks.add.using(priority=50).enqueue(40, 2)

    record = wait_for(lambda: finished(ok.id), 20, f"the task to run:\n{worker.output}")
    assert record.status == SUCCESSFUL and record.return_value == 5
    assert record.worker_ids[0].split(":")[1] == str(worker.process.pid)
    record = wait_for(lambda: finished(bad.id), 20, "the failing task")
    assert record.status == FAILED
    assert record.errors[0]["exception_class_path"] == "builtins.ValueError"
    assert "no such account" in record.errors[0]["traceback"]
    ok.refresh()
    assert ok.return_value == 5
    assert wait_for(lambda: finished(later.id), 20, "the third task").return_value == 42


def test_a_worker_runs_tasks_from_the_sqlite_store(huey_file: Path, start_worker):
    worker = start_worker(sqlite_path=str(huey_file))
    _runs_tasks(worker)
    assert worker.stop(signal.SIGTERM) == 0
    assert "Background worker stopped." in worker.output


def test_a_worker_runs_tasks_from_redis(redis_url: str, settings, start_worker):
    settings.TASKS = tasks_setting(redis_url=redis_url)
    worker = start_worker(redis_url=redis_url)
    assert "Redis 127.0.0.1" in worker.output
    _runs_tasks(worker)
    assert worker.stop(signal.SIGTERM) == 0


def test_two_workers_share_the_work_and_run_each_task_once(huey_file: Path, start_worker, tmp_path: Path):
    trace = tmp_path / "trace.txt"
    results = [sample_tasks.touch.enqueue(str(trace), f"t{i}") for i in range(20)]
    start_worker("--workers", "2", sqlite_path=str(huey_file))
    start_worker("--workers", "2", sqlite_path=str(huey_file))
    for result in results:
        wait_for(lambda result=result: finished(result.id), 30, "all tasks")
    assert sorted(trace.read_text().split()) == sorted(f"t{i}" for i in range(20))
    assert {len(TaskRecord.objects.get(pk=r.id).worker_ids) for r in results} == {1}


def test_the_scheduler_enqueues_periodic_jobs_and_their_last_run_shows(huey_file: Path, start_worker):
    from okno.background import queries

    worker = start_worker("--scheduler", sqlite_path=str(huey_file))
    assert "scheduler on" in worker.output
    name = "okno.background.tasks.resend_stalled_tasks"  # every minute: due at start-up

    def ran() -> TaskRecord | None:
        return TaskRecord.objects.filter(periodic_name=name, status=SUCCESSFUL).first()

    record = wait_for(ran, 30, f"the scheduler to enqueue {name}:\n{worker.output}")
    assert record.return_value == {"sent": 0}
    [status] = [s for s in queries.periodic_status() if s.name == name]
    assert status.last is not None and status.last.status == SUCCESSFUL


def test_a_worker_without_scheduler_enqueues_no_periodic_job(huey_file: Path, start_worker):
    start_worker(sqlite_path=str(huey_file))
    result = sample_tasks.add.enqueue(1, 1)
    wait_for(lambda: finished(result.id), 20, "the task")
    assert not TaskRecord.objects.exclude(periodic_name="").exists()


def test_sigterm_lets_the_running_task_finish(huey_file: Path, start_worker, tmp_path: Path):
    done = tmp_path / "done.txt"
    worker = start_worker(sqlite_path=str(huey_file))
    result = sample_tasks.sleep_then_touch.enqueue(1.5, str(done))
    wait_for(lambda: TaskRecord.objects.get(pk=result.id).status == RUNNING, 20, "the task to start")
    assert worker.stop(signal.SIGTERM) == 0
    assert done.exists()
    assert TaskRecord.objects.get(pk=result.id).status == SUCCESSFUL


def test_sigint_interrupts_and_the_task_goes_back_to_the_queue(huey_file: Path, start_worker, tmp_path: Path):
    done = tmp_path / "done.txt"
    worker = start_worker(sqlite_path=str(huey_file))
    result = sample_tasks.sleep_then_touch.enqueue(30, str(done))
    wait_for(lambda: TaskRecord.objects.get(pk=result.id).status == RUNNING, 20, "the task to start")
    assert worker.stop(signal.SIGINT, timeout=10) == 0
    record = TaskRecord.objects.get(pk=result.id)
    assert record.status == READY and record.attempts == 1
    assert not done.exists()


def test_the_worker_refuses_to_run_when_tasks_are_inline(transactional_db, tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": server_database_url(),
        "OKNO_TASKS_INLINE": "1",
        "OKNO_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "inline" in done.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) is not alive either.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


@pytest.fixture
def serve(transactional_db, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``manage.py serve`` as ``make run`` starts it (tasks not inline)."""
    started: list[subprocess.Popen[bytes]] = []
    log = tmp_path / "serve.log"

    def start() -> tuple[subprocess.Popen[bytes], int]:
        env = {
            **os.environ,
            "DATABASE_URL": server_database_url(),
            "OKNO_DATA_DIR": str(tmp_path),
            "OKNO_TASKS_INLINE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(free_port()), "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        line = wait_for(
            lambda: next(
                (x for x in log.read_text().splitlines() if "Background worker with the scheduler" in x), None
            ),
            30,
            "serve to start its worker",
        )
        pid = int(line.rsplit("pid ", 1)[1].rstrip(")"))
        wait_for(lambda: "Huey consumer started" in log.read_text(), 30, f"the worker to start:\n{log.read_text()}")
        return process, pid

    yield start, log
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_starts_the_worker_and_stops_it_when_it_stops(serve):
    start, log = serve
    process, worker_pid = start()
    assert _alive(worker_pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(40) == 0
    assert not _alive(worker_pid), log.read_text()
    assert "Stopping the background worker" in log.read_text()


def test_a_killed_serve_leaves_no_worker_behind(serve):
    start, log = serve
    process, worker_pid = start()
    process.kill()
    process.wait()
    wait_for(lambda: not _alive(worker_pid), 30, f"the orphaned worker to stop:\n{log.read_text()}")


def test_serve_starts_the_worker_again_if_it_dies(serve):
    start, log = serve
    process, worker_pid = start()
    os.kill(worker_pid, signal.SIGKILL)
    wait_for(lambda: log.read_text().count("Huey consumer started") >= 2, 30, f"a new worker:\n{log.read_text()}")
    process.send_signal(signal.SIGTERM)
    assert process.wait(40) == 0
    time.sleep(0.2)
    assert "Background worker stopped." in log.read_text()
