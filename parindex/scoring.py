"""Scoring an index configuration (a tree of criteria stored as data) for one agency and period.

Leaves are scored by their rule: computed criteria from the period's metrics (a stored metric pair or a
dashboard rate), self-assessed and survey criteria from the points people entered (appraised points win
over the self-score). Inner nodes add their children. Every score is rounded half-up to 2 decimals.
"""

from __future__ import annotations

from decimal import Decimal

from . import rules
from .metrics import RATES, rate
from .models import Criterion, IndexConfig, Method
from .score766 import Config, Indicator


def _pair(criterion: Criterion, values) -> tuple[int | None, int | None]:
    code = criterion.metric
    if code in RATES:
        return rate(values, code)
    num, den = values.get(code, (None, None))
    return num, den


def evaluate(config: IndexConfig, *, values=None, given: dict[str, Decimal | float] | None = None
             ) -> dict[str, Decimal | None]:
    """{criterion code: points (2 d.p.) or None}, plus "__total__"."""
    values, given = values or {}, given or {}
    criteria = list(config.criteria.all())
    children: dict[int | None, list[Criterion]] = {}
    for c in criteria:
        children.setdefault(c.parent_id, []).append(c)
    out: dict[str, Decimal | None] = {}

    def visit(c: Criterion) -> Decimal | None:
        kids = children.get(c.pk, [])
        if kids or c.method == Method.SUM:
            scored = {k.code: visit(k) for k in kids}
            value = rules.points(c.rule or {"kind": "sum"}, c.max_points, children=scored)
        elif c.method == Method.COMPUTED:
            num, den = _pair(c, values)
            value = rules.points(c.rule or {"kind": "linear"}, c.max_points, num, den)
        else:
            value = rules.points({"kind": "given"}, c.max_points, given=given.get(c.code))
        out[c.code] = rules.round2(value)
        return out[c.code]

    roots = children.get(None, [])
    total = [visit(c) for c in roots]
    out["__total__"] = sum((v for v in total if v is not None), Decimal(0))
    return out


def config_766(config: IndexConfig) -> Config:
    """A Decision-766 configuration stored as data, in the shape the scoring core reads. A leaf's
    `metric` is "numerator[+numerator…]/denominator" over the score766 input keys (or one key for a
    percentage); its rule gives the threshold and the value when the denominator is empty."""
    indicators, groups = [], []
    rounded = set()
    criteria = list(config.criteria.order_by("order", "id"))  # one read: the groups, then each group's leaves
    children: dict[int, list] = {}
    for criterion in criteria:
        if criterion.parent_id is not None:
            children.setdefault(criterion.parent_id, []).append(criterion)
    for group in (c for c in criteria if c.parent_id is None):
        groups.append(group.code)
        if (group.rule or {}).get("round") == "per_indicator":
            rounded.add(group.code)
        for leaf in children.get(group.pk, []):
            numerator, _, denominator = leaf.metric.partition("/")
            rule = leaf.rule or {}
            empty = rule.get("when_empty")
            indicators.append(Indicator(
                leaf.code, group.code, leaf.max_points, tuple(numerator.split("+")), denominator or None,
                Decimal(str(rule["full_at"])) if rule.get("kind") == "threshold" else None,
                Decimal(str(empty)) if empty is not None else None))
    return Config(version=config.version, indicators=tuple(indicators), groups=tuple(groups),
                  rounded_per_indicator=frozenset(rounded))
