"""Atomic counters for every rate limit in the portal (tracking PIN, survey, feedback, kiosk).

A counter lives in the cache for a fixed window that starts with its first hit. Counting is atomic,
so parallel requests never lose an update (no get-then-set):

- Redis (production): one Lua script does INCRBY and sets the expiry of a new key, in one step.
- LocMem (tests), Memcached: `cache.add` (only one request creates the key) then `cache.incr`,
  both atomic in those backends.
- Any other backend (the file cache of `make run`): the same, under a lock of this process.

`Budget.reserve()` takes one attempt *before* the guarded work, so a hundred parallel requests
against a budget of twenty get twenty answers, not a hundred; `refund()` gives an attempt back when
it turns out not to count (a right PIN, an accepted answer).
"""

from __future__ import annotations

import hashlib
import threading

from django.core.cache import cache as default_cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache

_LOCK = threading.Lock()

_INCR = """
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return n
"""
_DECR = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], 1) end
return false
"""


def key_for(prefix: str, value: str) -> str:
    """A short cache key for any text (an address, a dossier code typed by anyone)."""
    return f"rl:{prefix}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _redis(cache, key: str):
    full = cache.make_and_validate_key(key)
    return cache._cache.get_client(full, write=True), full


def hit(key: str, *, window: int, cache=None) -> int:
    """Count one event under `key`; return the count in the current window (atomic)."""
    cache = cache or default_cache
    if isinstance(cache, RedisCache):
        client, full = _redis(cache, key)
        return int(client.eval(_INCR, 1, full, 1, int(window)))
    atomic = isinstance(cache, LocMemCache | BaseMemcachedCache)
    lock = _NoLock() if atomic else _LOCK
    with lock:
        for _attempt in range(5):
            if cache.add(key, 1, timeout=window):
                return 1
            try:
                return int(cache.incr(key))
            except ValueError:  # the window ended between add and incr: start a new one
                continue
    return int(cache.get(key) or 1)


def undo(key: str, *, cache=None) -> None:
    """Give one event back (never below what was counted; nothing if the window has ended)."""
    cache = cache or default_cache
    if isinstance(cache, RedisCache):
        client, full = _redis(cache, key)
        client.eval(_DECR, 1, full)
        return
    atomic = isinstance(cache, LocMemCache | BaseMemcachedCache)
    with _NoLock() if atomic else _LOCK:
        try:
            cache.decr(key)
        except ValueError:
            pass


def count(key: str, *, cache=None) -> int:
    return int((cache or default_cache).get(key) or 0)


def clear(key: str, *, cache=None) -> None:
    (cache or default_cache).delete(key)


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Budget:
    """At most `limit` counted attempts per `window` seconds under one key."""

    def __init__(self, key: str, *, limit: int, window: int, cache=None):
        self.key, self.limit, self.window, self.cache = key, limit, window, cache

    def reserve(self) -> bool:
        """Take one attempt; False (and nothing to do) once the budget is spent."""
        return hit(self.key, window=self.window, cache=self.cache) <= self.limit

    def refund(self) -> None:
        """The reserved attempt did not count after all."""
        undo(self.key, cache=self.cache)

    def used(self) -> int:
        return count(self.key, cache=self.cache)

    def spent(self) -> bool:
        return self.used() >= self.limit

    def reset(self) -> None:
        clear(self.key, cache=self.cache)
