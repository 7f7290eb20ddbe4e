"""Demo survey answers, made through the real services after the demo dossiers (which already created an
invitation for every returned dossier). Runs once."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from core.errors import DomainError

from . import services
from .models import Invitation, SurveyResponse

HAPPY_COMMENTS = ["", "", "", "Cán bộ hướng dẫn tận tình.", "Trả kết quả sớm hơn hẹn, rất hài lòng."]
UNHAPPY_COMMENTS = ["", "Thời gian chờ hơi lâu.", "Nên có thêm chỗ ngồi chờ.", "Phải đi lại nhiều lần mới xong."]


def seed(context: dict) -> None:
    if SurveyResponse.objects.exists():
        return
    rng = random.Random(766)
    now = timezone.now()
    answered = 0
    for invitation in Invitation.objects.filter(answered_at__isnull=True).select_related("dossier").order_by("pk"):
        if rng.random() > 0.6:
            continue
        mood = rng.choices([5, 4, 3, 2], [45, 35, 14, 6])[0]
        values = {e: max(1, min(5, mood + rng.choice([-1, 0, 0, 1]))) for e in
                  ("access", "procedure", "officer", "result", "feedback")}
        values["overall"] = mood
        when = min(now, invitation.created_at + dt.timedelta(hours=rng.randint(1, 72)))
        try:
            services.response_submit(invitation=invitation, values=values, at=when,
                                     comment=rng.choice(HAPPY_COMMENTS if mood >= 4 else UNHAPPY_COMMENTS))
        except DomainError:
            continue
        answered += 1
    context["survey_answers"] = answered
