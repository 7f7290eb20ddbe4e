"""Tests of row locks: another transaction left open while this one works."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, connections, transaction


@contextmanager
def held_open(work: Callable[[], object]) -> Iterator[None]:
    """Run `work()` in another thread inside a transaction left open (its row locks held) for the with-block, where
    this connection gives up on a lock after 3 s instead of waiting: a statement that would queue behind `work`
    fails there (PostgreSQL)."""
    held, release, failed = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                work()
                held.set()
                release.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 (told to the test below)
            failed.append(exc)
            held.set()
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(timeout=10) and not failed, failed
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        yield
    finally:
        release.set()
        thread.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
