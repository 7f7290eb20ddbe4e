"""Reading a date period from a page's query string (?from=YYYY-MM-DD&to=YYYY-MM-DD), one way for every report."""

from __future__ import annotations

import datetime as dt

from .errors import DomainError


def period_from(params, *, default_start: dt.date, today: dt.date, max_days: int | None = None) -> tuple[dt.date,
                                                                                                          dt.date]:
    """(start, end), both inclusive; a clear Vietnamese DomainError for a bad or reversed range."""
    try:
        start = dt.date.fromisoformat(params.get("from") or default_start.isoformat())
        end = dt.date.fromisoformat(params.get("to") or today.isoformat())
    except ValueError:
        raise DomainError("invalid_date", "Ngày không hợp lệ (dạng YYYY-MM-DD).") from None
    if end < start:
        raise DomainError("invalid_period", "Ngày kết thúc phải sau ngày bắt đầu.")
    if max_days is not None and (end - start).days > max_days:
        raise DomainError("period_too_long", f"Khoảng thời gian tối đa {max_days} ngày.")
    return start, end
