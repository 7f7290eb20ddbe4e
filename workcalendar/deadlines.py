"""Deadline arithmetic: pure functions over a WorkCalendar (no ORM in the hot path).

Legal readings (../shared/reference/legal.md §3):
- working days (Civil Code Art. 147–148, Decree 61/2018 Art. 18): the day of receipt is not
  counted; received on a non-working day or after the cut-off (15:00) counts as received on the
  next working day; due at the end of office hours of the N-th working day after that day;
  0 = the same (effective) day;
- calendar days: the first day is not counted; a period ending on a non-working day ends at the
  end of the next working day;
- working hours: counted from the exact moment, inside office hours only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from core.errors import DomainError

from .calendar import WorkCalendar, to_local
from .units import ClockPolicy, DurationUnit

UNITS = frozenset(DurationUnit.values)


def _check(amount, unit: str) -> None:
    if unit not in UNITS:
        raise DomainError("invalid_unit", f"Đơn vị thời hạn không hợp lệ: {unit!r} (dùng {', '.join(sorted(UNITS))}).")
    if amount is None or isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        raise DomainError("invalid_amount", "Thời hạn phải là một số.")
    if amount < 0:
        raise DomainError("negative_amount", "Thời hạn không được âm.")
    if unit != DurationUnit.WORKING_HOURS and int(amount) != amount:
        raise DomainError("fractional_days", "Thời hạn tính bằng ngày phải là số nguyên; hãy dùng giờ làm việc.")


def due(cal: WorkCalendar, received_at: dt.datetime, amount: int | float | Decimal, unit: str) -> dt.datetime:
    """The due instant of a time limit of `amount` `unit` for a dossier received at `received_at`."""
    _check(amount, unit)
    if unit == DurationUnit.WORKING_DAYS:
        day = cal.effective_receipt_day(received_at)
        return cal.end_of_day(cal.add_working_days(day, int(amount)))
    if unit == DurationUnit.DAYS:
        day = cal.effective_receipt_day(received_at)
        last = day + dt.timedelta(days=int(amount))
        if not cal.is_working_day(last):
            last = cal.next_working_day(last)
        return cal.end_of_day(last)
    return cal.add_working_time(received_at, float(amount) * 3600)


def explain(cal: WorkCalendar, received_at: dt.datetime, amount, unit: str) -> str:
    """One line in Vietnamese: the effective receipt day and the non-working days skipped."""
    result = due(cal, received_at, amount, unit)
    local = to_local(received_at)
    if unit == DurationUnit.WORKING_HOURS:
        start = local.date()
        head = f"Tính {amount} giờ làm việc từ {local:%H:%M %d/%m/%Y}, chỉ trong giờ hành chính"
    else:
        start = cal.effective_receipt_day(received_at)
        if start == local.date():
            why = "trong giờ nhận hồ sơ"
        elif not cal.is_working_day(local.date()):
            why = "nhận vào ngày nghỉ, tính từ ngày làm việc tiếp theo"
        else:
            why = f"nhận sau {cal.hours.cutoff:%H:%M}, tính từ ngày làm việc tiếp theo"
        counting = "giải quyết trong ngày" if amount == 0 else "ngày nhận không tính"
        head = f"Ngày nhận hợp lệ: {start:%d/%m/%Y} ({why}); {counting}"
    skipped = []
    day = local.date() + dt.timedelta(days=1)
    while day <= result.date():
        if not cal.is_working_day(day) and day.weekday() < 5:
            skipped.append(f"{day:%d/%m} {cal.day_name(day)}")
        day += dt.timedelta(days=1)
    worked = [f"{d:%d/%m}" for d in sorted(cal.working_weekends) if local.date() < d <= result.date()]
    tail = "; bỏ qua ngày nghỉ: " + ", ".join(skipped) if skipped else "; không có ngày lễ trong khoảng này"
    if worked:
        tail += "; có ngày làm bù: " + ", ".join(worked)
    return head + tail + "."


def working_time_between(cal: WorkCalendar, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Office time elapsed between two moments (for "how long did this step take")."""
    return dt.timedelta(seconds=cal.working_seconds_between(a, b))


class Punctuality:
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


def punctuality(finished_at: dt.datetime, due_at: dt.datetime) -> str:
    """Circular 01/2018 Art. 13: shorter = early, equal (the due day) = on time, longer = late."""
    if finished_at > due_at:
        return Punctuality.LATE
    if to_local(finished_at).date() == to_local(due_at).date():
        return Punctuality.ON_TIME
    return Punctuality.EARLY


