"""Timing helpers shared by the benchmark commands (bench_worklist, bench_dashboard)."""

from __future__ import annotations

import statistics
import time


def timed(fn) -> float:
    """Milliseconds one call of `fn` takes."""
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def summary(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return f"median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms (n={len(samples)})"
