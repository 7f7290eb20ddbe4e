"""Where a field's value can come from before the citizen types it (the layout's `prefill`):

- `account.<attribute>`: the signed-in person's account (full_name, citizen_id, phone, email, address);
- `store:<title>.<attribute>`: the newest document of that title in their document store (docstore, an app above
  this one, registers that source when it loads: `register("store", ...)`).

A source gives a string or nothing; the citizen can always change it.
"""

from __future__ import annotations

from collections.abc import Callable

from .data import PREFIX, raw_from
from .definition import Form

SOURCES: dict[str, Callable] = {}


def register(prefix: str, resolve: Callable) -> None:
    """`resolve(user, key) -> str | None` for the prefill values "<prefix>:<key>"."""
    SOURCES[prefix] = resolve


def _account(user, attribute: str) -> str | None:
    if attribute == "phone":
        value = getattr(user, "phone_display", None) or getattr(user, "phone", None)
    else:
        value = getattr(user, attribute, None)
    return str(value) if value else None


def value_for(user, source: str) -> str | None:
    if source.startswith("account."):
        return _account(user, source.split(".", 1)[1])
    prefix, _sep, key = source.partition(":")
    resolve = SOURCES.get(prefix)
    return resolve(user, key) if resolve and key else None


def initial(form: Form, user, *, previous: dict | None = None) -> dict:
    """The page's starting values: a previous declaration's data of the same form, then the sources."""
    raw = raw_from(form, previous or {})
    if user is None or not getattr(user, "is_authenticated", False):
        return raw
    for f in form.fields():
        source = f.item.get("prefill")
        key = f"{PREFIX}{f.name}"
        if source and f.kind not in ("group", "address") and not raw.get(key):
            value = value_for(user, source)
            if value:
                raw[key] = value
    return raw
