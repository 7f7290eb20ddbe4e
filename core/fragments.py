"""Rendered HTML fragments kept in Django's cache (shared by the workers): for public pages whose parts are
the same for every visitor who asks the same thing, so a repeated request renders none of them again.

The caller builds the key from everything the fragment shows (see `fragment_key`), including a generation
token that every write to the underlying rows renews: an old fragment is then never read again."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe


def fragment_key(prefix: str, generation: str, *parts) -> str:
    """A short cache key for a fragment: the prefix, the generation, a digest of the parts (the language, the
    date, what was asked...)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"fragment:{prefix}:{generation}:{digest}"


def cached_fragment(key: str | None, seconds: int, render: Callable[[], str]) -> SafeString:
    """The fragment under `key`, rendered by `render()` (a template's output, already escaped) and kept for
    `seconds` when not found. No key or no seconds: rendered every time, nothing kept."""
    if not key or seconds <= 0:
        return mark_safe(render())
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, timeout=seconds)
    return mark_safe(html)
