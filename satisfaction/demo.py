"""Demo survey answers and feedback, made through the real services after the demo dossiers (which
already created an invitation for every returned dossier). Runs once."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.models import Agency, User
from core.errors import DomainError

from . import feedback, services
from .models import Feedback, Invitation, SurveyResponse

HAPPY_COMMENTS = ["", "", "", "Cán bộ hướng dẫn tận tình.", "Trả kết quả sớm hơn hẹn, rất hài lòng."]
UNHAPPY_COMMENTS = ["", "Thời gian chờ hơi lâu.", "Nên có thêm chỗ ngồi chờ.", "Phải đi lại nhiều lần mới xong."]


def seed(context: dict) -> None:
    if SurveyResponse.objects.exists() or Feedback.objects.exists():
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
    pleiku = Agency.objects.filter(code="H21.65").first()
    citizen = User.objects.filter(email="binh.tran@example.com").first()
    head = pleiku.head if pleiku else None
    if pleiku and citizen and head:
        item = feedback.feedback_submit(
            actor=citizen, topic="regulation", title="Đề nghị bỏ yêu cầu nộp bản sao sổ hộ khẩu",
            content="Thủ tục đăng ký tạm trú vẫn yêu cầu bản sao giấy tờ đã có trong Cơ sở dữ liệu quốc gia về dân cư.",
            agency=pleiku, at=now - dt.timedelta(days=12))
        feedback.feedback_accept(feedback=item, actor=head, classification="rules", at=now - dt.timedelta(days=11))
        feedback.feedback_answer(feedback=item, actor=head, at=now - dt.timedelta(days=5),
                                 answer="Phường đã bỏ yêu cầu nộp bản sao; cán bộ tra cứu trực tiếp trên CSDL dân cư.")
        feedback.feedback_publish(feedback=item, actor=head, at=now - dt.timedelta(days=4))
        feedback.feedback_submit(
            actor=None, topic="conduct", harassment=True, title="Cán bộ gợi ý nộp thêm tiền để nhanh",
            content="Khi nộp hồ sơ tại quầy, một cán bộ gợi ý đưa thêm tiền để được giải quyết sớm.",
            agency=pleiku, name="Người dân (ẩn danh)", phone="0905123456", at=now - dt.timedelta(days=1))
        feedback.feedback_submit(
            actor=citizen, topic="regulation", title="Giờ tiếp nhận buổi chiều",
            content="Đề nghị bộ phận một cửa tiếp nhận hồ sơ đến 17 giờ thay vì 16 giờ 30.", agency=pleiku, at=now)
    context["survey_answers"] = answered
