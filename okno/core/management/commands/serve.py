"""Run Okno on one machine: the ASGI web server (pages, API, server push) and,
as its child process, the background worker with the scheduler
(``manage.py worker --scheduler``), so one command runs everything.

Many machines: ``serve --no-worker`` on the web machines, ``worker`` on the worker
machines and ``worker --scheduler`` on exactly one of them.
"""

from __future__ import annotations

import signal
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

DEMO_LOGINS = [
    ("admin", "Administrator"),
    ("supervisor", "Supervisor"),
    ("agent", "Agent (first line)"),
    ("dispatcher", "Dispatcher"),
    ("specialist", "Specialist (second line)"),
    ("compliance", "Compliance officer"),
]


class Command(BaseCommand):
    help = "Serve Okno under uvicorn (pages, API and live updates)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.SERVER_HOST)
        parser.add_argument("--port", type=int, default=settings.SERVER_PORT)
        parser.add_argument("--workers", type=int, default=settings.SERVER_WORKERS)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker (it runs elsewhere: manage.py worker).",
        )

    def handle(self, *args: Any, host: str, port: int, workers: int, no_worker: bool, **options: Any) -> None:
        from okno.accounts.models import User

        url = f"http://{host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Okno is starting at {url}"))
        demo = [(u, r) for u, r in DEMO_LOGINS if User.objects.filter(username=u, is_active=True).exists()]
        if demo:
            self.stdout.write("Demo logins (password: demo):")
            for username, role in demo:
                self.stdout.write(f"  {username:<12} {role}")
        self.stdout.write(f"API docs: {url}api/v1/docs    Stop: Ctrl+C")
        background = self._start_background(no_worker)
        self.stdout.write("")
        self.stdout.flush()
        # uvicorn re-raises the SIGTERM it shut down on; this turns it into an exit
        # that still runs the finally below (the worker is stopped, not orphaned).
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            self._serve(host, port, workers)
        except KeyboardInterrupt:
            pass  # Ctrl+C: uvicorn has shut down already
        finally:
            if background is not None:
                self.stdout.write("Stopping the background worker…")
                self.stdout.flush()
                background.stop()

    def _start_background(self, no_worker: bool) -> Any:
        from okno.background.process import WorkerProcess

        if settings.TASKS_INLINE:
            self.stdout.write("Background tasks: inline, in the web process (OKNO_TASKS_INLINE)")
            return None
        if no_worker:
            self.stdout.write("Background tasks: not started here (--no-worker); run manage.py worker")
            return None
        background = WorkerProcess(["--scheduler"])
        pid = background.start()
        self.stdout.write(f"Background worker with the scheduler is running (pid {pid})")
        return background

    def _serve(self, host: str, port: int, workers: int) -> None:
        uvicorn.run(
            "config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level=settings.LOG_LEVEL.lower(),
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
            proxy_headers=settings.TRUST_PROXY,
            server_header=False,
        )


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)
