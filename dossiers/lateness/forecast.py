"""The risk forecast's arithmetic: pure numpy, no database (the data comes from `risk.py`).

**The duration model.** For every step of the internal process (appraisal, approval, return — the return
step counted up to the moment the result reaches the desk, which is what punctuality judges) the control
sheet gives, per dossier, how many *working hours* the step really took. Durations are divided by the
step's allotment in the dossier's internal process (`InternalStep.hours`; 1.0 = exactly the allotment), so
that procedures with short and long allotments can be pooled when a group is small. A group's distribution
is kept as its quantiles at `PROBS` (p5, p10, p20 … p90, p95), nothing else:

    below p95: the CDF is the straight line through (0, 0), (q5, 0.05), (q10, 0.10) … (q95, 0.95);
    above p95: an exponential tail, S(x) = 0.05 · exp(-λ (x - q95)) with λ = ln 2 / max(q95 - q90,
               (q95 - q50) / 3, 0.05 q95) (the tail halves as fast as the survival halved from p90 to p95,
               or slower when a small sample makes p90 and p95 nearly equal).

**The probability.** For a dossier in step c, having spent t hours in it, with h working hours left until
its appointment, the remaining time is

    R = max(Rc + W, 0) + Σ_j D_j          (j: the steps after c in the procedure's internal process)
    Rc = (D_c | D_c > t) - t               the current step's time still to come, conditioned on survival
    W  = (g - 1) · median(D_c)             the assignee's queue: g = (1 + queue) / (1 + agency's median queue),
                                           clipped to [0.5, 3] — an officer holding twice the usual pile
                                           needs about one more typical step duration

and risk = P(R > h), estimated by Monte Carlo with `SAMPLES` common random numbers (a fixed seed: the same
uniforms for every dossier, so two forecasts of the same dossier agree and the comparisons below hold
sample by sample, not only on average):
- the same dossier later (t grows, h shrinks by as much): risk never falls, because (D_c | D_c > t) is drawn
  as Q(1 - S(t)·(1-u)), non-decreasing in t;
- more hours left: never higher; a heavier queue: never lower (W grows with g).

No history (a new procedure): the step's allotment itself, with the `PRIOR` shape (median 0.6 of the
allotment, lognormal spread σ = 0.5), so a dossier with little time left for long steps is still flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PROBS = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
_P = np.concatenate(([0.0], PROBS))  # the CDF's knots, with (0, 0) first
_MEDIAN = int(np.flatnonzero(PROBS == 0.5)[0])
SAMPLES = 256
SEED = 22_2026
QUEUE_CLIP = (0.5, 3.0)
# The prior without history: ratio quantiles of a lognormal with median 0.6 and sigma 0.5.
_Z = np.array([-1.6449, -1.2816, -0.8416, -0.5244, -0.2533, 0.0, 0.2533, 0.5244, 0.8416, 1.2816, 1.6449])
PRIOR = 0.6 * np.exp(0.5 * _Z)


def group_quantiles(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct key: (keys, counts, quantiles at PROBS shape (g, len(PROBS)), means); linear
    interpolation between order statistics (numpy's default `quantile` method), all groups at once."""
    keys = np.asarray(keys)
    values = np.asarray(values, dtype=np.float64)
    if not len(keys):
        return keys[:0], np.zeros(0, dtype=np.int64), np.zeros((0, len(PROBS))), np.zeros(0)
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    uniq, start, counts = np.unique(k, return_index=True, return_counts=True)
    pos = start[:, None] + PROBS[None, :] * (counts[:, None] - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, (start + counts - 1)[:, None])
    frac = pos - lo
    quantiles = v[lo] + (v[hi] - v[lo]) * frac
    means = np.add.reduceat(v, start) / counts
    return uniq, counts, quantiles, means


