"""pyHanko runs its work with `asyncio.run`, which refuses to start inside a running event loop (an async
view, a test driving a browser). Calls made there are run in a worker thread instead."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor


def outside_event_loop(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return fn(*args, **kwargs)  # the usual case: a WSGI request, a Celery task, a command
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(fn, *args, **kwargs).result()

    return wrapper
