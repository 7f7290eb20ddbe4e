"""Reading a date period from a page's query string (?from=06/12/2026&to=…, day first or ISO), one way for every
report."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.timezone import localdate

from .dates import EARLIEST, LATEST, OUT_OF_RANGE, in_range, parse_day  # noqa: F401 - the range lives in dates
from .errors import DomainError


def validate_in_range(day: dt.date) -> None:
    """A form/serializer validator: dates outside EARLIEST..LATEST are refused with a Vietnamese message."""
    if day is not None and not in_range(day):
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


def period_from(params, *, default_start: dt.date, today: dt.date, max_days: int | None = None) -> tuple[dt.date,
                                                                                                          dt.date]:
    """(start, end), both inclusive; a clear Vietnamese DomainError for a bad or reversed range."""
    start = parse_day(params.get("from"), field="from") or default_start
    end = parse_day(params.get("to"), field="to") or today
    if not (in_range(start) and in_range(end)):
        raise DomainError("date_out_of_range", OUT_OF_RANGE)
    if end < start:
        raise DomainError("invalid_period", "Ngày kết thúc phải sau ngày bắt đầu.")
    if max_days is not None and (end - start).days > max_days:
        raise DomainError("period_too_long", f"Khoảng thời gian tối đa {max_days} ngày.")
    return start, end


def month_range(first: str | None, last: str | None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The months a refresh command or a report page was given ("2026-01"); default: the previous and this month.
    Raises ValueError with a Vietnamese message."""

    def parse(text: str) -> dt.date:
        try:
            month = dt.datetime.strptime(text.strip(), "%Y-%m").date()
        except ValueError:
            raise ValueError(f"Tháng không hợp lệ: {text!r} (dạng 2026-03).") from None
        if not in_range(month):
            raise ValueError(OUT_OF_RANGE)
        return month

    this_month = (today or localdate()).replace(day=1)
    last_month = parse(last) if last else this_month
    first_month = parse(first) if first else (this_month - dt.timedelta(days=1)).replace(day=1)
    if last_month > this_month:
        raise ValueError("Không tính số liệu cho tháng trong tương lai.")
    if first_month > last_month:
        raise ValueError("Tháng bắt đầu phải trước hoặc bằng tháng kết thúc.")
    return first_month, last_month
