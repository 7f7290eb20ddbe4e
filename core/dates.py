"""Reading a date typed on a staff page: day first (06/12/2026 or 06-12-2026) or ISO (2026-12-06),
the same orders as the forms (core/formats.py). A month-first date is never read as one."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .errors import DomainError
from .formats import DATE_INPUT_FORMATS

# Dates a report, a filter or a catalogue entry may name. Beyond them the arithmetic of a period (the day after
# its end, the local midnight in UTC) leaves Python's date range (year 1..9999): refuse them up front.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
OUT_OF_RANGE = f"Ngày phải trong khoảng {EARLIEST:%d/%m/%Y} – {LATEST:%d/%m/%Y}."


def in_range(day: dt.date) -> bool:
    return EARLIEST <= day <= LATEST


def parse_day(text: str | None, *, field: str | None = None) -> dt.date | None:
    """The date typed, None when empty; a DomainError in Vietnamese for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in DATE_INPUT_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if in_range(day):
            return day
        raise DomainError("date_out_of_range", OUT_OF_RANGE, field=field)
    raise DomainError("invalid_date", _("Ngày “%(text)s” không hợp lệ: hãy nhập theo thứ tự ngày/tháng/năm, "
                                        "ví dụ 06/12/2026.") % {"text": text[:20]}, field=field)
