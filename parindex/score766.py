"""The Decision-766 service index: one pure scoring function over a flat dict of aggregated counts,
for one agency and period, following the rules that reproduce the national portal's published scores
(`../shared/reference/qd766.md`):

- r = numerator / denominator from the raw counts; "full at T": max × min(1, r / T); else max × r;
- an empty denominator gives the indicator's fixed value: not applicable (None), 0, or full points;
- every published score is rounded half-up to 2 decimals;
- transparency, digitisation and satisfaction publish each indicator: their group score is the sum
  of the rounded indicators that apply; progress, online and payment publish only the group, whose
  components are summed before rounding;
- total = the sum of the six group scores.

The rules are data (`Indicator` rows of a `Config`), so the dashboard's versioned configurations and
this command share one scoring core.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from . import rules

NOT_APPLICABLE = None
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    max_points: Decimal
    numerator: tuple[str, ...]  # summed
    denominator: str | None  # None: `numerator` is a percentage (0–100) scaled to max_points
    threshold: Decimal | None = None  # full points from this rate
    when_empty: Decimal | None = NOT_APPLICABLE


@dataclass(frozen=True)
class Config:
    version: str
    indicators: tuple[Indicator, ...]
    groups: tuple[str, ...]
    rounded_per_indicator: frozenset[str]  # groups whose score is the sum of rounded indicators

    @cached_property  # read for every agency scored: computed once per configuration
    def inputs(self) -> list[str]:
        keys: list[str] = []
        for ind in self.indicators:
            for key in (*ind.numerator, ind.denominator):
                if key and key not in keys:
                    keys.append(key)
        return keys

    @cached_property
    def rules(self) -> dict[str, dict]:
        """{indicator code: its data rule} (see `rule_of`)."""
        return {ind.code: rule_of(ind) for ind in self.indicators}


def _ind(code, group, points, numerator, denominator, threshold=None, when_empty=NOT_APPLICABLE):
    numerator = (numerator,) if isinstance(numerator, str) else tuple(numerator)
    return Indicator(code, group, Decimal(points), numerator, denominator,
                     Decimal(threshold) if threshold is not None else None,
                     Decimal(when_empty) if when_empty is not None else None)


QD766_2026 = Config(
    version="766-2026",
    groups=("transparency", "progress", "online", "digitization", "satisfaction", "payment"),
    rounded_per_indicator=frozenset({"transparency", "digitization", "satisfaction"}),
    indicators=(
        _ind("PUBLISH_ON_TIME", "transparency", 6, "tthc_published_on_time", "tthc_due_for_publication"),
        _ind("PUBLIC_UPDATE_ON_TIME", "transparency", 4, "tthc_updated_on_time", "tthc_due_for_update"),
        _ind("PUBLIC_CONTENT_FULL", "transparency", 2, "tthc_with_full_content", "tthc_publicly_listed"),
        _ind("DOSSIER_SYNC", "transparency", 6, "dossiers_synced", "dossiers_to_sync"),
        _ind("PROGRESS_ON_TIME", "progress", 20, "dossiers_on_time", "dossiers_received", when_empty=0),
        _ind("ONLINE_TTHC_PROVIDED", "online", 2, ("tthc_online_partial", "tthc_online_full"), "tthc_in_scope",
             threshold="0.8", when_empty=0),
        _ind("ONLINE_SERVICES_WITH_DOSSIERS", "online", 4, "online_services_with_dossiers", "online_services_total",
             when_empty=0),
        _ind("ONLINE_SUBMISSION_SHARE", "online", 6, "dossiers_submitted_online", "dossiers_total_by_channel",
             threshold="0.5", when_empty=0),
        _ind("ORIGINAL_RESULT_AVAILABLE", "digitization", 6, "dossiers_with_e_result", "dossiers_e_result_base"),
        _ind("SO_HOA_GIAY_TO_GIAI_QUYET", "digitization", 4, "dossiers_digitized", "dossiers_digitized_base"),
        _ind("ELECTRONIC_CERTIFIED_COPY", "digitization", 2, "certified_copy_ratio_percent", None),
        _ind("REUSED_DIGITIZED_DATA", "digitization", 2, "dossiers_reusing_data", "dossiers_reusing_data_base",
             threshold="0.8"),
        _ind("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "digitization", 4, "dossiers_linked_personal_storage",
             "dossiers_linked_personal_storage_base"),
        _ind("CITIZEN_DATA_CONNECTED_DOSSIER", "digitization", 2, "dossiers_using_citizen_data",
             "dossiers_using_citizen_data_base"),
        _ind("CITIZEN_DATA_CONNECTED_FORMALITY", "digitization", 2, "tthc_citizen_data_connected",
             "tthc_for_citizens"),
        _ind("PETITION_PROCESSING_ON_TIME", "satisfaction", 6, "petitions_on_time", "petitions_total", when_empty=6),
        _ind("PETITION_HANDLING_SATISFACTION", "satisfaction", 6, "petitions_satisfied", "petitions_received",
             when_empty=6),
        _ind("DOSSIER_RECEIVING_SATISFACTION", "satisfaction", 6, "dossiers_satisfied", "dossiers_handled",
             threshold="0.9", when_empty=0),
        _ind("PAYMENT_DOSSIERS_PAID_ONLINE", "payment", 6, "dossiers_paid_online",
             "dossiers_with_financial_obligation", when_empty=0),
        _ind("PAYMENT_TTHC_WITH_ONLINE_PAYMENT", "payment", 2, "tthc_with_online_payment", "tthc_with_fee",
             threshold="0.8", when_empty=0),
        _ind("PAYMENT_TTHC_FEE_INTEGRATED", "payment", 2, "tthc_fee_integrated", "tthc_with_fee",
             threshold="0.8", when_empty=0),
    ),
)

CONFIGS = {QD766_2026.version: QD766_2026}
DEFAULT_CONFIG = QD766_2026.version


class CountsError(ValueError):
    """Bad input counts; the message (Vietnamese) names every offending key."""


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        if isinstance(value, str):
            try:
                return Decimal(value.strip())
            except ArithmeticError:
                return None
        return None
    if isinstance(value, int):
        return Decimal(value)  # exact, without the round trip through a string
    return Decimal(str(value))


def validate(counts: dict, config: Config = QD766_2026) -> dict[str, Decimal]:
    if not isinstance(counts, dict):
        raise CountsError("Dữ liệu vào phải là một đối tượng JSON phẳng {\"khóa\": số, …}.")
    missing = [k for k in config.inputs if k not in counts or counts[k] is None]
    values = {k: _number(counts[k]) for k in config.inputs if k not in missing}
    not_numbers = [k for k, v in values.items() if v is None or not v.is_finite()]
    negative = [k for k, v in values.items() if v is not None and v.is_finite() and v < 0]
    over = [k for k in ("certified_copy_ratio_percent",) if k in values and values[k] is not None
            and values[k].is_finite() and values[k] > 100]
    problems = []
    if missing:
        problems.append("thiếu số liệu: " + ", ".join(missing))
    if not_numbers:
        problems.append("không phải là số: " + ", ".join(not_numbers))
    if negative:
        problems.append("số âm: " + ", ".join(negative))
    if over:
        problems.append("tỷ lệ phần trăm vượt 100: " + ", ".join(over))
    if problems:
        raise CountsError("Số liệu không hợp lệ — " + "; ".join(problems) + ".")
    return values


def rule_of(ind: Indicator) -> dict:
    """The indicator as a data rule of parindex.rules (the same rules the configurable indices use)."""
    if ind.denominator is None:
        return {"kind": "percent"}
    if ind.threshold is not None:
        return {"kind": "threshold", "full_at": ind.threshold, "when_empty": ind.when_empty}
    return {"kind": "linear", "when_empty": ind.when_empty}


def indicator_points(ind: Indicator, values: dict[str, Decimal], config: Config | None = None) -> Decimal | None:
    """Unrounded points of one indicator (None: not applicable)."""
    numerator = sum((values[k] for k in ind.numerator), Decimal(0))
    denominator = values[ind.denominator] if ind.denominator else None
    rule = config.rules[ind.code] if config is not None else rule_of(ind)
    return rules.points(rule, ind.max_points, numerator, denominator)


def score(counts: dict, config: Config = QD766_2026) -> dict:
    """{"indicators": {code: points or None}, "groups": {group: points}, "total": points} (floats, 2 d.p.)."""
    values = validate(counts, config)
    raw = {ind.code: indicator_points(ind, values, config) for ind in config.indicators}
    groups: dict[str, Decimal] = {}
    for group in config.groups:
        members = [ind for ind in config.indicators if ind.group == group]
        if group in config.rounded_per_indicator:
            groups[group] = sum((round_half_up(raw[i.code]) for i in members if raw[i.code] is not None),
                                Decimal(0))
        else:
            groups[group] = round_half_up(sum((raw[i.code] for i in members if raw[i.code] is not None),
                                              Decimal(0)))
    total = round_half_up(sum(groups.values(), Decimal(0)))
    return {
        "indicators": {code: None if value is None else float(round_half_up(value)) for code, value in raw.items()},
        "groups": {group: float(round_half_up(value)) for group, value in groups.items()},
        "total": float(total),
    }
