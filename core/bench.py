"""Timing helpers shared by the benchmark commands (bench_worklist, bench_dashboard)."""

from __future__ import annotations

import math
import statistics
import time


def timed(fn) -> float:
    """Milliseconds one call of `fn` takes."""
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def percentile(samples: list[float], q: float) -> float:
    """The q-th quantile (0 < q ≤ 1) by nearest rank: the smallest sample that at least q of the samples do not
    exceed. The 95th percentile of 30 samples is the 29th, of 15 or fewer the largest."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)]


def p95(samples: list[float]) -> float:
    return percentile(samples, 0.95)


def summary(samples: list[float]) -> str:
    p95_ = p95(samples)
    return f"median {statistics.median(samples):.1f} ms, p95 {p95_:.1f} ms (n={len(samples)})"
