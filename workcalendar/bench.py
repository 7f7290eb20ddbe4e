"""Benchmark: 1,000,000 due dates, ours (per row and due_many) vs numpy.busday_offset vs holidays.

    python -m workcalendar.bench [--n 1000000] [--holidays-n 1000000] [--seed 1]

Generated data: receipt moments spread over 2025–2026 at random minutes of the day (so some are
after the 15:00 cut-off or on holidays) and time limits of 0–30 working days. All three compute
the same thing — the N-th working day after the effective receipt day — on the same holidays;
numpy cannot express make-up working Saturdays (a fixed weekmask), so its answers differ on the
few dates a make-up day touches; the mismatch count is printed. `due_many` (workcalendar.bulk) is
timed on the raw receipt instants as datetime64 (it applies the cut-off itself) and, separately,
on the Python datetimes; its rows must all equal `due()`. No database is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import holidays
import numpy as np

from .bulk import as_datetimes, due_many
from .calendar import TZ, WorkCalendar
from .deadlines import due
from .units import DurationUnit


def generate(n: int, seed: int) -> list[tuple[dt.datetime, int]]:
    rng = random.Random(seed)
    start = dt.datetime(2025, 1, 1, tzinfo=TZ)
    span = 730 * 24 * 60
    return [(start + dt.timedelta(minutes=rng.randrange(span)), rng.randrange(31)) for _ in range(n)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--holidays-n", type=int, default=None, help="rows for holidays' own method (default: --n)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    cal = WorkCalendar()
    build = time.perf_counter() - t0
    rows = generate(args.n, args.seed)
    print(f"calendar build (2000–2060 tables): {build * 1000:.0f} ms; rows: {len(rows):,}")

    t0 = time.perf_counter()
    ours = [due(cal, at, n, DurationUnit.WORKING_DAYS) for at, n in rows]
    t_ours = time.perf_counter() - t0
    print(f"ours, full due() per row (cut-off, effective day, end of office hours): {len(rows) / t_ours:,.0f} dates/s "
          f"({t_ours:.2f} s)")

    # Same inputs for the other two: the effective receipt day and N (computing it is not timed).
    eff = [cal.effective_receipt_day(at) for at, _ in rows]
    amounts = [n for _, n in rows]

    t0 = time.perf_counter()
    core = [cal.add_working_days(d, n) for d, n in zip(eff, amounts, strict=True)]
    t_core = time.perf_counter() - t0
    print(f"ours, N-th working day only (table lookup): {len(rows) / t_core:,.0f} dates/s ({t_core:.2f} s)")

    holidays_np = np.array(sorted(d for d in cal.days_off if d.weekday() < 5), dtype="datetime64[D]")
    eff_np = np.array(eff, dtype="datetime64[D]")
    n_np = np.array(amounts)
    t0 = time.perf_counter()
    out_np = np.busday_offset(eff_np, n_np, roll="forward", weekmask="1111100", holidays=holidays_np)
    t_np = time.perf_counter() - t0
    print(f"numpy.busday_offset (vectorised C): {len(rows) / t_np:,.0f} dates/s ({t_np:.3f} s)")

    # due_many gets the raw receipt instants (UTC datetime64, converting them is not timed) and the amounts.
    at_np = np.array([at.astimezone(dt.UTC).replace(tzinfo=None) for at, _ in rows], dtype="datetime64[us]")
    t0 = time.perf_counter()
    due_many(cal, at_np[:1], n_np[:1])  # once per process: checks the zone's UTC offset over 2000–2060
    print(f"due_many first call (zone offset check, once per process, not timed below): "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    t0 = time.perf_counter()
    many = due_many(cal, at_np, n_np)
    t_many = time.perf_counter() - t0
    print(f"ours, due_many (numpy; cut-off, effective day, end of office hours): {len(rows) / t_many:,.0f} dates/s "
          f"({t_many:.3f} s)")
    t0 = time.perf_counter()
    due_many(cal, [at for at, _ in rows], amounts)
    t_many_py = time.perf_counter() - t0
    print(f"ours, due_many from Python datetimes and ints (conversion included): {len(rows) / t_many_py:,.0f} dates/s "
          f"({t_many_py:.3f} s)")

    hn = args.holidays_n or args.n
    package = holidays.country_holidays("VN", years=range(2024, 2029))
    t0 = time.perf_counter()
    out_h = [package.get_nth_working_day(d, n) if n else d for d, n in zip(eff[:hn], amounts[:hn], strict=True)]
    t_h = time.perf_counter() - t0
    print(f"holidays get_nth_working_day: {hn / t_h:,.0f} dates/s ({t_h:.2f} s for {hn:,} rows)")

    ours_days = np.array([d.date() for d in ours], dtype="datetime64[D]")
    core_np = np.array(core, dtype="datetime64[D]")
    print(f"ours due() vs table lookup mismatches: {int((ours_days != core_np).sum())}")
    print(f"numpy mismatches (make-up Saturdays it cannot model): {int((core_np != out_np).sum())}")
    many_mismatches = sum(1 for a, b in zip(ours, as_datetimes(many), strict=True) if a != b)
    print(f"due_many vs due() mismatches: {many_mismatches}")
    print(f"holidays mismatches: {sum(1 for a, b in zip(core[:hn], out_h, strict=True) if a != b)}")
    per_h, per_ours, per_core = t_h / hn, t_ours / len(rows), t_core / len(rows)
    print(f"ratios: numpy is {t_ours / t_np:.1f}x faster than our due(); our due() is {per_h / per_ours:.1f}x and our "
          f"table lookup {per_h / per_core:.1f}x faster than holidays")
    print(f"ratios: due_many takes {t_many / t_np:.2f}x the time of numpy.busday_offset "
          f"({t_many_py / t_np:.2f}x from Python datetimes) and is {t_ours / t_many:.1f}x faster than our due()")


if __name__ == "__main__":
    main()
