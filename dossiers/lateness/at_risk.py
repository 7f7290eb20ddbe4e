"""Reads of the dossiers at risk of missing their appointment (the lateness forecast's people side).

The forecast itself (`Dossier.risk`, `risk_reason`, `risk_at`) is stored by the deadline sweep. This module
says which dossiers are "at risk" and reads them for the worklist's "Có nguy cơ trễ hẹn" queue, the head's page
(`views.at_risk`, beside `workload.py`), the early apology letter (`letters`) and the morning digest
(`digest.py`): an open dossier whose clock is running (not waiting for the citizen, the result not yet at the
desk) with `risk >= FORECAST_RISK_THRESHOLD` (a setting: an operational tuning of the forecast, not a rule of
law), highest risk first.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Agency, User

from .. import policies
from ..models import Dossier
from ..workflow import OPEN, WAITING_FOR_CITIZEN, Status

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


def is_at_risk(dossier: Dossier, now=None) -> bool:
    """At risk of being late: running, the forecast at or above the threshold, and not late already (an overdue
    dossier is in the "Quá hạn" queue: it is late, not at risk of being late)."""
    now = now or timezone.now()
    return (dossier.status in RUNNING and dossier.risk is not None and dossier.risk >= risk_threshold()
            and dossier.due_at is not None and dossier.due_at >= now)


def at_risk_filter(now=None) -> Q:
    """`is_at_risk` as a query condition."""
    return Q(status__in=RUNNING, risk__gte=risk_threshold(), due_at__gte=now or timezone.now())


def at_risk_queryset(agency_ids, now=None) -> QuerySet[Dossier]:
    """The dossiers at risk handled by these agencies, highest risk first (the partial index
    `dossier_hand_open_risk`: handling agency, risk descending, id)."""
    return (Dossier.objects.filter(at_risk_filter(now), handling_agency__in=list(agency_ids))
            .order_by("-risk", "pk"))


def agency_at_risk(agency: Agency, *, limit: int) -> list[Dossier]:
    """The first `limit` dossiers at risk of the agency, with what their rows print."""
    return list(at_risk_queryset([agency.pk]).select_related("procedure_version__procedure", "assignee")[:limit])


def desk_agencies(user: User) -> list[Agency]:
    """The agencies whose at-risk page the user opens (policies.risk_desk_agency_ids), by name."""
    return list(Agency.objects.filter(pk__in=policies.risk_desk_agency_ids(user), is_active=True).order_by("name"))
