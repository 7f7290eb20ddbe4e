"""Reads: the satisfaction index per agency / procedure / officer and period, follow-ups to handle."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from accounts import access
from workcalendar.calendar import TZ

from . import policies
from .models import SATISFIED, Answer, Element, FollowUp, FollowUpStatus, Invitation, SurveyResponse

ELEMENT_ORDER = [e.value for e in Element]
GROUPS = {
    "agency": ("agency", "agency__name"),
    "procedure": ("procedure", "procedure__name"),
    "officer": ("officer", "officer__full_name"),
}
INVITATION_KEY = {"agency": ("agency", "agency__name"),
                  "procedure": ("dossier__procedure_version__procedure", "dossier__procedure_version__procedure__name"),
                  "officer": ("officer", "officer__full_name")}


def _span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(start, dt.time.min, tzinfo=TZ),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ))


def percent(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 2) if denominator else None


def satisfaction_index(user, *, group: str, start: dt.date, end: dt.date) -> list[dict]:
    """Per group: answers, satisfied (hài lòng + rất hài lòng), the index with its numerator and
    denominator, invitations and the response rate, and the index per SIPAS element."""
    key, name = GROUPS[group]
    since, until = _span(start, end)
    agencies = access.visible_agency_ids(user)
    responses = SurveyResponse.objects.filter(agency__in=agencies, submitted_at__gte=since, submitted_at__lt=until)
    rows: dict = {}
    for r in responses.values(key, name).annotate(n=Count("id"), ok=Count("id", filter=Q(satisfied=True))).order_by():
        rows[r[key]] = {"key": r[key], "name": r[name], "responses": r["n"], "satisfied": r["ok"], "invitations": 0,
                        "elements": {}}
    ikey, iname = INVITATION_KEY[group]
    for r in (Invitation.objects.filter(agency__in=agencies, created_at__gte=since, created_at__lt=until)
              .values(ikey, iname).annotate(n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
              .order_by()):
        row = rows.setdefault(r[ikey], {"key": r[ikey], "name": r[iname], "responses": 0, "satisfied": 0,
                                        "invitations": 0, "elements": {}})
        row["invitations"], row["answered"] = r["n"], r["answered"]
    for r in (Answer.objects.filter(response__in=responses).values(f"response__{key}", "element")
              .annotate(n=Count("id"), ok=Count("id", filter=Q(value__gte=SATISFIED))).order_by()):
        row = rows.get(r[f"response__{key}"])
        if row is not None:
            row["elements"][r["element"]] = {"n": r["n"], "ok": r["ok"], "index": percent(r["ok"], r["n"])}
    for row in rows.values():
        row["element_list"] = [(label, row["elements"].get(code)) for code, label in Element.choices]
        row["index"] = percent(row["satisfied"], row["responses"])
        row.setdefault("answered", 0)
        row["response_rate"] = percent(row["answered"], row["invitations"])
        row["name"] = row["name"] or "—"
    return sorted(rows.values(), key=lambda r: (r["index"] is None, -(r["index"] or 0), r["name"]))



def follow_ups(user, *, status: str = FollowUpStatus.OPEN):
    """Unhappy answers: for the agency's leaders and the Home Affairs officers over it, never for the
    officer the citizen rated."""
    agencies = policies.follow_up_agency_ids(user)
    qs = FollowUp.objects.all() if agencies is None else FollowUp.objects.filter(agency__in=agencies)
    return (qs.filter(status=status).exclude(response__officer=user)
            .select_related("response__invitation__dossier__procedure_version__procedure", "agency", "assignee")
            .order_by("due_at" if status == FollowUpStatus.OPEN else "-closed_at"))


def follow_up_get(user, pk: int) -> FollowUp | None:
    """One open follow-up the user may handle (see `follow_ups`), or None."""
    return follow_ups(user).filter(pk=pk).first()


def question_list(questionnaire, *, kiosk: bool = False) -> list:
    """The questions of a questionnaire, in order; the desk kiosk asks only those marked for it."""
    return [q for q in questionnaire.questions.all() if q.in_kiosk or not kiosk]


def dossier_rated(dossier) -> bool:
    """The citizen already answered the survey of this dossier (by the link or at the kiosk)."""
    return Invitation.objects.filter(dossier=dossier, answered_at__isnull=False).exists()


def ticket_ratings(ticket_ids: list[int]) -> dict[int, bool]:
    """{queue ticket id: satisfied} for the answers linked to those tickets (the queue statistics' source,
    registered in `SatisfactionConfig.ready()`: queueing sits below and never imports this app)."""
    out: dict[int, bool] = {}
    for start in range(0, len(ticket_ids), 5000):
        out.update(SurveyResponse.objects.filter(ticket_id__in=ticket_ids[start:start + 5000])
                   .values_list("ticket_id", "satisfied"))
    return out
