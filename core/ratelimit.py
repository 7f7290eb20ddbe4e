"""Atomic counters for every rate limit in the portal (tracking PIN, survey, feedback, kiosk).

A counter lives in the cache for a fixed window that starts with its first hit. Counting is atomic,
so parallel requests never lose an update (no get-then-set):

- Redis (production): one Lua script does INCRBY and sets the expiry of a new key, in one step.
- LocMem (tests), Memcached: `cache.add` (only one request creates the key) then `cache.incr`,
  both atomic in those backends.
- Any other backend (the file cache of `make run`, whose `incr` is a read and a re-save that would fall
  back to the cache's default 5-minute expiry): the count and the end of its window are stored side by
  side and re-saved with the time left in the window, under a lock held across processes (an `flock`
  on a file in VAR_DIR: gunicorn runs two workers).

`Budget.reserve()` takes one attempt *before* the guarded work, so a hundred parallel requests
against a budget of twenty get twenty answers, not a hundred; `refund()` gives an attempt back when
it turns out not to count (a right PIN, an accepted answer).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import math
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
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


def _default():
    """The default cache's backend itself: `django.core.cache.cache` is a proxy, which no isinstance() below
    recognises, so with it Redis would take the file-lock path (per machine, not atomic across web servers)."""
    return caches[DEFAULT_CACHE_ALIAS]


def key_for(prefix: str, value: str) -> str:
    """A short cache key for any text (an address, a dossier code typed by anyone)."""
    return f"rl:{prefix}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _redis(cache, key: str):
    full = cache.make_and_validate_key(key)
    return cache._cache.get_client(full, write=True), full


def hit(key: str, *, window: int, cache=None) -> int:
    """Count one event under `key`; return the count in the current window (atomic)."""
    cache = cache or _default()
    if isinstance(cache, RedisCache):
        client, full = _redis(cache, key)
        return int(client.eval(_INCR, 1, full, 1, int(window)))
    if not isinstance(cache, LocMemCache | BaseMemcachedCache):
        return _locked_add(cache, key, +1, window=window)
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
    cache = cache or _default()
    if isinstance(cache, RedisCache):
        client, full = _redis(cache, key)
        client.eval(_DECR, 1, full)
        return
    if not isinstance(cache, LocMemCache | BaseMemcachedCache):
        _locked_add(cache, key, -1, window=None)
        return
    try:
        cache.decr(key)
    except ValueError:
        pass


def count(key: str, *, cache=None) -> int:
    return int((cache or _default()).get(key) or 0)


def clear(key: str, *, cache=None) -> None:
    cache = cache or _default()
    cache.delete_many([key, key + _UNTIL])


_UNTIL = ":until"


@contextlib.contextmanager
def _cross_process_lock():
    """One counter update at a time in this process (threads) and across processes (flock)."""
    path = Path(getattr(settings, "VAR_DIR", "/tmp")) / "ratelimit.lock"
    with _LOCK, open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _locked_add(cache, key: str, delta: int, *, window: int | None) -> int:
    """Add `delta` to a counter on a backend without atomic increments. The window's end is stored beside the
    count, and both are saved with the seconds left in the window, so re-saving never extends or shortens it.
    `window=None`: only change a counter whose window is still open (a refund), never open one."""
    with _cross_process_lock():
        now = time.time()
        values = cache.get_many([key, key + _UNTIL])
        current, until = values.get(key), values.get(key + _UNTIL)
        if current is None or until is None or until <= now:
            if window is None:
                return 0
            current, until = 0, now + window
        current = max(0, int(current) + delta)
        cache.set_many({key: current, key + _UNTIL: until}, timeout=max(1, math.ceil(until - now)))
        return current


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
