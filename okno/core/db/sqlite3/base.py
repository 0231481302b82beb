"""SQLite, with the threads of one process taking turns for the write lock.

Every transaction begins ``BEGIN IMMEDIATE`` (settings): it takes SQLite's write
lock at once. When two threads of one process want it together, SQLite's busy
handler makes the loser sleep and retry with growing pauses (1, 2, 5 … 100 ms), so
a queue of eight requests turns into long, uneven waits. Here the threads first
queue on a lock in Python, which wakes the next one the moment the write lock is
free; SQLite's busy handler is left only for other processes.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False

    def _write_lock(self) -> threading.Lock:
        return _lock_for(str(self.settings_dict["NAME"]))

    def _start_transaction_under_autocommit(self) -> None:
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
        if not self._write_lock().acquire(timeout=timeout):
            raise OperationalError("database is locked (waited for another thread of this process)")
        self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private hook, not in the stubs
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            self._write_lock().release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # private hook, not in the stubs
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # private hook, not in the stubs
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # private hook, not in the stubs
        finally:
            self._release_write_lock()
