"""Reading a date period from a page's query string (?from=06/12/2026&to=…, day first or ISO), one way for every
report."""

from __future__ import annotations

import datetime as dt

from .dates import parse_day
from .errors import DomainError


def period_from(params, *, default_start: dt.date, today: dt.date, max_days: int | None = None) -> tuple[dt.date,
                                                                                                          dt.date]:
    """(start, end), both inclusive; a clear Vietnamese DomainError for a bad or reversed range."""
    start = parse_day(params.get("from"), field="from") or default_start
    end = parse_day(params.get("to"), field="to") or today
    if end < start:
        raise DomainError("invalid_period", "Ngày kết thúc phải sau ngày bắt đầu.")
    if max_days is not None and (end - start).days > max_days:
        raise DomainError("period_too_long", f"Khoảng thời gian tối đa {max_days} ngày.")
    return start, end
