"""Run Okno on one machine: the ASGI web server (pages, API, server push).

Later roles (background workers, the scheduler, channel listeners) start here too,
so one command runs everything on one machine.
"""

from __future__ import annotations

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

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
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
        self.stdout.write("")
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
