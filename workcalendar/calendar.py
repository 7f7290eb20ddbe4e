"""The working calendar of the Vietnamese civil service, as a pure object (no ORM).

National holidays and government day swaps come from the pinned `holidays` package (VN);
database overrides (extra days off, make-up working days, removed days off) are passed in by
`workcalendar.selectors.calendar_for`. Everything is precomputed once into ordinal tables so
that "the N-th working day after D" and "working days between A and B" cost O(1).
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from core.errors import DomainError

from .units import OverrideKind

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_YEAR = 2000
LAST_YEAR = 2060
WEEKEND = frozenset({5, 6})  # Saturday, Sunday (Decision 188/1999/QĐ-TTg: a five-day week)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True)
class OfficeHours:
    """An agency's office hours and its reception cut-off (Decree 61/2018 Art. 18: 15:00)."""

    morning_start: dt.time = dt.time(7, 0)
    morning_end: dt.time = dt.time(11, 30)
    afternoon_start: dt.time = dt.time(13, 30)
    afternoon_end: dt.time = dt.time(17, 0)
    cutoff: dt.time = dt.time(15, 0)

    def __post_init__(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise DomainError("invalid_office_hours", "Giờ làm việc phải theo thứ tự sáng bắt đầu < sáng kết thúc "
                                                      "≤ chiều bắt đầu < chiều kết thúc.")

    @property
    def segments(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The two sessions of a day, in seconds after midnight."""
        return (
            (_minutes(self.morning_start) * 60, _minutes(self.morning_end) * 60),
            (_minutes(self.afternoon_start) * 60, _minutes(self.afternoon_end) * 60),
        )

    @property
    def seconds_per_day(self) -> int:
        return sum(b - a for a, b in self.segments)

    @classmethod
    def from_settings(cls) -> OfficeHours:
        """The portal-wide default (settings.OFFICE_HOURS, from OFFICE_HOURS / RECEPTION_CUTOFF)."""
        return cls(**settings.OFFICE_HOURS)

    @classmethod
    def of(cls, agency) -> OfficeHours:
        return cls(agency.morning_start, agency.morning_end, agency.afternoon_start, agency.afternoon_end,
                   agency.reception_cutoff)


@dataclass(frozen=True)
class Override:
    date: dt.date
    kind: str
    name: str = ""


@dataclass
class WorkCalendar:
    """Working days of [first_year, last_year], with names for every special day."""

    hours: OfficeHours = field(default_factory=OfficeHours)
    overrides: Iterable[Override] = ()
    first_year: int = FIRST_YEAR
    last_year: int = LAST_YEAR

    def __post_init__(self) -> None:
        self.overrides = tuple(self.overrides)
        years = range(self.first_year, self.last_year + 1)
        package = holidays.country_holidays("VN", years=years, language="vi")
        self.days_off: dict[dt.date, str] = dict(package.items())
        self.working_weekends: dict[dt.date, str] = {}
        for d in getattr(package, "weekend_workdays", ()):
            if d.year in years:
                swapped = [off for off, name in self.days_off.items() if f"{d:%d/%m/%Y}" in name]
                self.working_weekends[d] = (
                    f"Làm bù cho ngày nghỉ {swapped[0]:%d/%m/%Y}" if swapped else "Ngày làm bù"
                )
        for item in self.overrides:
            if item.kind == OverrideKind.DAY_OFF:
                self.days_off[item.date] = item.name or "Ngày nghỉ"
                self.working_weekends.pop(item.date, None)
            elif item.kind == OverrideKind.REMOVE_DAY_OFF:
                self.days_off.pop(item.date, None)
            elif item.kind == OverrideKind.WORKING_DAY:
                self.days_off.pop(item.date, None)
                if item.date.weekday() in WEEKEND:
                    self.working_weekends[item.date] = item.name or "Ngày làm bù"
        self._start = dt.date(self.first_year, 1, 1).toordinal()
        self._end = dt.date(self.last_year, 12, 31).toordinal()
        n = self._end - self._start + 1
        self._flag = bytearray(n)
        self._rank = array("l", bytes(8 * (n + 1)))  # working days strictly before each ordinal
        self._work = array("l")  # ordinals of the working days, ascending
        count = 0
        for i in range(n):
            self._rank[i] = count
            day = dt.date.fromordinal(self._start + i)
            weekend = day.weekday() in WEEKEND
            working = (day in self.working_weekends) if weekend else (day not in self.days_off)
            if working:
                self._flag[i] = 1
                self._work.append(self._start + i)
                count += 1
        self._rank[n] = count

    # -- days -----------------------------------------------------------------------------
    def _index(self, day: dt.date) -> int:
        o = day.toordinal()
        if not self._start <= o <= self._end:
            raise DomainError(
                "date_out_of_calendar",
                f"Ngày {day:%d/%m/%Y} nằm ngoài phạm vi lịch làm việc ({self.first_year}–{self.last_year}).",
            )
        return o - self._start

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self._flag[self._index(day)])

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (n=0: `day` itself if working, else the next one)."""
        i = self._index(day)
        if n == 0:
            if self._flag[i]:
                return day
            n = 1
        target = self._rank[i + 1] + n - 1
        if target >= len(self._work) or target < 0:
            raise DomainError("date_out_of_calendar",
                              f"Thời hạn vượt ra ngoài phạm vi lịch làm việc ({self.first_year}–{self.last_year}).")
        return dt.date.fromordinal(self._work[target])

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.add_working_days(day, 1)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days after `start` up to `end` inclusive."""
        return self._rank[self._index(end) + 1] - self._rank[self._index(start) + 1]

    def day_name(self, day: dt.date) -> str:
        return self.days_off.get(day) or self.working_weekends.get(day, "")

    def special_days(self, year: int) -> list[tuple[dt.date, str, str]]:
        """Every non-working weekday and every working weekend day of `year`: (date, kind, name)."""
        out = []
        for day, name in self.days_off.items():
            if day.year == year and day.weekday() not in WEEKEND:
                out.append((day, "day_off", name))
        for day, name in self.working_weekends.items():
            if day.year == year:
                out.append((day, "working_weekend", name))
        return sorted(out)

    # -- moments --------------------------------------------------------------------------
    def end_of_day(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.hours.afternoon_end, tzinfo=TZ)

    def effective_receipt_day(self, received_at: dt.datetime) -> dt.date:
        """Received on a non-working day or after the cut-off: counts as the next working day."""
        local = to_local(received_at)
        day = local.date()
        if not self.is_working_day(day) or local.time() > self.hours.cutoff:
            return self.next_working_day(day)
        return day

    def add_working_time(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """`start` plus `seconds` of office time, counted only inside office hours."""
        if seconds < 0:
            raise DomainError("negative_duration", "Thời gian không được âm.")
        local = to_local(start)
        day = local.date()
        pos = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        if not self.is_working_day(day):
            day, pos = self.next_working_day(day), 0
        remaining = seconds
        if remaining == 0:
            return self._moment_in_hours(day, pos)
        remaining, done = self._consume(day, pos, remaining)
        if done is not None:
            return done
        per_day = self.hours.seconds_per_day
        full, rest = divmod(remaining, per_day)
        if rest == 0:
            return self.end_of_day(self.add_working_days(day, int(full)))
        day = self.add_working_days(day, int(full) + 1)
        _, done = self._consume(day, 0, rest)
        return done

    def _consume(self, day: dt.date, pos: float, remaining: float):
        for a, b in self.hours.segments:
            if b <= pos:
                continue
            begin = max(a, pos)
            available = b - begin
            if remaining <= available:
                return 0, _at(day, begin + remaining)
            remaining -= available
        return remaining, None

    def _moment_in_hours(self, day: dt.date, pos: float) -> dt.datetime:
        for a, b in self.hours.segments:
            if pos < b:
                return _at(day, max(a, pos))
        return _at(self.next_working_day(day), self.hours.segments[0][0])

    def working_seconds_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Office time between two moments (negative if b is before a)."""
        if b < a:
            return -self.working_seconds_between(b, a)
        la, lb = to_local(a), to_local(b)
        da, db = la.date(), lb.date()
        pa, pb = _seconds(la), _seconds(lb)
        if da == db:
            return self._office_seconds(da, pa, pb)
        first = self._office_seconds(da, pa, 86400)
        last = self._office_seconds(db, 0, pb)
        middle = self.working_days_between(da, db) - (1 if self.is_working_day(db) else 0)
        return first + last + middle * self.hours.seconds_per_day

    def _office_seconds(self, day: dt.date, p0: float, p1: float) -> float:
        if not self.is_working_day(day):
            return 0.0
        return sum(max(0.0, min(b, p1) - max(a, p0)) for a, b in self.hours.segments)


def to_local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise DomainError("naive_datetime", "Thời điểm phải có múi giờ (ví dụ 2026-02-12T10:00+07:00).")
    return moment.astimezone(TZ)


def _seconds(local: dt.datetime) -> float:
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def _at(day: dt.date, seconds: float) -> dt.datetime:
    base = dt.datetime.combine(day, dt.time(0), tzinfo=TZ)
    return base + dt.timedelta(seconds=seconds)
