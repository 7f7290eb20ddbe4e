"""The Decision-766 satisfaction-group inputs per agency and month (qd766.md), stored in
MonthlySatisfactionStats for the index dashboards:

- petitions_total / petitions_on_time: feedback first received in the month, and those handled on
  time or still pending within their deadlines at the end of the month (now, for this month);
- petitions_received / petitions_satisfied: the same feedback, less those disliked (more dislikes
  than likes) or handled late (counted by feedback.stats: satisfaction sits above feedback, which
  never reads surveys);
- dossiers_handled / dossiers_satisfied: dossiers whose result reached the desk in the month, less
  those rated unsatisfied, with a feedback about them, or resolved late;
- invitations, responses, responses_satisfied: the survey in the month (response rate, SIPAS-style index),
  with the desk the survey rates: the one that received the dossier (satisfaction.services.invitation_create;
  Decree 118/2025, a dossier received at one desk for another competent agency).

`dossiers_handled` / `dossiers_satisfied` stay with the competent agency (`handling_agency`): they judge
the handling (on time, no complaint about the dossier).
Re-running gives identical rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dossiers.models import LATE_VALUES, Dossier
from dossiers.stats import _bounds, only, store_months
from feedback.stats import dossier_has_feedback, petition_counts

from .models import Invitation, MonthlySatisfactionStats, SurveyResponse

FIELDS = ("invitations", "responses", "responses_satisfied", "petitions_total", "petitions_on_time",
          "petitions_received", "petitions_satisfied", "dossiers_handled", "dossiers_satisfied")


def compute_month(month: dt.date, *, now: dt.datetime | None = None, agencies=None) -> dict[int, dict[str, int]]:
    """{agency_id: {field: count}} for one month (with `agencies`, those agencies' rows only)."""
    now = now or timezone.now()
    start, end = _bounds(month)
    cutoff = min(end, now)
    rows: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for r in (only(Invitation.objects, "agency", agencies).filter(created_at__gte=start, created_at__lt=end)
              .values("agency")
              .annotate(n=Count("id")).order_by()):
        rows[r["agency"]]["invitations"] = r["n"]
    for r in (only(SurveyResponse.objects, "agency", agencies).filter(submitted_at__gte=start, submitted_at__lt=end)
              .values("agency")
              .annotate(n=Count("id"), ok=Count("id", filter=Q(satisfied=True))).order_by()):
        rows[r["agency"]]["responses"], rows[r["agency"]]["responses_satisfied"] = r["n"], r["ok"]
    # the feedback (petitions) part
    for agency_id, counts in petition_counts(start, end, cutoff, agencies=agencies).items():
        rows[agency_id].update(counts)
    # An unhappy answer counts against the agency the survey rated: for a dossier received at another desk
    # the survey rates that desk (satisfaction.services), not the competent agency.
    unhappy = SurveyResponse.objects.filter(invitation__dossier=OuterRef("pk"), satisfied=False,
                                            invitation__agency=OuterRef("handling_agency"))
    handled = (only(Dossier.objects, "handling_agency", agencies).filter(resolved_at__gte=start, resolved_at__lt=end)
               .annotate(unhappy=Exists(unhappy), complained=dossier_has_feedback()))
    for r in handled.values("handling_agency").annotate(
            n=Count("id"), bad=Count("id", filter=Q(unhappy=True) | Q(complained=True)
                                     | Q(punctuality__in=LATE_VALUES))).order_by():
        rows[r["handling_agency"]]["dossiers_handled"] = r["n"]
        rows[r["handling_agency"]]["dossiers_satisfied"] = r["n"] - r["bad"]
    return dict(rows)


@transaction.atomic
def monthly_satisfaction_refresh(*, first: dt.date, last: dt.date, now: dt.datetime | None = None,
                                 agencies=None) -> int:
    return store_months(MonthlySatisfactionStats, FIELDS, compute_month, first=first, last=last, now=now,
                        agencies=agencies)
