"""The default questionnaire (version 1): SIPAS's five elements and an overall question, five levels."""

from django.db import migrations
from django.utils import timezone

QUESTIONS = [
    ("access", "Việc tiếp cận dịch vụ (tìm thông tin, nơi nộp, cách nộp hồ sơ)", False),
    ("procedure", "Thủ tục hành chính (giấy tờ phải nộp, thời hạn, phí, lệ phí)", False),
    ("officer", "Thái độ, năng lực của công chức tiếp nhận và giải quyết hồ sơ", True),
    ("result", "Kết quả nhận được (đúng, đủ, đúng hẹn)", False),
    ("feedback", "Việc tiếp nhận, trả lời góp ý, phản ánh, kiến nghị", False),
    ("overall", "Nhìn chung, Ông/Bà hài lòng với việc giải quyết hồ sơ này ở mức nào?", True),
]


def create(apps, schema_editor):
    Questionnaire = apps.get_model("satisfaction", "Questionnaire")
    Question = apps.get_model("satisfaction", "Question")
    if Questionnaire.objects.exists():
        return
    q = Questionnaire.objects.create(version=1, title="Phiếu đánh giá mức độ hài lòng", status="published",
                                     published_at=timezone.now())
    Question.objects.bulk_create([Question(questionnaire=q, order=i, element=e, text=t, in_kiosk=k)
                                  for i, (e, t, k) in enumerate(QUESTIONS, start=1)])


class Migration(migrations.Migration):
    dependencies = [("satisfaction", "0001_surveys")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
