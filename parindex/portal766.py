"""The portal's own Decision-766 view: the period's metric snapshots mapped onto the score766 input
keys, scored by the same core as `manage.py score766`. Inputs the portal cannot measure (publication of
procedures on the national database, online-service coverage, population-data links, certified copies,
fees integrated on the national portal) are entered as zero and their indicators flagged "no data"."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ConfigStatus, Criterion, IndexConfig, IndexKind
from .score766 import QD766_2026, indicator_points, round_half_up, validate
from .scoring import config_766

MEASURED = {
    "dossiers_synced", "dossiers_to_sync", "dossiers_received", "dossiers_on_time", "dossiers_submitted_online",
    "dossiers_total_by_channel", "dossiers_with_e_result", "dossiers_e_result_base", "dossiers_digitized",
    "dossiers_digitized_base", "dossiers_reusing_data", "dossiers_reusing_data_base", "dossiers_satisfied",
    "dossiers_handled", "petitions_on_time", "petitions_total", "petitions_satisfied", "petitions_received",
    "dossiers_paid_online", "dossiers_with_financial_obligation", "tthc_with_online_payment",
}


def counts_from_metrics(values: dict[str, tuple[int, int | None]]) -> dict[str, int]:
    def num(m):
        return values.get(m, (0, None))[0]

    def den(m):
        return values.get(m, (0, None))[1] or 0

    counts = dict.fromkeys(QD766_2026.inputs, 0)
    counts.update({
        "dossiers_synced": num("synced"), "dossiers_to_sync": den("synced"),
        # the national portal's counting rules (one supplement request ends processing, more than one is late)
        "dossiers_received": den("progress_766"), "dossiers_on_time": num("progress_766"),
        "dossiers_submitted_online": num("received_online_766"), "dossiers_total_by_channel": num("received"),
        "dossiers_with_e_result": num("e_result"), "dossiers_e_result_base": den("e_result"),
        "dossiers_digitized": num("digitized"), "dossiers_digitized_base": den("digitized"),
        "dossiers_reusing_data": num("reusing_data"), "dossiers_reusing_data_base": den("reusing_data"),
        "dossiers_satisfied": num("dossiers_satisfied"), "dossiers_handled": den("dossiers_satisfied"),
        "petitions_on_time": num("petitions_on_time"), "petitions_total": den("petitions_on_time"),
        "petitions_satisfied": num("petitions_satisfied"), "petitions_received": den("petitions_satisfied"),
        "dossiers_paid_online": num("paid_online"), "dossiers_with_financial_obligation": den("paid_online"),
        "tthc_with_online_payment": num("procedures_paid_online"),
    })
    return counts


GROUP_NAMES = {"transparency": _("Công khai, minh bạch"), "progress": _("Tiến độ giải quyết"),
               "online": _("Dịch vụ công trực tuyến"), "digitization": _("Số hóa hồ sơ"),
               "satisfaction": _("Mức độ hài lòng"), "payment": _("Thanh toán trực tuyến")}


def names() -> dict[str, str]:
    """Indicator and group names from the stored 766 configuration (falls back to the codes)."""
    return {**GROUP_NAMES, **dict(Criterion.objects.filter(config__code="qd766", config__version=QD766_2026.version)
                                  .values_list("code", "name"))}


def config_for(month=None):
    """The published Decision-766 configuration in force at `month` (an administrator's edited copy once
    published), else the built-in one."""
    qs = IndexConfig.objects.filter(kind=IndexKind.QD766, status=ConfigStatus.PUBLISHED)
    if month is not None:
        qs = qs.filter(effective_from__lte=month).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=month))
    stored = qs.order_by("-effective_from", "-id").first()
    return config_766(stored) if stored is not None else QD766_2026


def configs_for(months) -> dict:
    """{month: the configuration in force} for many months, with one read of the published configurations and
    each distinct one converted once (an agency page scores every month of its period)."""
    stored = list(IndexConfig.objects.filter(kind=IndexKind.QD766, status=ConfigStatus.PUBLISHED)
                  .order_by("-effective_from", "-id"))
    converted: dict[int, object] = {}
    out = {}
    for month in months:
        match = next((c for c in stored if c.effective_from <= month
                      and (c.effective_to is None or c.effective_to >= month)), None)
        if match is None:
            out[month] = QD766_2026
            continue
        if match.pk not in converted:
            converted[match.pk] = config_766(match)
        out[month] = converted[match.pk]
    return out


_PLANS: dict[int, tuple] = {}


def _measured(config) -> dict[str, bool]:
    """{indicator code: whether the portal measures every input of it}, worked out once per configuration (the
    ranking scores every agency twice with the same one). Keyed on the object, not its hash: hashing a frozen
    configuration walks all its indicators, a tenth of a score's time."""
    plan = _PLANS.get(id(config))
    if plan is None or plan[0] is not config:
        plan = (config, {ind.code: ({*ind.numerator, ind.denominator} - {None}) <= MEASURED
                         for ind in config.indicators})
        if len(_PLANS) > 64:  # configurations converted from stored ones come and go
            _PLANS.clear()
        _PLANS[id(config)] = plan
    return plan[1]


