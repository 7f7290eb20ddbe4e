from django.db import migrations

GROUPS = [
    ("nguoi-cao-tuoi", "Người cao tuổi", 1, "Xuất trình giấy tờ có ngày sinh khi được gọi."),
    ("nguoi-khuyet-tat", "Người khuyết tật", 1, "Giấy xác nhận khuyết tật, nếu khuyết tật không nhìn thấy được."),
    ("phu-nu-mang-thai", "Phụ nữ mang thai", 1, ""),
    ("nguoi-co-cong", "Người có công với cách mạng", 1, "Giấy chứng nhận người có công."),
    ("tre-em-nho", "Người đi cùng trẻ em dưới 6 tuổi", 2, ""),
]


def seed(apps, schema_editor):
    PriorityGroup = apps.get_model("queueing", "PriorityGroup")
    for code, name, rank, note in GROUPS:
        PriorityGroup.objects.get_or_create(code=code, defaults={"name": name, "rank": rank, "note": note})


class Migration(migrations.Migration):
    dependencies = [("queueing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
