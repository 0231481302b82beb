"""Fixtures for background work: a real huey store (SQLite file or a redis-server
of the test's own), and real ``manage.py worker`` processes on the test database."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.tasks import task_backends

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_database_url() -> str:
    """The test database as a DATABASE_URL another process can use."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] in ("django.db.backends.sqlite3", "okno.core.db.sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(db.get("HOST") or ""), safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(str(db['NAME']), safe='')}"


def tasks_setting(*, inline: bool = False, redis_url: str = "", sqlite_path: str = "") -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "okno.background.backend.HueyTaskBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"inline": inline, "redis_url": redis_url, "sqlite_path": sqlite_path},
        }
    }


def wait_for(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def huey_file(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """This process sends to a real huey store: a SQLite file of the test's own."""
    path = tmp_path / "tasks.sqlite3"
    settings.TASKS = tasks_setting(sqlite_path=str(path))
    yield path
    task_backends["default"].huey.storage.close()  # type: ignore[attr-defined]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of the test's own on a free port (apt-get install redis-server)."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (apt-get install redis-server)"
    port = free_port()
    log = tmp_path / "redis.log"
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(tmp_path),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(64).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, 10, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the worker did not stop on {sig}:\n{self.output}") from None


@pytest.fixture
def start_worker(tmp_path: Path, transactional_db: None) -> Iterator[Callable[..., Worker]]:
    """``manage.py worker`` in its own process on the test database. Call it with the
    store (``sqlite_path=`` or ``redis_url=``) and extra command-line arguments."""
    started: list[Worker] = []

    def start(*args: str, sqlite_path: str = "", redis_url: str = "", env: dict[str, str] | None = None) -> Worker:
        data_dir = tmp_path / f"worker-{len(started)}"
        data_dir.mkdir()
        environ = {
            **os.environ,
            "DATABASE_URL": server_database_url(),
            "OKNO_DATA_DIR": str(data_dir),
            "OKNO_TASKS_INLINE": "0",
            "OKNO_TASKS_FILE": sqlite_path or str(data_dir / "tasks.sqlite3"),
            "REDIS_URL": redis_url,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        log = data_dir / "worker.log"
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", *args],
            cwd=ROOT,
            env=environ,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        worker = Worker(process, log)
        started.append(worker)
        wait_for(lambda: "Background worker:" in worker.output or process.poll() is not None, 30, "the worker")
        assert process.poll() is None, f"the worker did not start:\n{worker.output}"
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.stop(signal.SIGKILL)