@dataclass
class Dists:
    """One distribution per row: the CDF's knots (n, 12): 0, q5 … q95 (strictly increasing) and the tail rate."""

    knots: np.ndarray
    lam: np.ndarray

    @classmethod
    def from_quantiles(cls, quantiles: np.ndarray) -> Dists:
        q = np.maximum(np.asarray(quantiles, dtype=np.float64), 0.0)
        q = np.maximum.accumulate(q, axis=1)
        knots = np.concatenate((np.zeros((len(q), 1)), q), axis=1)
        knots = knots + 1e-6 * np.arange(knots.shape[1])  # strictly increasing, even for zero-length steps
        # the tail's halving distance: p90 to p95, but at least a third of p50 to p95 (a small sample's
        # p90 and p95 can nearly coincide) and 5 % of p95
        gap = np.maximum.reduce([knots[:, -1] - knots[:, -2], (knots[:, -1] - knots[:, _MEDIAN + 1]) / 3,
                                 0.05 * knots[:, -1], np.full(len(knots), 1e-3)])
        return cls(knots=knots, lam=np.log(2.0) / gap)

    @property
    def median(self) -> np.ndarray:
        return self.knots[:, _MEDIAN + 1]

    def log_survival(self, x: np.ndarray) -> np.ndarray:
        """log P(D > x) per row, x shape (n,)."""
        x = np.asarray(x, dtype=np.float64)
        top = self.knots[:, -1]
        rows = np.arange(len(x))
        j = np.clip((self.knots <= x[:, None]).sum(axis=1) - 1, 0, len(_P) - 2)
        x0, x1 = self.knots[rows, j], self.knots[rows, j + 1]
        cdf = _P[j] + (np.clip(x, 0.0, None) - x0) / (x1 - x0) * (_P[j + 1] - _P[j])
        inside = np.log(np.clip(1.0 - cdf, 1e-300, 1.0))
        tail = np.log(0.05) - self.lam * (x - top)
        return np.where(x >= top, tail, np.where(x <= 0, 0.0, inside))

    def from_log_survival(self, log_s: np.ndarray) -> np.ndarray:
        """The x with log P(D > x) = log_s (the inverse CDF), log_s shape (n, K), or (K,): the same
        probabilities for every row (the later steps' common random numbers: one search for all rows)."""
        if log_s.ndim == 1:
            log_s = np.minimum(log_s, 0.0)
            u = 1.0 - np.exp(log_s)
            j = np.clip(np.searchsorted(_P, u, side="right"), 1, len(_P) - 1)
            x0, x1 = self.knots[:, j - 1], self.knots[:, j]
            inside = x0 + ((u - _P[j - 1]) / (_P[j] - _P[j - 1]))[None, :] * (x1 - x0)
            tail = self.knots[:, -1:] + (np.log(0.05) - log_s)[None, :] / self.lam[:, None]
            return np.where((log_s < np.log(0.05))[None, :], tail, inside)
        log_s = np.minimum(log_s, 0.0)
        u = 1.0 - np.exp(log_s)
        j = np.clip(np.searchsorted(_P, u, side="right"), 1, len(_P) - 1)
        x0 = np.take_along_axis(self.knots, j - 1, axis=1)
        x1 = np.take_along_axis(self.knots, j, axis=1)
        inside = x0 + (u - _P[j - 1]) / (_P[j] - _P[j - 1]) * (x1 - x0)
        tail = self.knots[:, -1:] + (np.log(0.05) - log_s) / self.lam[:, None]
        return np.where(log_s < np.log(0.05), tail, inside)


def uniforms(steps: int, samples: int = SAMPLES, seed: int = SEED) -> np.ndarray:
    """The common random numbers: (steps, samples) in (0, 1), the same for every dossier."""
    return np.random.default_rng(seed).random((steps, samples)).clip(1e-12, 1 - 1e-12)


def queue_factor(queue: np.ndarray, usual: np.ndarray) -> np.ndarray:
    """g = (1 + queue) / (1 + the agency's median queue for that step), clipped to QUEUE_CLIP."""
    return np.clip((1.0 + np.asarray(queue, dtype=np.float64)) / (1.0 + np.asarray(usual, dtype=np.float64)),
                   *QUEUE_CLIP)


def risk_many(*, current: Dists, current_scale: np.ndarray, spent: np.ndarray, left: np.ndarray,
              later: list[tuple[Dists, np.ndarray]], factor: np.ndarray | None = None,
              samples: int = SAMPLES, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(remaining working hours > `left`) per dossier, and the expected remaining hours of each step.

    `current`, `current_scale` (allotted hours, so that hours = ratio × scale), `spent` (working hours already
    in the current step), `left` (working hours until the appointment): shape (n,). `later`: one
    (Dists, scale) per following step position; a scale of 0 means the dossier has no such step.
    `factor`: the queue factor g (1 = the usual queue). Returns (risk (n,), expected hours (n, 1 + len(later)),
    typical hours (n, 1 + len(later)): each step's unconditional median, in hours)."""
    n = len(spent)
    factor = np.ones(n) if factor is None else np.asarray(factor, dtype=np.float64)
    scale = np.maximum(np.asarray(current_scale, dtype=np.float64), 1e-9)
    u = uniforms(1 + len(later), samples, seed)
    t = np.maximum(np.asarray(spent, dtype=np.float64), 0.0) / scale
    log_s = current.log_survival(t)[:, None] + np.log1p(-u[0])[None, :]
    remaining = (current.from_log_survival(log_s) - t[:, None]) * scale[:, None]
    shift = ((factor - 1.0) * current.median * scale)[:, None]
    remaining = np.maximum(remaining + shift, 0.0)
    expected = [remaining.mean(axis=1)]
    typical = [current.median * scale]
    total = remaining
    for k, (dists, step_scale) in enumerate(later, start=1):
        step_scale = np.asarray(step_scale, dtype=np.float64)
        draw = dists.from_log_survival(np.log1p(-u[k])) * step_scale[:, None]
        expected.append(draw.mean(axis=1))
        typical.append(dists.median * step_scale)
        total = total + draw
    risk = (total > np.asarray(left, dtype=np.float64)[:, None]).mean(axis=1)
    return risk, np.stack(expected, axis=1), np.stack(typical, axis=1)


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC by ranks (Mann-Whitney U; ties get their average rank). NaN without both classes."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if not positives or not negatives:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(len(scores))
    _, start, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = start + (counts + 1) / 2.0  # 1-based average rank of each tie group
    ranks[order] = np.repeat(average, counts)
    u = ranks[labels].sum() - positives * (positives + 1) / 2.0
    return float(u / (positives * negatives))


def precision_at(scores: np.ndarray, labels: np.ndarray, fraction: float = 0.05) -> float:
    """Share of positives among the top `fraction` by score; a tie across the cut counts with its
    average (the expected precision when ties are broken at random). NaN for no rows."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(bool)
    if not len(scores):
        return float("nan")
    k = max(1, int(np.ceil(fraction * len(scores))))
    threshold = np.sort(scores)[::-1][k - 1]
    above = scores > threshold
    tied = scores == threshold
    taken_tied = k - int(above.sum())
    hits = labels[above].sum() + taken_tied * labels[tied].mean()
    return float(hits / k)