def check_extension(cal: WorkCalendar, current_due: dt.datetime, proposed: dt.datetime | dt.date) -> dt.datetime:
    """A new appointment proposed by the agency: after the current due date, on a working day.

    Returns it as an instant (a date means the end of office hours of that day). At most one
    re-appointment per dossier is enforced by the dossier service, not here.
    """
    if isinstance(proposed, dt.datetime):
        moment = proposed
        day = to_local(proposed).date()
    else:
        day = proposed
        moment = None
    if not cal.is_working_day(day):
        raise DomainError("extension_not_working_day",
                          f"Ngày hẹn mới {day:%d/%m/%Y} không phải ngày làm việc ({cal.day_name(day) or 'cuối tuần'}).")
    moment = moment or cal.end_of_day(day)
    if moment <= current_due:
        raise DomainError("extension_not_later",
                          f"Ngày hẹn mới phải sau ngày hẹn hiện tại ({to_local(current_due):%H:%M %d/%m/%Y}).")
    return moment


def propose_new_due(cal: WorkCalendar, now: dt.datetime, current_due: dt.datetime,
                    needed_seconds: float) -> dt.datetime:
    """The new appointment an apology letter proposes: the work still needed (the remaining
    internal-step allotments, in office seconds) counted from now, rounded up to the end of that
    working day, and never earlier than the end of the first working day after both now and the
    current appointment (the law allows one re-appointment, so it must be a real one)."""
    if needed_seconds < 0:
        raise DomainError("invalid_duration", "Thời gian còn cần không được âm.")
    finish = to_local(cal.add_working_time(now, needed_seconds))
    day = finish.date()
    if not cal.is_working_day(day):
        day = cal.next_working_day(day)
    floor_day = cal.next_working_day(to_local(max(now, current_due)).date())
    return cal.end_of_day(max(day, floor_day))


# -- the clock over a dossier's timeline (supplements, extensions) ----------------------------

class ClockEventKind:
    RECEIVED = "received"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    EXTENDED = "extended"


@dataclass(frozen=True)
class ClockEvent:
    kind: str
    at: dt.datetime
    new_due: dt.datetime | None = None  # for EXTENDED


@dataclass
class ClockState:
    due_at: dt.datetime | None  # None while the clock is stopped (waiting for a supplement)
    original_due_at: dt.datetime | None
    stopped: bool = False
    waited: dt.timedelta = dt.timedelta(0)  # office time spent waiting for supplements
    history: list[tuple[str, dt.datetime | None]] = field(default_factory=list)


def clock(
    cal: WorkCalendar, events: Iterable[ClockEvent], amount, unit: str, policy: str = ClockPolicy.RESTART,
) -> ClockState:
    """Fold a dossier's timeline into its current due date.

    - `restart` (Decree 61/2018 Art. 19(4)): the whole limit counts again from the moment the
      complete supplement is received;
    - `pause`: the office time between the request and the supplement does not count; the time
      that was left on the clock at the request continues from the supplement (rounded up to the
      end of that working day for day units).
    """
    _check(amount, unit)
    if policy not in ClockPolicy.values:
        raise DomainError("invalid_policy", f"Cách tính thời hạn khi bổ sung không hợp lệ: {policy!r}.")
    ordered: Sequence[ClockEvent] = sorted(events, key=lambda e: e.at)
    state = ClockState(due_at=None, original_due_at=None)
    remaining = 0.0
    requested_at: dt.datetime | None = None
    for event in ordered:
        if event.kind == ClockEventKind.RECEIVED:
            state.due_at = state.original_due_at = due(cal, event.at, amount, unit)
            state.stopped = False
        elif state.due_at is None and not state.stopped:
            raise DomainError("clock_not_started", "Hồ sơ chưa được tiếp nhận nên chưa tính thời hạn.")
        elif event.kind == ClockEventKind.SUPPLEMENT_REQUESTED:
            if state.stopped:
                continue  # a second request while waiting changes nothing
            remaining = max(0.0, cal.working_seconds_between(event.at, state.due_at))
            requested_at = event.at
            state.due_at, state.stopped = None, True
        elif event.kind == ClockEventKind.SUPPLEMENT_RECEIVED:
            if not state.stopped:
                continue
            state.waited += working_time_between(cal, requested_at, event.at)
            if policy == ClockPolicy.RESTART:
                state.due_at = due(cal, event.at, amount, unit)
            else:
                resumed = cal.add_working_time(event.at, remaining)
                if unit != DurationUnit.WORKING_HOURS:
                    day = to_local(resumed).date()
                    resumed = cal.end_of_day(day if cal.is_working_day(day) else cal.next_working_day(day))
                state.due_at = resumed
            state.stopped = False
        elif event.kind == ClockEventKind.EXTENDED:
            if event.new_due is None or state.due_at is None:
                raise DomainError("invalid_extension", "Gia hạn phải có ngày hẹn mới và hồ sơ đang tính thời hạn.")
            state.due_at = check_extension(cal, state.due_at, event.new_due)
        else:
            raise DomainError("unknown_clock_event", f"Sự kiện không xác định: {event.kind!r}.")
        state.history.append((event.kind, state.due_at))
    return state
