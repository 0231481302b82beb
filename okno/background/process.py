"""The background worker as a child of ``manage.py serve`` (one machine, one
command): started with the web server, started again if it dies, stopped when the
web server stops, and never left behind, even if the web server is killed (on
Linux the child asks the kernel for SIGTERM when its parent goes)."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

PARENT_ENV = "OKNO_WORKER_PARENT_PID"
MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Called by the worker command: when started by ``serve`` (``PARENT_ENV`` set),
    get SIGTERM as soon as that parent ends, and quit at once if it already has."""
    parent = os.environ.get(PARENT_ENV, "")
    if not parent.isdecimal():
        return
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            logger.warning("Could not ask to be stopped with the web server")
    if os.getppid() != int(parent):
        raise SystemExit(0)


class WorkerProcess:
    """``manage.py worker <args>`` in its own session (a Ctrl+C on the terminal
    reaches the web server, which then stops the worker gracefully)."""

    def __init__(self, args: Sequence[str] = ("--scheduler",), *, restart_delay: float = 5.0) -> None:
        self.args = list(args)
        self.restart_delay = restart_delay
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        return subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, str(MANAGE_PY), "worker", *self.args],
            cwd=MANAGE_PY.parent,
            env=env,
            start_new_session=True,
        )

    def start(self) -> int:
        with self._lock:
            self.process = self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="okno-worker-watch", daemon=True)
        self._watcher.start()
        return self.process.pid

    def _watch(self) -> None:
        """Start the worker again if it exits while the web server runs."""
        while not self._stopping.is_set():
            process = self.process
            if process is None:
                return
            code = process.wait()
            if self._stopping.wait(self.restart_delay if code else 0.5):
                return
            logger.warning("The background worker exited (code %s); starting it again", code)
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = self._spawn()

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (running tasks may finish), SIGKILL after ``timeout`` seconds."""
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if process.poll() is None:
                logger.warning("The background worker did not stop in %s s; killing it", timeout)
                process.kill()
        return process.wait()
