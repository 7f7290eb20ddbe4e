"""Reading an id a page sends back (a select, a hidden field, a query parameter).

`Model.objects.filter(pk="abc")` raises ValueError (a 500); these helpers turn anything that is not a plain
ASCII integer into 0, an id that matches nothing, so the page answers with its usual "choose ..." message.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1


def int_param(value, default: int = 0) -> int:
    """The integer a form field holds ("12", " 12 "), or `default` for anything else ("abc", "²", "1e3", "")."""
    text = str(value if value is not None else "").strip()
    if text.startswith("-"):
        digits = text[1:]
    else:
        digits = text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        return default
    number = int(text)
    return number if -MAX_ID <= number <= MAX_ID else default


def pk_param(value) -> int:
    """A primary key from a form or a URL: a positive integer, or 0 (matches no row)."""
    number = int_param(value)
    return number if number > 0 else 0