def _points(ind, counts, config, measured: bool) -> float | None:
    """An indicator's points as the dashboards show them (rounded half up to 2 places), None if not measured or
    not applicable."""
    value = indicator_points(ind, counts, config) if measured else None
    return None if value is None else float(round_half_up(value))


def _add(group: dict, points: float | None, max_points: float) -> None:
    """A measured indicator's points into its group's: the group's points and the maximum they could give."""
    if points is not None:
        group["points"] = round(group["points"] + points, 2)
        group["max"] += max_points


def portal_score(values: dict[str, tuple[int, int | None]], config=None) -> dict:
    """Per indicator: points (or None: not applicable), max, and whether the portal measures it; per group
    and in total: the points over the measured indicators and the maximum they could give."""
    config = config or QD766_2026
    counts = validate(counts_from_metrics(values), config)
    indicators, groups = [], {}
    is_measured = _measured(config)
    for ind in config.indicators:
        measured = is_measured[ind.code]
        row = {"code": ind.code, "group": ind.group, "max": float(ind.max_points), "measured": measured,
               "points": _points(ind, counts, config, measured),
               "numerator": sum(counts[k] for k in ind.numerator),
               "denominator": counts[ind.denominator] if ind.denominator else None}
        row["gap"] = round(row["max"] - row["points"], 2) if row["points"] is not None else None
        indicators.append(row)
        _add(groups.setdefault(ind.group, {"points": 0.0, "max": 0.0}), row["points"], row["max"])
    total = round(sum(g["points"] for g in groups.values()), 2)
    measured_max = sum(g["max"] for g in groups.values())
    gaps = sorted((r for r in indicators if r["gap"]), key=lambda r: -r["gap"])
    return {"indicators": indicators, "groups": groups, "total": total, "max": measured_max, "gaps": gaps[:5]}


def portal_total(values: dict[str, tuple[int, int | None]], config=None) -> tuple[float, float]:
    """(total, max) of `portal_score`, the same numbers, without the per-indicator rows nobody reads: the
    ranking scores every agency of the province twice (a custom period's first request, issue #21)."""
    config = config or QD766_2026
    counts = validate(counts_from_metrics(values), config)
    is_measured = _measured(config)
    groups: dict[str, dict] = {}
    for ind in config.indicators:
        group = groups.setdefault(ind.group, {"points": 0.0, "max": 0.0})
        if is_measured[ind.code]:
            _add(group, _points(ind, counts, config, True), float(ind.max_points))
    return round(sum(g["points"] for g in groups.values()), 2), sum(g["max"] for g in groups.values())
