"""What the Decision-766 satisfaction group counts of citizen feedback (read by satisfaction.stats):

- petitions_total / petitions_on_time: feedback first received in the period, and those handled on time or
  still pending within their deadlines at the cutoff;
- petitions_received / petitions_satisfied: the same feedback, less those disliked (more dislikes than likes)
  or handled late;
- a dossier "with a feedback about it" does not count as a satisfied dossier.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef

from .models import Feedback
from .services import on_time

FIELDS = ("petitions_total", "petitions_on_time", "petitions_received", "petitions_satisfied")


def petition_counts(start: dt.datetime, end: dt.datetime, cutoff: dt.datetime,
                    agencies=None) -> dict[int, dict[str, int]]:
    """{agency id: the four petition counts} for the feedback submitted in [start, end) (to `agencies` only, if
    given)."""
    rows: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    items = Feedback.objects.all() if agencies is None else Feedback.objects.filter(agency_id__in=agencies)
    for item in items.filter(submitted_at__gte=start, submitted_at__lt=end).only(
            "agency_id", "status", "late", "accept_due", "answer_due", "publish_due", "likes", "dislikes"):
        counts = rows[item.agency_id]
        good = on_time(item, cutoff)
        counts["petitions_total"] += 1
        counts["petitions_on_time"] += good
        counts["petitions_received"] += 1
        counts["petitions_satisfied"] += good and not item.disliked
    return dict(rows)


def dossier_has_feedback(dossier_ref: str = "pk") -> Exists:
    """For a dossier queryset: whether some feedback is about the dossier (OuterRef `dossier_ref`)."""
    return Exists(Feedback.objects.filter(dossier=OuterRef(dossier_ref)))
