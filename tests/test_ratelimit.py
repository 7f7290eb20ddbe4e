"""portal.ratelimit counts atomically on the test cache (LocMem), on Redis (production) and on the
file cache of `make run`: parallel hits never lose an update, and a new window gets an expiry."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from portal import ratelimit

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
