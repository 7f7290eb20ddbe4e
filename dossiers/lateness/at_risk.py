"""Reads of the dossiers at risk of missing their appointment (the lateness forecast's people side).

The forecast itself (`Dossier.risk`, `risk_reason`, `risk_at`) is stored by the deadline sweep. This module
reads it for the worklist's "Có nguy cơ trễ hẹn" queue, the head's page (`views.at_risk`) and the morning
digest (`digest.py`):

- "at risk": an open dossier whose clock is running (not waiting for the citizen, the result not yet at the
  desk) with `risk >= FORECAST_RISK_THRESHOLD` (a setting: an operational tuning of the forecast, not a rule
  of law), highest risk first;
- the workload of each appraiser of an agency: the open dossiers assigned to them in the appraisal step and
  the working hours still allotted to that step on them (the procedure's internal steps, `InternalStep`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from accounts.models import Agency, User
from procedures.models import ChannelOption
from workcalendar.selectors import calendar_for

from .. import policies
from ..models import Dossier
from ..workflow import OPEN, WAITING_FOR_CITIZEN, Status, Step
from .letters import allotments

# The clock is running (as for the sweep's classes): a dossier waiting for the citizen is not at risk of
# being late, and a result waiting at the desk is finished for punctuality.
RUNNING = frozenset(OPEN - WAITING_FOR_CITIZEN - {Status.RESULT_READY})


def risk_threshold() -> float:
    """FORECAST_RISK_THRESHOLD, checked: a probability in (0, 1]."""
    value = getattr(settings, "FORECAST_RISK_THRESHOLD", 0.5)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ImproperlyConfigured("FORECAST_RISK_THRESHOLD phải là một xác suất trong khoảng (0, 1], ví dụ 0.5.")
    return float(value)


def digest_limit() -> int:
    """FORECAST_DIGEST_LIMIT, checked: how many dossiers per agency the morning digest lists."""
    value = getattr(settings, "FORECAST_DIGEST_LIMIT", 20)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 500:
        raise ImproperlyConfigured("FORECAST_DIGEST_LIMIT phải là số nguyên từ 1 đến 500.")
    return value


def risk_percent(risk: float | None) -> int | None:
    """0.734 -> 73 (what the pages and the digest print, with a % sign)."""
    return None if risk is None else round(risk * 100)


def is_at_risk(dossier: Dossier) -> bool:
    return dossier.status in RUNNING and dossier.risk is not None and dossier.risk >= risk_threshold()


def at_risk_queryset(agency_ids) -> QuerySet[Dossier]:
    """The dossiers at risk handled by these agencies, highest risk first (the partial index
    `dossier_hand_open_risk`: handling agency, risk descending, id)."""
    return (Dossier.objects.filter(handling_agency__in=list(agency_ids), status__in=RUNNING,
                                   risk__gte=risk_threshold()).order_by("-risk", "pk"))


def agency_at_risk(agency: Agency, *, limit: int) -> list[Dossier]:
    """The first `limit` dossiers at risk of the agency, with what their rows print."""
    return list(at_risk_queryset([agency.pk]).select_related("procedure_version__procedure", "assignee")[:limit])


def desk_agencies(user: User) -> list[Agency]:
    """The agencies whose at-risk page the user opens (policies.risk_desk_agency_ids), by name."""
    return list(Agency.objects.filter(pk__in=policies.risk_desk_agency_ids(user), is_active=True).order_by("name"))


# -- the workload of the appraisers -----------------------------------------------------------------

@dataclass
class Load:
    """One appraiser's work in the appraisal step of an agency's open dossiers."""

    user: User
    count: int = 0  # dossiers assigned to them in the appraisal step
    hours: float = 0.0  # working hours still allotted to that step on them (0 for a step past its deadline)
    late: int = 0  # of those, dossiers whose appraisal step is past its deadline
    dossiers: list[int] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        """Least loaded first: fewest dossiers held, then fewest hours still allotted, then by name."""
        return (self.count, self.hours, self.user.full_name, self.user.pk)


def appraiser_workload(agency: Agency, *, now: dt.datetime) -> list[Load]:
    """Every active appraiser of the agency with what they hold, least loaded first. Three queries and one
    calendar, whatever the number of dossiers (the allotments are read once per procedure channel)."""
    appraisers = list(policies.agency_appraisers(agency.pk))
    loads = {u.pk: Load(user=u) for u in appraisers}
    rows = list(Dossier.objects.filter(handling_agency=agency, assignee__in=list(loads), step=Step.APPRAISAL,
                                       status__in=OPEN).values_list("pk", "assignee_id", "step_due_at",
                                                                    "procedure_version_id", "channel"))
    needed = {(version, channel) for _pk, _user, due, version, channel in rows if due is None}
    options = {}
    if needed:
        for option in ChannelOption.objects.filter(version_id__in={v for v, _c in needed}).prefetch_related("steps"):
            options[(option.version_id, option.channel)] = allotments(option)[Step.APPRAISAL]
    cal = calendar_for(agency)
    for pk, user_id, step_due_at, version_id, channel in rows:
        load = loads[user_id]
        load.count += 1
        load.dossiers.append(pk)
        if step_due_at is None:
            seconds = options.get((version_id, channel), 0.0)
        else:
            seconds = max(0.0, cal.working_seconds_between(now, step_due_at))
            load.late += step_due_at <= now
        load.hours += seconds / 3600
    for load in loads.values():
        load.hours = round(load.hours, 1)
    return sorted(loads.values(), key=lambda x: x.sort_key)
