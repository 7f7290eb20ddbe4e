"""The benchmark commands' summary (core.bench): the p95 they print is the 95th percentile by nearest rank."""

import math

from hypothesis import given
from hypothesis import strategies as st

from core.bench import p95, percentile, summary


def test_p95_is_the_nearest_rank():
    thirty = [float(i) for i in range(1, 31)]
    assert p95(thirty) == 29.0  # 28.5 ranks: the 29th sample (it was the 28th)
    assert p95([float(i) for i in range(1, 16)]) == 15.0  # 15 samples: the largest
    assert p95([5.0, 1.0]) == 5.0  # two samples: the larger, never below the median
    assert p95([float(i) for i in range(1, 201)]) == 190.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert summary([1.0, 2.0, 10.0]) == "median 2.0 ms, p95 10.0 ms (n=3)"


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=300))
def test_at_least_95_percent_of_the_samples_are_at_most_the_p95_and_fewer_are_below_it(samples):
    value = p95(samples)
    assert value in samples
    assert sum(s <= value for s in samples) >= math.ceil(0.95 * len(samples))
    assert sum(s < value for s in samples) < math.ceil(0.95 * len(samples))
