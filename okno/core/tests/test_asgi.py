"""Request threads: reused, limited, and never held by the live stream."""

import asyncio
import threading
import time

from asgiref.sync import sync_to_async

from okno.core.asgi import RequestThreads


class RecordingApp:
    """An ASGI app whose sync part records the thread it ran on."""

    def __init__(self, hold: float = 0.0) -> None:
        self.threads: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self.hold = hold
        self.guard = threading.Lock()

    def work(self) -> None:
        with self.guard:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.threads.append(threading.current_thread().name)
        time.sleep(self.hold)
        with self.guard:
            self.running -= 1

    async def __call__(self, scope, receive, send):
        await sync_to_async(self.work, thread_sensitive=True)()


def run(app, paths):
    async def main():
        await asyncio.gather(*(app({"type": "http", "path": p}, None, None) for p in paths))

    asyncio.run(main())


def test_requests_reuse_the_same_threads():
    inner = RecordingApp()
    app = RequestThreads(inner, threads=2)
    for _ in range(5):
        run(app, ["/api/v1/me"])
    assert len(inner.threads) == 5
    assert set(inner.threads) <= {"okno-request-0_0", "okno-request-1_0"}


def test_no_more_requests_run_at_once_than_there_are_threads():
    inner = RecordingApp(hold=0.05)
    run(RequestThreads(inner, threads=2), ["/"] * 8)
    assert inner.most_at_once == 2 and len(inner.threads) == 8


def test_the_live_stream_does_not_take_a_request_thread():
    inner = RecordingApp()
    run(RequestThreads(inner, threads=1), ["/live/stream"])
    assert not inner.threads[0].startswith("okno-request-")
