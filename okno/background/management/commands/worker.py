"""Run background tasks: a huey consumer for the task backend.

One machine: ``manage.py serve`` starts ``worker --scheduler`` for you. Many
machines: run ``worker`` wherever tasks should run, and ``worker --scheduler`` on
exactly one of them (the scheduler enqueues the periodic jobs, and that worker also
runs the channel listeners: the mailboxes' IMAP connections).

SIGTERM stops it gracefully: running tasks may finish (up to ``--shutdown-timeout``
seconds), then the rest are interrupted. SIGINT (Ctrl+C) interrupts at once. An
interrupted task goes back to the queue.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.tasks import task_backends

from okno.background import listeners
from okno.background.backend import HueyTaskBackend
from okno.background.process import die_with_parent

logger = logging.getLogger("okno.background.worker")


class Command(BaseCommand):
    help = "Run background tasks (a huey consumer); --scheduler also enqueues the periodic jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=2, help="Worker threads (default 2).")
        parser.add_argument(
            "--scheduler", action="store_true", help="Also enqueue periodic jobs (exactly one worker per site)."
        )
        parser.add_argument(
            "--no-listeners",
            action="store_true",
            help="With --scheduler: do not run the channel listeners (mailboxes) in this worker.",
        )
        parser.add_argument("--backend", default="default", help="The TASKS alias to work for.")
        parser.add_argument(
            "--shutdown-timeout", type=float, default=25.0, help="Seconds running tasks get on SIGTERM."
        )

    def handle(
        self,
        *args: Any,
        workers: int,
        scheduler: bool,
        no_listeners: bool,
        backend: str,
        shutdown_timeout: float,
        **opts: Any,
    ) -> None:
        die_with_parent()
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        tasks = task_backends[backend]
        if not isinstance(tasks, HueyTaskBackend):
            raise CommandError(f"TASKS[{backend!r}] is not okno.background.backend.HueyTaskBackend.")
        if tasks.inline:
            raise CommandError("Tasks run inline (OKNO_TASKS_INLINE): there is nothing for a worker to do.")
        huey = tasks.huey

        # Worker threads hold Django connections of their own: close them when a task
        # ends, as a request does, so none outlives its age or stays in a broken state.
        huey.pre_execute(name="okno_db_connections_before")(_close_connections_before)
        huey.post_execute(name="okno_db_connections_after")(_close_connections_after)

        if tasks.redis_url:
            url = urlsplit(tasks.redis_url)  # never the password
            storage = f"Redis {url.hostname}:{url.port or 6379}{url.path}"
        else:
            storage = f"SQLite {tasks.sqlite_path}"
        self.stdout.write(
            f"Background worker: {workers} thread(s), {storage}, scheduler {'on' if scheduler else 'off'}",
        )
        self.stdout.flush()
        consumer = huey.create_consumer(
            workers=workers,
            periodic=scheduler,
            worker_type="thread",
            graceful_signal="TERM",
            shutdown_timeout=shutdown_timeout,
            # Waiting for work: poll the SQLite queue at least every 2 s (Redis blocks).
            max_delay=2.0,
        )
        # The worker that runs the scheduler also runs the channel listeners: both must
        # run exactly once per site.
        listening = scheduler and not no_listeners
        stop_listeners = threading.Event()
        if listening:
            listeners.start_all(stop_listeners)
        try:
            consumer.run()
        finally:
            stop_listeners.set()
        close_old_connections()
        self.stdout.write("Background worker stopped.")


def _close_connections_before(task: Any) -> None:
    close_old_connections()


def _close_connections_after(task: Any, value: Any, exc: Any) -> None:
    close_old_connections()
