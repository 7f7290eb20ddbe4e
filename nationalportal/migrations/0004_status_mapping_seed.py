"""The national portal's status list (TrangThaiHoSo of the dossier-sync specification provincial systems
implement: 1 new … 10 result returned) against this portal's statuses. Data: the administrator edits a row
when the integration platform changes its list."""

from django.db import migrations

ROWS = [
    ("submitted", "1", "Mới đăng ký"),
    ("received", "2", "Được tiếp nhận"),
    ("refused_at_reception", "3", "Không được tiếp nhận"),
    ("in_appraisal", "4", "Đang xử lý"),
    ("consulting", "4", "Đang xử lý"),
    ("awaiting_approval", "4", "Đang xử lý"),
    ("approved", "4", "Đang xử lý"),
    ("guided", "5", "Yêu cầu bổ sung giấy tờ"),
    ("supplement_requested", "5", "Yêu cầu bổ sung giấy tờ"),
    ("withdrawn", "7", "Công dân yêu cầu rút hồ sơ"),
    ("stopped", "8", "Dừng xử lý"),
    ("refused", "9", "Đã xử lý xong"),
    ("result_ready", "9", "Đã xử lý xong"),
    ("returned", "10", "Đã trả kết quả"),
]


def seed(apps, schema_editor):
    StatusMapping = apps.get_model("nationalportal", "StatusMapping")
    for status, code, label in ROWS:
        StatusMapping.objects.update_or_create(status=status, defaults={"national_status": code,
                                                                        "national_label": label})


def unseed(apps, schema_editor):
    apps.get_model("nationalportal", "StatusMapping").objects.filter(status__in=[r[0] for r in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("nationalportal", "0003_intake")]
    operations = [migrations.RunPython(seed, unseed)]
