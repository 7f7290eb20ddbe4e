"""Values a long list shows in every row, prepared once in Python rather than by template filters per row.

A staff worklist page renders 25 rows; Django's template engine costs about half a millisecond of CPU per row, most
of it in `{% url %}` (a full reverse per row), `|date` and `|truncatechars` (which walks every character of a
procedure's name). These give the same text, cheaper (issue #21)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

_SENTINEL = 987654321


def url_maker(viewname: str) -> Callable[[int], str]:
    """pk -> the URL `reverse(viewname, args=[pk])` gives, for a view whose only argument is an integer pk:
    reversed once per list, not once per row."""
    pattern = reverse(viewname, args=[_SENTINEL])
    head, found, tail = pattern.partition(str(_SENTINEL))
    if not found or str(_SENTINEL) in tail:
        raise ValueError(f"{viewname} does not take one integer argument")
    return lambda pk: f"{head}{int(pk)}{tail}"


@lru_cache(maxsize=4096)
def short(text: str, length: int) -> str:
    """`text|truncatechars:length` (Django's Truncator: an ellipsis within `length`), remembered: the rows of a
    list repeat a few procedure names."""
    return Truncator(text).chars(length)


def stamp(value: dt.datetime | None, empty: str = "—") -> str:
    """`value|date:"H:i d/m/Y"` in the current time zone, or `empty`."""
    if value is None:
        return empty
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")
