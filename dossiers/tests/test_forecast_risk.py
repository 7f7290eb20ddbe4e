"""The probability of missing the appointment (pure numpy): the survival-conditioned current step, its
monotonic behaviour, the queue factor, and the rank measures of the backtest."""

import numpy as np
import pytest

from dossiers.lateness import forecast

# ratio quantiles (duration / allotment) at forecast.PROBS
FAST = np.quantile(np.random.default_rng(1).lognormal(np.log(0.5), 0.3, 5000), forecast.PROBS)
SLOW = np.quantile(np.random.default_rng(2).lognormal(np.log(1.4), 0.6, 5000), forecast.PROBS)


def _risk(quantiles, *, spent, left, scale=12.0, later=(), factor=None):
    n = len(spent)
    current = forecast.Dists.from_quantiles(np.tile(quantiles, (n, 1)))
    steps = [(forecast.Dists.from_quantiles(np.tile(q, (n, 1))), np.full(n, s)) for q, s in later]
    return forecast.risk_many(current=current, current_scale=np.full(n, scale), spent=np.asarray(spent, float),
                              left=np.asarray(left, float), later=steps,
                              factor=None if factor is None else np.asarray(factor, float))


def test_the_inverse_cdf_inverts_the_survival_function():
    dists = forecast.Dists.from_quantiles(np.tile(SLOW, (7, 1)))
    x = np.array([0.01, 0.3, 0.9, 1.4, 2.5, SLOW[-1] + 0.5, 12.0])
    back = dists.from_log_survival(dists.log_survival(x)[:, None])[:, 0]
    assert back == pytest.approx(x, rel=1e-6)
    # the stored quantiles are reproduced
    grid = dists.from_log_survival(np.log(1 - forecast.PROBS)[None, :].repeat(7, axis=0))
    assert grid[0] == pytest.approx(SLOW, rel=1e-4)


def test_the_same_dossier_later_in_a_slow_step_is_more_at_risk():
    # 24 working hours between the step's start and the appointment; time passes, nothing moves
    spent = np.arange(0, 24, 2.0)
    risk, _, _ = _risk(SLOW, spent=spent, left=24 - spent, later=[(FAST, 4.0)])
    assert np.all(np.diff(risk) >= 0)
    assert risk[-1] > risk[0] + 0.3


def test_a_slow_step_is_riskier_than_a_fast_one_and_time_left_lowers_risk():
    slow, _, _ = _risk(SLOW, spent=[4.0], left=[12.0])
    fast, _, _ = _risk(FAST, spent=[4.0], left=[12.0])
    assert slow[0] > fast[0]
    left = np.array([2, 4, 8, 12, 16, 24, 40, 80.0])
    risk, _, _ = _risk(SLOW, spent=np.full(8, 6.0), left=left)
    assert np.all(np.diff(risk) <= 0) and risk[0] > 0.9 and risk[-1] < 0.05


def test_a_heavier_queue_is_never_less_risky():
    queue = np.array([0, 1, 2, 4, 8, 16, 40.0])
    factor = forecast.queue_factor(queue, np.full(7, 4.0))
    assert factor[0] == 0.5 and factor[-1] == 3.0 and factor[3] == pytest.approx(1.0)
    risk, _, _ = _risk(SLOW, spent=np.full(7, 5.0), left=np.full(7, 14.0), factor=factor)
    assert np.all(np.diff(risk) >= 0) and risk[-1] > risk[3] > risk[0]


def test_the_expected_hours_name_the_step_that_costs_most():
    risk, expected, typical = _risk(FAST, spent=[1.0], left=[30.0], later=[(SLOW, 20.0), (FAST, 2.0)])
    assert expected[0].argmax() == 1  # the long later step, not the short current one
    assert typical[0, 1] == pytest.approx(20.0 * np.interp(0.5, forecast.PROBS, SLOW), rel=1e-3)
    assert 0 < risk[0] < 1
    # a missing later step (scale 0) adds nothing
    alone, _, _ = _risk(FAST, spent=[1.0], left=[30.0], later=[(SLOW, 0.0)])
    assert alone[0] <= risk[0]


def test_forecasts_are_reproducible():
    a, _, _ = _risk(SLOW, spent=[3.0, 9.0], left=[10.0, 10.0])
    b, _, _ = _risk(SLOW, spent=[3.0, 9.0], left=[10.0, 10.0])
    assert a.tolist() == b.tolist()


def test_roc_auc_by_ranks():
    assert forecast.roc_auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert forecast.roc_auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert forecast.roc_auc([1, 1, 1, 1], [0, 1, 0, 1]) == 0.5
    assert np.isnan(forecast.roc_auc([0.3, 0.4], [1, 1]))
    rng = np.random.default_rng(5)
    scores = rng.integers(0, 6, 300).astype(float)  # many ties
    labels = rng.random(300) < 0.3
    pos, neg = scores[labels], scores[~labels]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert forecast.roc_auc(scores, labels) == pytest.approx(pairs)


def test_precision_at_the_top_counts_ties_by_their_average():
    scores = np.arange(100, dtype=float)
    labels = np.zeros(100, dtype=bool)
    labels[[99, 98, 97, 10]] = True
    assert forecast.precision_at(scores, labels, 0.05) == pytest.approx(3 / 5)
    binary = np.r_[np.ones(10), np.zeros(90)]  # the due-soon rule: 10 tied at the top
    hits = np.zeros(100, dtype=bool)
    hits[:4] = True
    assert forecast.precision_at(binary, hits, 0.05) == pytest.approx(0.4)


def test_group_quantiles_match_numpy():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 5, 1000)
    values = rng.exponential(2.0, 1000)
    uniq, counts, quantiles, means = forecast.group_quantiles(keys, values)
    for k, n, q, m in zip(uniq, counts, quantiles, means, strict=True):
        mine = values[keys == k]
        assert n == len(mine) and m == pytest.approx(mine.mean())
        assert q == pytest.approx(np.quantile(mine, forecast.PROBS))
