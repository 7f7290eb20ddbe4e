"""core.ratelimit counts atomically on the test cache (LocMem), on Redis (production) and on the
file cache of `make run`: parallel hits never lose an update, and a new window gets an expiry."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from core import ratelimit

THREADS, HITS = 16, 25


def _caches(tmp_path):
    return {
        "locmem": LocMemCache(f"rl-{uuid.uuid4().hex}", {}),
        "redis": RedisCache(settings.REDIS_URL, {}),
        "file": FileBasedCache(str(tmp_path / "cache"), {}),
    }


@pytest.mark.parametrize("backend", ["locmem", "redis", "file"])
def test_parallel_hits_are_all_counted(backend, tmp_path):
    cache = _caches(tmp_path)[backend]
    key = f"test-{uuid.uuid4().hex}"
    barrier = threading.Barrier(THREADS)
    seen: list[int] = []

    def worker():
        barrier.wait()
        for _ in range(HITS):
            seen.append(ratelimit.hit(key, window=60, cache=cache))

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(1, THREADS * HITS + 1))  # every count handed out exactly once
    assert ratelimit.count(key, cache=cache) == THREADS * HITS
    if backend == "redis":
        client, full = ratelimit._redis(cache, key)
        assert 0 < client.ttl(full) <= 60
    ratelimit.clear(key, cache=cache)
    assert ratelimit.count(key, cache=cache) == 0


@pytest.mark.parametrize("backend", ["locmem", "redis", "file"])
def test_a_budget_reserves_and_refunds(backend, tmp_path):
    cache = _caches(tmp_path)[backend]
    budget = ratelimit.Budget(f"test-{uuid.uuid4().hex}", limit=3, window=60, cache=cache)
    assert [budget.reserve() for _ in range(3)] == [True, True, True]
    assert budget.spent() and not budget.reserve()
    budget.reset()
    assert budget.reserve() and budget.used() == 1
    budget.refund()
    assert budget.used() == 0
    budget.reset()
    budget.refund()  # nothing to give back once the window is gone: no negative counter
    assert budget.used() == 0 and budget.reserve() and budget.used() == 1
    budget.reset()


def test_parallel_reservations_never_exceed_the_limit():
    cache = LocMemCache(f"rl-{uuid.uuid4().hex}", {})
    budget = ratelimit.Budget("guesses", limit=20, window=60, cache=cache)
    barrier = threading.Barrier(100)
    granted: list[bool] = []

    def worker():
        barrier.wait()
        granted.append(budget.reserve())

    threads = [threading.Thread(target=worker) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 20 and granted.count(False) == 80


def test_the_file_cache_keeps_the_whole_window_not_its_default_five_minutes(tmp_path):
    """`make run`'s file cache re-saves a counter on every hit: the window's end must survive that (a PIN lock
    of an hour once lifted after five minutes, the file cache's default timeout)."""
    cache = FileBasedCache(str(tmp_path / "cache"), {"TIMEOUT": 300})
    key = f"test-{uuid.uuid4().hex}"
    for _ in range(3):
        ratelimit.hit(key, window=3600, cache=cache)
    # The file cache stores the expiry as the first pickled value of the file: read what it will honour.
    import pickle
    import time

    with open(cache._key_to_file(key), "rb") as fh:
        expires_at = pickle.load(fh)
    assert expires_at - time.time() > 3500  # not 300
    assert ratelimit.count(key, cache=cache) == 3
    ratelimit.undo(key, cache=cache)
    with open(cache._key_to_file(key), "rb") as fh:
        assert pickle.load(fh) - time.time() > 3500  # a refund does not shorten it either
    assert ratelimit.count(key, cache=cache) == 2


def test_parallel_hits_from_several_processes_are_all_counted(tmp_path):
    """gunicorn runs two workers: the file-cache counter is locked across processes, not only threads."""
    import subprocess
    import sys

    key = f"test-{uuid.uuid4().hex}"
    code = (
        "import django, os; django.setup(); "
        "from django.core.cache.backends.filebased import FileBasedCache; from core import ratelimit; "
        f"cache = FileBasedCache({str(tmp_path / 'cache')!r}, {{}}); "
        f"print(' '.join(str(ratelimit.hit({key!r}, window=600, cache=cache)) for _ in range(40)))"
    )
    env = {**__import__("os").environ, "VAR_DIR": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env,
                              cwd=str(settings.BASE_DIR)) for _ in range(4)]
    seen = []
    for proc in procs:
        out, _err = proc.communicate(timeout=120)
        assert proc.returncode == 0
        seen += [int(x) for x in out.split()]
    assert sorted(seen) == list(range(1, 161))
    assert ratelimit.count(key, cache=FileBasedCache(str(tmp_path / "cache"), {})) == 160


def test_the_default_cache_on_redis_counts_in_redis_atomically(settings, monkeypatch):
    """Production: CACHE_URL is Redis and callers pass no cache (the tracking PIN's budget). The default cache
    must be recognised as Redis (one atomic INCRBY with its expiry), never the per-machine file-lock path, which
    is not atomic across web servers (#21's load test found it in the tracking page's profile)."""
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": settings.REDIS_URL}}
    caches._settings = caches.settings = settings.CACHES  # a fresh handler for the overridden setting
    monkeypatch.setattr(caches, "_connections", threading.local())

    def no_lock(*args, **kwargs):
        raise AssertionError("the file-lock path was taken for Redis")

    monkeypatch.setattr(ratelimit, "_locked_add", no_lock)
    key = f"test-{uuid.uuid4().hex}"
    assert [ratelimit.hit(key, window=60) for _ in range(3)] == [1, 2, 3]
    ratelimit.undo(key)
    assert ratelimit.count(key) == 2
    client, full = ratelimit._redis(caches["default"], key)
    assert client.get(full) == b"2" and 0 < client.ttl(full) <= 60  # a plain counter with its window
    budget = ratelimit.Budget(key, limit=3, window=60)
    assert budget.reserve() and not budget.reserve()
    ratelimit.clear(key)
    assert ratelimit.count(key) == 0
