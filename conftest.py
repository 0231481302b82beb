import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.utils import translation

from okno.testing import Org, build_org
from okno.testing_browser import browser_page  # noqa: F401 - the fixture, for every browser test

pytest_plugins = ["okno.channels.mail.testing"]  # real IMAP/SMTP servers: dovecot, smtp_server …

# Servers a test starts inherit this and use the test settings (fast hasher, static
# files from the apps).
os.environ["OKNO_TESTING"] = "1"


@pytest.fixture
def org(db) -> Org:
    return build_org()


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Per-process caches must not carry rows from one test's database to the next."""
    from okno.core import refcache
    from okno.deadlines import calendar
    from okno.deadlines.services import policies
    from okno.routing.classifier.services import predict
    from okno.routing.services import rules

    def forget_all() -> None:
        refcache.forget()
        calendar.forget()
        policies.forget()
        rules.forget()
        predict.reset()

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Tests match the messages services raise by their English msgids. Pages still
    speak the request's language (Russian unless a cookie or the browser asks)."""
    with translation.override("en"):
        yield


def _server_database_url() -> str:
    """The test database, as a DATABASE_URL a server process can use."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] in ("django.db.backends.sqlite3", "okno.core.db.sqlite3"):
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        user = quote(str(db.get("USER") or ""), safe="")
        password = quote(str(db.get("PASSWORD") or ""), safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = quote(str(db.get("HOST") or ""), safe="")
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{quote(str(db['NAME']), safe='')}"
    raise RuntimeError(f"no DATABASE_URL for {db['ENGINE']}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def okno_server(transactional_db: None) -> Iterator[str]:
    """Okno running for real (``manage.py serve`` under uvicorn, in its own process)
    on the test database; yields its base URL. Data the test commits is what the
    server sees, and a service the test calls reaches the server's live stream."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _server_database_url(), "PYTHONUNBUFFERED": "1", "OKNO_TESTING": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    root = Path(__file__).resolve().parent
    log_path = Path(os.environ.get("OKNO_DATA_DIR") or root / "var") / f"okno-server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"Okno did not start:\n{log_path.read_text(errors='replace')}")
                try:
                    with urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Okno did not answer in 30 s:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    log_path.unlink(missing_ok=True)
