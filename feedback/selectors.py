"""The reads behind the feedback pages, already filtered by `policies`."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Agency, User

from . import policies
from .models import Feedback, FeedbackEvent, FeedbackStatus

CLOSED = (FeedbackStatus.REJECTED, FeedbackStatus.PUBLISHED)


def feedback_published_list(*, limit: int = 50) -> list[Feedback]:
    """The answers anybody may read, newest first."""
    return list(Feedback.objects.filter(policies.PUBLIC).select_related("agency").order_by("-published_at")[:limit])


def feedback_sent_by(user: User, *, limit: int = 50) -> list[Feedback]:
    """What a logged-in citizen filed, newest first."""
    if not user.is_authenticated:
        return []
    return list(Feedback.objects.filter(citizen=user).order_by("-submitted_at")[:limit])


def feedback_get_by_code(code: str) -> Feedback | None:
    return Feedback.objects.select_related("agency").filter(code=code).first()


def feedback_queue(user: User, *, done: bool = False, limit: int = 200) -> list[Feedback]:
    """What the user handles: the open ones by answer deadline, or (done) the closed ones, newest first."""
    qs = policies.handling_scope(user, Feedback.objects.select_related("agency", "dossier"))
    qs = (qs.filter(status__in=CLOSED).order_by("-submitted_at") if done
          else qs.exclude(status__in=CLOSED).order_by("answer_due", "id"))
    return list(qs[:limit])


def feedback_for_handling(pk: int) -> Feedback | None:
    return Feedback.objects.select_related("agency", "dossier", "officer").filter(pk=pk).first()


def feedback_get(pk: int) -> Feedback | None:
    return Feedback.objects.filter(pk=pk).first()


def feedback_events(feedback: Feedback) -> list[FeedbackEvent]:
    return list(feedback.events.select_related("actor"))


def forward_targets(feedback: Feedback) -> QuerySet[Agency]:
    """The agencies a feedback may be forwarded to (any other active agency)."""
    return Agency.objects.filter(is_active=True).exclude(pk=feedback.agency_id).order_by("name")


def active_agency(pk: int) -> Agency | None:
    return Agency.objects.filter(pk=pk, is_active=True).first()


def addressable_agency(pk) -> Agency | None:
    """The agency a citizen picked on the form, if it is one they may address."""
    return policies.addressable_agencies().filter(pk=pk).first() if str(pk).isdigit() else None
