"""Demo citizen feedback, made through the real services: one answered and published, one harassment
report and one just received (Pleiku). Runs once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Agency, User

from . import services
from .models import Feedback


def seed(context: dict) -> None:
    if Feedback.objects.exists():
        return
    now = timezone.now()
    pleiku = Agency.objects.filter(code="H21.65").first()
    citizen = User.objects.filter(email="binh.tran@example.com").first()
    head = pleiku.head if pleiku else None
    if pleiku and citizen and head:
        item = services.feedback_submit(
            actor=citizen, topic="regulation", title="Đề nghị bỏ yêu cầu nộp bản sao sổ hộ khẩu",
            content="Thủ tục đăng ký tạm trú vẫn yêu cầu bản sao giấy tờ đã có trong Cơ sở dữ liệu quốc gia về dân cư.",
            agency=pleiku, at=now - dt.timedelta(days=12))
        services.feedback_accept(feedback=item, actor=head, classification="rules", at=now - dt.timedelta(days=11))
        services.feedback_answer(feedback=item, actor=head, at=now - dt.timedelta(days=5),
                                 answer="Phường đã bỏ yêu cầu nộp bản sao; cán bộ tra cứu trực tiếp trên CSDL dân cư.")
        services.feedback_publish(feedback=item, actor=head, at=now - dt.timedelta(days=4))
        services.feedback_submit(
            actor=None, topic="conduct", harassment=True, title="Cán bộ gợi ý nộp thêm tiền để nhanh",
            content="Khi nộp hồ sơ tại quầy, một cán bộ gợi ý đưa thêm tiền để được giải quyết sớm.",
            agency=pleiku, name="Người dân (ẩn danh)", phone="0905123456", at=now - dt.timedelta(days=1))
        services.feedback_submit(
            actor=citizen, topic="regulation", title="Giờ tiếp nhận buổi chiều",
            content="Đề nghị bộ phận một cửa tiếp nhận hồ sơ đến 17 giờ thay vì 16 giờ 30.", agency=pleiku, at=now)
