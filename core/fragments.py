"""Rendered HTML fragments kept in Django's cache (shared by the workers): for public pages whose parts are
the same for every visitor who asks the same thing, so a repeated request renders none of them again.

The caller builds the key from everything the fragment shows (see `fragment_key`), including a generation
token that every write to the underlying rows renews, and the template's own text and the translations, so a
fragment kept by the code before a deployment (the cache outlives it) is never shown by the code after it."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe


@functools.cache
def template_digest(name: str) -> str:
    """A digest of a template's text and of the compiled translations (read once per process): the same in every
    worker running the same code, another after a deployment that changed either."""
    digest = hashlib.sha256(get_template(name).template.source.encode())
    for path in sorted(Path(p) for p in settings.LOCALE_PATHS):
        for catalog in sorted(path.glob("*/LC_MESSAGES/django.mo")):
            digest.update(catalog.read_bytes())
    return digest.hexdigest()[:12]


def fragment_key(template: str, generation: str, *parts) -> str:
    """A short cache key for the fragment `template` renders: the template's text, the generation, a digest of
    the parts (the language, the date, what was asked...)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"fragment:{template}:{template_digest(template)}:{generation}:{digest}"


def cached_fragment(key: str | None, seconds: int, render: Callable[[], str]) -> SafeString:
    """The fragment under `key`, rendered by `render()` (a template's output, already escaped) and kept for
    `seconds` when not found. No key or no seconds: rendered every time, nothing kept."""
    return cached_fragments(seconds, [(key, render)])[0]


def cached_fragments(seconds: int, parts: list[tuple[str | None, Callable[[], str]]]) -> list[SafeString]:
    """`cached_fragment` for several (key, render) at once: the kept ones are read in one round trip to the cache
    (a page with two fragments asks once, not twice)."""
    keys = [key for key, _render in parts if key] if seconds > 0 else []
    found = cache.get_many(keys) if keys else {}
    out = []
    for key, render in parts:
        html = found.get(key) if keys and key else None
        if html is None:
            html = str(render())
            if keys and key:
                cache.set(key, html, timeout=seconds)
        out.append(mark_safe(html))
    return out
