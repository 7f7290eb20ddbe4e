"""Scoring rules as data: a criterion's `rule` is a small JSON object, never a code branch.

Kinds (points never exceed `max_points` except where the formula itself says so):
- {"kind": "linear"}: max × rate;
- {"kind": "threshold", "full_at": 0.8}: min(max, max × rate / full_at);
- {"kind": "bands", "bands": [[1.0, 1.0], [0.9, 0.5]]}: the first band whose lower bound the rate
  reaches gives that share of max (else 0): e.g. 100% → full, 90–<100% → half, below → 0;
- {"kind": "percent"}: max × value / 100 (the input is already a percentage);
- {"kind": "sum"}: the sum of the children's points (weights optional: {"weights": {"A": 0.5}});
- {"kind": "given"}: points entered by people (self-assessment, appraisal, survey import), capped at max.
Every kind takes "when_empty": the points when the denominator is 0 — a number (e.g. full points when a
unit received no feedback) or null for "not applicable".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

KINDS = ("linear", "threshold", "bands", "percent", "sum", "given")


class RuleError(ValueError):
    pass


def check_rule(rule: dict) -> None:
    """Refuse a malformed rule with a Vietnamese message (used by the admin and the loaders)."""
    if not isinstance(rule, dict) or rule.get("kind") not in KINDS:
        raise RuleError("Quy tắc tính điểm phải có “kind” là một trong: " + ", ".join(KINDS) + ".")
    kind = rule["kind"]
    if kind == "threshold":
        full_at = rule.get("full_at")
        if not isinstance(full_at, (int, float)) or not 0 < full_at <= 1:
            raise RuleError("Quy tắc “threshold” cần “full_at” trong khoảng (0, 1].")
    if kind == "bands":
        bands = rule.get("bands")
        if not isinstance(bands, list) or not bands or not all(
                isinstance(b, list) and len(b) == 2 and all(isinstance(x, (int, float)) for x in b) and 0 <= b[1] <= 1
                for b in bands):
            raise RuleError("Quy tắc “bands” cần danh sách [ngưỡng tỷ lệ, phần điểm 0–1].")
    when_empty = rule.get("when_empty", None)
    if when_empty is not None and (not isinstance(when_empty, (int, float)) or when_empty < 0):
        raise RuleError("“when_empty” phải là số điểm ≥ 0 hoặc null.")


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def points(rule: dict, max_points, numerator=None, denominator=None, *, children: dict | None = None,
           given=None) -> Decimal | None:
    """Unrounded points of one criterion (None: not applicable)."""
    max_points = _d(max_points)
    kind = rule.get("kind", "linear")
    if kind == "sum":
        weights = rule.get("weights") or {}
        values = [(code, v) for code, v in (children or {}).items() if v is not None]
        if not values:
            return None
        return sum((_d(weights.get(code, 1)) * v for code, v in values), Decimal(0))
    if kind == "given":
        return None if given is None else min(max_points, max(Decimal(0), _d(given)))
    if kind == "percent":
        return None if numerator is None else max_points * _d(numerator) / Decimal(100)
    if denominator is None or _d(denominator) == 0:
        empty = rule.get("when_empty", None)
        return None if empty is None else _d(empty)
    rate = _d(numerator) / _d(denominator)
    if kind == "linear":
        return max_points * rate
    if kind == "threshold":
        return max_points * min(Decimal(1), rate / _d(rule["full_at"]))
    if kind == "bands":
        for lower, share in sorted(rule["bands"], key=lambda b: -b[0]):
            if rate >= _d(lower):
                return max_points * _d(share)
        return Decimal(0)
    raise RuleError(f"Không biết quy tắc {kind!r}.")


def round2(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
