"""The portal's own Decision-766 view: the period's metric snapshots mapped onto the score766 input
keys, scored by the same core as `manage.py score766`. Inputs the portal cannot measure (publication of
procedures on the national database, online-service coverage, population-data links, certified copies,
fees integrated on the national portal) are entered as zero and their indicators flagged "no data"."""

from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=16)
def _measured(config) -> dict[str, bool]:
    """{indicator code: whether the portal measures every input of it} (once per configuration: the ranking scores
    every agency twice with the same one)."""
    return {ind.code: ({*ind.numerator, ind.denominator} - {None}) <= MEASURED for ind in config.indicators}


def portal_score(values: dict[str, tuple[int, int | None]], config=None) -> dict:
    """Per indicator: points (or None: not applicable), max, and whether the portal measures it; per group
    and in total: the points over the measured indicators and the maximum they could give."""
    config = config or QD766_2026
    counts = validate(counts_from_metrics(values), config)
    indicators, groups = [], {}
    is_measured = _measured(config)
    for ind in config.indicators:
        measured = is_measured[ind.code]
        value = indicator_points(ind, counts, config) if measured else None
        row = {"code": ind.code, "group": ind.group, "max": float(ind.max_points), "measured": measured,
               "points": None if value is None else float(round_half_up(value)),
               "numerator": sum(counts[k] for k in ind.numerator),
               "denominator": counts[ind.denominator] if ind.denominator else None}
        row["gap"] = round(row["max"] - row["points"], 2) if row["points"] is not None else None
        indicators.append(row)
        group = groups.setdefault(ind.group, {"points": 0.0, "max": 0.0})
        if row["points"] is not None:
            group["points"] = round(group["points"] + row["points"], 2)
            group["max"] += row["max"]
    total = round(sum(g["points"] for g in groups.values()), 2)
    measured_max = sum(g["max"] for g in groups.values())
    gaps = sorted((r for r in indicators if r["gap"]), key=lambda r: -r["gap"])
    return {"indicators": indicators, "groups": groups, "total": total, "max": measured_max, "gaps": gaps[:5]}
