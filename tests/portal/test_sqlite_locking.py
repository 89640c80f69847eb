"""`make run` on SQLite: two requests writing at once wait for each other instead of failing
with «database is locked» (pentest #10, finding 10).

The classic failure: both transactions read first (a DEFERRED BEGIN takes no write lock), then
both try to write; SQLite cannot upgrade the second one and fails at once, busy timeout or not.
BEGIN IMMEDIATE takes the write lock up front, so the second transaction waits its turn.
"""

import threading
import time

import pytest
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from dms_portal.settings.base import SQLITE_OPTIONS


def test_sqlite_options_use_immediate_transactions_and_a_busy_timeout():
    assert SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    assert SQLITE_OPTIONS["timeout"] >= 5


def _wrapper(path, alias: str) -> DatabaseWrapper:
    settings_dict = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": dict(SQLITE_OPTIONS),
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings_dict, alias)


@pytest.mark.parametrize("writers", [2, 4])
def test_parallel_read_then_write_transactions_wait_instead_of_failing(
    tmp_path, writers, django_db_blocker
):
    # A throwaway file database of its own, outside the test database that pytest-django guards.
    with django_db_blocker.unblock():
        _race(tmp_path / "run.sqlite3", writers)


def _race(path, writers: int):
    setup = _wrapper(path, "setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (1, 0)")
    setup.close()

    errors: list[Exception] = []
    start = threading.Barrier(writers)
    alias = "sqlite_race"

    def click():
        # connections is per thread, like a dev server handling two requests.
        connections[alias] = _wrapper(path, alias)
        try:
            start.wait()
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT value FROM counter WHERE id = 1")
                [value] = cursor.fetchone()
                time.sleep(0.2)  # the other click reads meanwhile
                cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=click) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    check = _wrapper(path, "check")
    with check.cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        assert cursor.fetchone() == (writers,)  # no lost update either
    check.close()
