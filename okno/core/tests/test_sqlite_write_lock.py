"""Okno's SQLite backend: threads of one process queue for the write lock instead
of sleeping in SQLite's busy handler, and the lock is always given back."""

import threading
import time

import pytest

from okno.core.db.sqlite3.base import DatabaseWrapper, _lock_for


def connect(path):
    return DatabaseWrapper(
        {
            "NAME": str(path),
            "ENGINE": "okno.core.db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 5},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "TEST": {},
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
        },
        alias="lock-test",
    )


@pytest.fixture
def db_path(tmp_path, django_db_blocker):
    """A SQLite file of the test's own (not the test database), so these tests run
    whichever database the suite is on."""
    path = tmp_path / "lock.sqlite3"
    with django_db_blocker.unblock():
        conn = connect(path)
        with conn.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n INTEGER)")
        conn.close()
        yield path


def test_a_second_thread_waits_for_the_first_transaction(db_path):
    order = []
    first_in = threading.Event()

    def writer(name, hold):
        conn = connect(db_path)
        conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        order.append(f"{name} begins")
        if name == "first":
            first_in.set()
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        time.sleep(hold)
        conn.commit()
        conn.set_autocommit(True)
        order.append(f"{name} commits")
        conn.close()

    first = threading.Thread(target=writer, args=("first", 0.2))
    first.start()
    first_in.wait()
    second = threading.Thread(target=writer, args=("second", 0))
    second.start()
    first.join()
    second.join()
    assert order == ["first begins", "first commits", "second begins", "second commits"]


def test_the_lock_is_given_back_after_rollback_and_close(db_path):
    lock = _lock_for(str(db_path))
    conn = connect(db_path)
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert lock.locked()
    conn.rollback()
    assert not lock.locked()
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    conn.close()
    assert not lock.locked()


def test_a_failed_commit_still_gives_the_lock_back(db_path, monkeypatch):
    lock = _lock_for(str(db_path))
    conn = connect(db_path)
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)

    class FailingCommit:
        """The driver connection, but its COMMIT fails (a full disk, say)."""

        def __init__(self, real):
            self.real = real

        def commit(self):
            raise RuntimeError("disk full")

        def __getattr__(self, name):
            return getattr(self.real, name)

    real = conn.connection
    monkeypatch.setattr(conn, "connection", FailingCommit(real))
    with pytest.raises(RuntimeError):
        conn.commit()
    assert not lock.locked()
    monkeypatch.setattr(conn, "connection", real)
    conn.close()


def test_the_default_database_uses_it_when_it_is_sqlite(settings):
    engine = settings.DATABASES["default"]["ENGINE"]
    assert engine in ("okno.core.db.sqlite3", "django.db.backends.postgresql")
