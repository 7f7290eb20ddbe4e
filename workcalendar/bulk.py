"""Due dates in bulk: `due()` for whole arrays at once, with numpy over the calendar's ordinal tables.

`due_many(cal, received_at, amounts)` gives, row by row, the same instant as
`due(cal, received_at[k], amounts[k], DurationUnit.WORKING_DAYS)` (or `DurationUnit.DAYS` with
`unit=`); working hours are refused. It reads the very tables `WorkCalendar.add_working_days` reads
(`_flag`, `_rank`, `_work`: holidays, government swaps and every override already applied), so
make-up Saturdays and extra days off count exactly as in `due()`.

For one row, with i = the local receipt day's index in the calendar and rank[i] = the working days
before it, `due()` takes the effective receipt day (the day itself if it is a working day and the
local time is not after the cut-off, else the next working day), then the N-th working day after
it (N=0: itself). Both steps fold into one position in the sorted table of working days:

    position = rank[i] + (1 if day i is a working day and received after the cut-off else 0) + N

and the due instant is that day at the end of office hours (`WorkCalendar.end_of_day`).

Moments are numpy `datetime64` values meaning UTC instants (numpy has no time zones): the result is
`datetime64[us]` in UTC; `as_datetimes()` turns it into aware datetimes in Asia/Ho_Chi_Minh, equal
to what `due()` returns. Sequences of aware datetimes are accepted too, but they are converted in
Python, which costs about ten times the computation itself (about 1 s per million rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from core.errors import DomainError

from .calendar import TZ, WorkCalendar
from .deadlines import _check
from .units import DurationUnit

US_PER_DAY = 86_400_000_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_CAP = 1 << 40


def _time_us(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


@lru_cache(maxsize=8)
def _fixed_offset_us(first_ordinal: int, last_ordinal: int) -> int:
    """The UTC offset of Asia/Ho_Chi_Minh over the calendar's span, checked to be constant.

    (+07:00 since 1975.) Checked at midnight and noon of every day of the span, once per span: a
    future change of the zone would stop the vectorised path instead of shifting days silently.
    """
    offsets = set()
    for o in range(first_ordinal - 1, last_ordinal + 2):
        day = dt.date.fromordinal(o)
        for hour in (0, 12):
            offsets.add(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ).utcoffset())
    if len(offsets) != 1:
        raise NotImplementedError("due_many needs a fixed UTC offset for Asia/Ho_Chi_Minh over the calendar's span")
    return offsets.pop() // dt.timedelta(microseconds=1)


def _instants_us(received_at) -> np.ndarray:
    """UTC microseconds since the epoch, int64."""
    if isinstance(received_at, np.ndarray) and received_at.dtype.kind == "M":
        values = received_at.astype("datetime64[us]")
        if np.isnat(values).any():
            raise DomainError("naive_datetime", "Thời điểm nhận không được để trống (NaT).")
        return values.view(np.int64)
    out = np.empty(len(received_at), dtype=np.int64)
    one = dt.timedelta(microseconds=1)
    for k, moment in enumerate(received_at):
        if not isinstance(moment, dt.datetime) or moment.tzinfo is None or moment.utcoffset() is None:
            raise DomainError("naive_datetime", "Thời điểm phải có múi giờ (ví dụ 2026-02-12T10:00+07:00).")
        out[k] = (moment - EPOCH) // one
    return out


def _amounts(amounts, n: int, unit: str) -> np.ndarray:
    """Whole numbers of days as int64, checked as `due()` checks them (deadlines._check)."""
    values = np.asarray(amounts)
    if values.shape != (n,):
        raise ValueError(f"amounts must have one value per receipt moment ({n}), got shape {values.shape}")
    # Amounts beyond the calendar's working days are out of it anyway: capped, so int64 cannot overflow.
    if values.dtype.kind == "O" or (
        not isinstance(amounts, np.ndarray) and any(isinstance(a, bool | np.bool_) for a in amounts)
    ):  # None, Decimal, booleans mixed with numbers: row by row, exactly as due() checks them
        for a in amounts:
            _check(a, unit)
        return np.array([min(int(a), _CAP) for a in amounts], dtype=np.int64)
    if values.dtype.kind == "f":
        if np.isnan(values).any():
            raise DomainError("invalid_amount", "Thời hạn phải là một số.")
        if (np.floor(values) != values).any():
            raise DomainError("fractional_days", "Thời hạn tính bằng ngày phải là số nguyên; hãy dùng giờ làm việc.")
    elif values.dtype.kind == "u":
        values = values.astype(np.uint64)
    elif values.dtype.kind == "i":
        values = values.astype(np.int64)
    else:  # bool arrays, strings, …
        raise DomainError("invalid_amount", "Thời hạn phải là một số.")
    if values.dtype.kind != "u" and (values < 0).any():
        raise DomainError("negative_amount", "Thời hạn không được âm.")
    return np.minimum(values, _CAP).astype(np.int64)


def _out_of_calendar(cal: WorkCalendar) -> DomainError:
    return DomainError("date_out_of_calendar",
                       f"Thời hạn vượt ra ngoài phạm vi lịch làm việc ({cal.first_year}–{cal.last_year}).")


def _day_out_of_calendar(cal: WorkCalendar, ordinal: int) -> DomainError:
    day = dt.date.fromordinal(min(max(ordinal, 1), dt.date.max.toordinal()))
    return DomainError("date_out_of_calendar",
                       f"Ngày {day:%d/%m/%Y} nằm ngoài phạm vi lịch làm việc ({cal.first_year}–{cal.last_year}).")


def due_many(
    cal: WorkCalendar,
    received_at: np.ndarray | Sequence[dt.datetime],
    amounts: np.ndarray | Sequence[int],
    unit: str = DurationUnit.WORKING_DAYS,
) -> np.ndarray:
    """Due instants (`datetime64[us]`, UTC) of `amounts` `unit` for dossiers received at `received_at`.

    Row k equals `due(cal, received_at[k], amounts[k], unit)` for `unit` in working days or days
    (calendar days); a bad row (naive moment, negative or fractional amount, a day outside the
    calendar's years) raises the DomainError `due()` raises, for the whole call.
    """
    if unit not in (DurationUnit.WORKING_DAYS, DurationUnit.DAYS):
        raise ValueError(f"due_many does not handle the unit '{unit!s}'; use due() per row for working hours")
    t_us = _instants_us(received_at)
    days = _amounts(amounts, len(t_us), unit)
    offset = _fixed_offset_us(cal._start, cal._end)

    flag = np.frombuffer(cal._flag, dtype=np.uint8)
    rank = np.frombuffer(cal._rank, dtype=f"i{cal._rank.itemsize}")
    work = np.frombuffer(cal._work, dtype=f"i{cal._work.itemsize}")

    # Local day (since 1970-01-01) and local time of day, in microseconds; in place where possible.
    day_index, time_of_day = np.divmod(t_us + offset, US_PER_DAY)
    i = day_index
    i += EPOCH_ORDINAL - cal._start  # index of the local receipt day in the calendar's tables
    if len(i) and (i.min() < 0 or i.max() >= len(flag)):
        bad = int(i[(i < 0) | (i >= len(flag))][0]) + cal._start
        raise _day_out_of_calendar(cal, bad)
    late = time_of_day > _time_us(cal.hours.cutoff)
    late &= flag.view(bool)[i]
    # Position of the effective receipt day in `work`: the day itself if it is working and not late,
    # else the first working day after it (rank[i] already skips a non-working day).
    position = rank[i]
    position += late
    if unit == DurationUnit.WORKING_DAYS:
        target = position
        target += days
    else:
        if len(position) and position.max() >= len(work):
            raise _out_of_calendar(cal)
        last = work[position] - cal._start + days  # index of the effective day + N calendar days
        if len(last) and last.max() >= len(flag):
            raise _day_out_of_calendar(cal, int(last.max()) + cal._start)
        target = rank[last]  # that day if it is a working day, else the next working day
    if len(target) and target.max() >= len(work):
        raise _out_of_calendar(cal)
    result = work[target]
    result -= EPOCH_ORDINAL
    result *= US_PER_DAY
    result += _time_us(cal.hours.afternoon_end) - offset
    return result.view("datetime64[us]")


def as_datetimes(instants: np.ndarray) -> list[dt.datetime]:
    """`due_many`'s result as aware datetimes in Asia/Ho_Chi_Minh (what `due()` returns)."""
    one = dt.timedelta(microseconds=1)
    return [(EPOCH + int(v) * one).astimezone(TZ) for v in instants.astype("datetime64[us]").view(np.int64)]


# -- working time in bulk ---------------------------------------------------------------------------
# The "working position" of an instant: office seconds from the start of the calendar up to it,
#     position(t) = rank[i] * seconds_per_day + flag[i] * office_seconds_before(time of day)
# (i = the local day). Office time between two instants is the difference of their positions (exactly
# `WorkCalendar.working_seconds_between`), and adding office time is the inverse of position (exactly the
# instant `WorkCalendar.add_working_time` gives, except that an end of day and the next morning, the same
# position, come out as the next morning).

def _segments_us(cal: WorkCalendar) -> list[tuple[int, int]]:
    return [(a * 1_000_000, b * 1_000_000) for a, b in cal.hours.segments]


def working_position(cal: WorkCalendar, instants: np.ndarray | Sequence[dt.datetime]) -> np.ndarray:
    """Office seconds (float64) from the calendar's first day to each instant (`datetime64` UTC or aware)."""
    t_us = _instants_us(instants)
    offset = _fixed_offset_us(cal._start, cal._end)
    flag = np.frombuffer(cal._flag, dtype=np.uint8)
    rank = np.frombuffer(cal._rank, dtype=f"i{cal._rank.itemsize}")
    day_index, time_of_day = np.divmod(t_us + offset, US_PER_DAY)
    i = day_index + (EPOCH_ORDINAL - cal._start)
    if len(i) and (i.min() < 0 or i.max() >= len(flag)):
        bad = int(i[(i < 0) | (i >= len(flag))][0]) + cal._start
        raise _day_out_of_calendar(cal, bad)
    office = np.zeros(len(i), dtype=np.int64)
    for a, b in _segments_us(cal):
        office += np.clip(time_of_day - a, 0, b - a)
    return rank[i] * float(cal.hours.seconds_per_day) + flag[i] * (office / 1e6)


def working_seconds_many(cal: WorkCalendar, start, end) -> np.ndarray:
    """Row by row `cal.working_seconds_between(start[k], end[k])` (negative when end is before start)."""
    return working_position(cal, end) - working_position(cal, start)


def from_working_position(cal: WorkCalendar, positions: np.ndarray) -> np.ndarray:
    """The instant (`datetime64[us]`, UTC) at each working position (the inverse of `working_position`)."""
    per_day = float(cal.hours.seconds_per_day)
    positions = np.asarray(positions, dtype=np.float64)
    if len(positions) and positions.min() < 0:
        raise DomainError("negative_duration", "Thời gian không được âm.")
    work = np.frombuffer(cal._work, dtype=f"i{cal._work.itemsize}")
    k = np.floor(positions / per_day).astype(np.int64)
    if len(k) and k.max() >= len(work):
        raise _out_of_calendar(cal)
    rest_us = np.rint((positions - k * per_day) * 1e6).astype(np.int64)
    time_us = np.empty(len(k), dtype=np.int64)
    done = np.zeros(len(k), dtype=bool)
    for a, b in _segments_us(cal):
        here = ~done & (rest_us < (b - a))
        time_us[here] = a + rest_us[here]
        done |= here
        rest_us = np.where(done, rest_us, rest_us - (b - a))
    offset = _fixed_offset_us(cal._start, cal._end)
    return ((work[k] - EPOCH_ORDINAL) * US_PER_DAY + time_us - offset).view("datetime64[us]")
