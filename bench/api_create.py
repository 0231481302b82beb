"""API benchmark: registering appeals through ``POST /api/v1/appeals``, client side.

    .venv/bin/python bench/api_create.py 1000
    OKNO_WEB_WORKERS=1 OKNO_WEB_THREADS=4 .venv/bin/python bench/api_create.py 1000   # another shape

Starts Okno as ``make run`` would, on a fresh SQLite database in a temporary data
directory (``manage.py setup --no-demo``, then ``manage.py serve`` on a free port of
127.0.0.1), with an administrator, one queue and an API token. Then, like the
django-helpdesk harness in /work/shared/bench-peer: 10 untimed warm-up POSTs, N
POSTs one after another on one keep-alive ``requests.Session``, and N more from 8
threads (a session each), with mixed Russian and English text. Latency is measured
per request by the client. Every answer must be 201, and afterwards the database
must hold exactly 2N+10 appeals with unique numbers running 1…2N+10 in the year.

Prints the checks, then ``api_create mode=sequential N=… per_sec=… p50_ms=… p95_ms=…
errors=…`` and, last, the same line for ``mode=threads8``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WARMUP = 10
THREADS = 8
SUBJECTS = [
    "Cannot log in to the client portal",
    "Wrong amount on the invoice",
    "Списали комиссию за обслуживание карты",
    "Не могу войти в личный кабинет",
    "Кондиционер не охлаждает",
    "Прошу вернуть деньги за неисправный товар",
]
LINES = [
    "Hello, the page shows an error after I submit the form.",
    "My contract number is {n}; please check the last payment.",
    "Здравствуйте! Прошу пересмотреть решение по обращению {n}.",
    "Ошибка повторяется каждый раз, снимок экрана могу прислать.",
    "Гарантийный талон и чек есть, серийный номер TL{n}.",
]
PRIORITIES = ["low", "normal", "normal", "normal", "high", "critical"]
SETUP_SCRIPT = """
from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.queues.models import Queue
User.objects.create_user(username="bench", password="bench-password-not-used", role=Role.ADMIN, is_superuser=True)
queue = Queue.objects.create(code="bench", name="Обращения API", name_en="API appeals")
print(queue.pk)
"""
CHECK_SCRIPT = """
import json
from okno.appeals.models import Appeal
rows = list(Appeal.objects.order_by("year", "seq").values_list("year", "seq", "number"))
years = {}
for year, seq, number in rows:
    years.setdefault(year, []).append(seq)
print(json.dumps({
    "count": len(rows),
    "unique": len({n for _y, _s, n in rows}) == len(rows),
    "sequential": all(seqs == list(range(1, len(seqs) + 1)) for seqs in years.values()),
}))
"""


def payloads(n: int, seed: int, queue: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    items = []
    for _ in range(n):
        k = rng.randint(10000, 99999)
        items.append(
            {
                "subject": f"{rng.choice(SUBJECTS)} #{k}",
                "description": "\n\n".join(line.format(n=k) for line in rng.sample(LINES, 3)),
                "channel": "api",
                "priority": rng.choice(PRIORITIES),
                "queue": queue,
                "client_contact": {"email": f"user{rng.randint(1, 500)}@example.org", "name": f"Клиент {k}"},
            }
        )
    return items


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def session(token: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def post_all(
    s: requests.Session,
    url: str,
    items: list[dict[str, Any]],
    latencies: list[float],
    errors: list[str],
    numbers: list[str],
) -> None:
    for body in items:
        started = time.perf_counter()
        try:
            response = s.post(url, json=body, timeout=60)
        except requests.RequestException as exc:
            latencies.append(time.perf_counter() - started)
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        latencies.append(time.perf_counter() - started)
        if response.status_code != 201:
            errors.append(f"{response.status_code} {response.text[:200]}")
        else:
            numbers.append(response.json()["number"])


def line(mode: str, n: int, seconds: float, latencies: list[float], errors: list[str]) -> str:
    """The figure line; percentiles picked the way the peer's harness picks them."""
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return (
        f"api_create mode={mode} N={n} per_sec={n / seconds:.1f} p50_ms={pct(0.50):.1f} "
        f"p95_ms={pct(0.95):.1f} errors={len(errors)}"
    )


def wait_up(url: str, process: subprocess.Popen[bytes], log: Path, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while True:
        if process.poll() is not None:
            sys.exit(f"Okno did not start:\n{log.read_text(errors='replace')}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"Okno did not answer in {limit:.0f} s:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="appeals per phase (sequential, then 8 threads)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="okno-bench-api-"))
    env = {
        **os.environ,
        "OKNO_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'okno.sqlite3'}",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("OKNO_TESTING", "OKNO_DEBUG", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    process: subprocess.Popen[bytes] | None = None
    try:
        manage(env, "setup", "--no-demo")
        queue = int(manage(env, "shell", "-v", "0", "-c", SETUP_SCRIPT).strip())
        token = manage(env, "apitoken", "bench", "--name", "bench").strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = data_dir / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [PYTHON, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_up(f"{base}/api/v1/openapi.json", process, log)
        url = f"{base}/api/v1/appeals"

        warm_errors: list[str] = []
        post_all(session(token), url, payloads(WARMUP, args.seed + 1, queue), [], warm_errors, [])
        if warm_errors:
            sys.exit(f"warm-up failed: {warm_errors[0]}")
        os.sync()  # as the peer's harness: no dirty pages of the setup stall the first commits

        numbers: list[str] = []
        latencies: list[float] = []
        errors: list[str] = []
        started = time.perf_counter()
        post_all(session(token), url, payloads(args.n, args.seed, queue), latencies, errors, numbers)
        sequential = line("sequential", args.n, time.perf_counter() - started, latencies, errors)

        items = payloads(args.n, args.seed + 2, queue)
        latencies8: list[float] = []  # list.append is atomic under the GIL
        errors8: list[str] = []
        workers = [
            threading.Thread(
                target=post_all, args=(session(token), url, items[i::THREADS], latencies8, errors8, numbers)
            )
            for i in range(THREADS)
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        threaded = line(f"threads{THREADS}", args.n, time.perf_counter() - started, latencies8, errors8)
        stop(process)

        check = json.loads(manage(env, "shell", "-v", "0", "-c", CHECK_SCRIPT).strip().splitlines()[-1])
        want = 2 * args.n + WARMUP
        ok = (
            check["count"] == want
            and check["unique"]
            and check["sequential"]
            and len(set(numbers)) == len(numbers) == 2 * args.n
        )
        print(
            f"check: appeals={check['count']} (want {want} = 2*N + {WARMUP} warm-up), numbers unique="
            f"{check['unique']} sequential={check['sequential']}, answered numbers unique={len(set(numbers))}"
        )
        for error in (errors + errors8)[:3]:
            print(f"  error: {error}", file=sys.stderr)
        web_workers = os.environ.get("OKNO_WEB_WORKERS", str(min(4, os.cpu_count() or 1)))
        threads = os.environ.get("OKNO_WEB_THREADS", "2")
        print(f"server: manage.py serve, {web_workers} worker(s) x {threads} request threads, SQLite in {data_dir}")
        print(sequential)
        print(threaded)
        if not ok or errors or errors8:
            sys.exit(1)
    finally:
        if process is not None:
            stop(process)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
