"""The province PAR configuration gets two criteria computed from the portal's data under area 3
(procedure reform), as the scoring guides do for data-measured items; the rest of the area stays
self-assessed. The bands are the common provincial practice (100% → full, 90–<100% → half) and are
data: an administrator copies the version and edits them when the MOHA guide says otherwise."""

from decimal import Decimal

from django.db import migrations


def add(apps, schema_editor):
    IndexConfig = apps.get_model("parindex", "IndexConfig")
    Criterion = apps.get_model("parindex", "Criterion")
    config = IndexConfig.objects.filter(code="par-tinh", version="qd2948").first()
    if config is None:
        return
    area = Criterion.objects.filter(config=config, code="LV3").first()
    if area is None or Criterion.objects.filter(parent=area).exists():
        return
    area.method, area.rule = "sum", {"kind": "sum"}
    area.save()
    Criterion.objects.create(config=config, parent=area, code="LV3.TD", order=1, max_points=Decimal("12.50"),
                             name="Các tiêu chí cải cách TTHC tự đánh giá (có tài liệu kiểm chứng)",
                             method="self_assessed", rule={"kind": "given"})
    Criterion.objects.create(config=config, parent=area, code="LV3.DH", order=2, max_points=Decimal("1.00"),
                             name="Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", method="computed",
                             metric="on_time_rate", rule={"kind": "bands", "bands": [[1.0, 1.0], [0.9, 0.5]],
                                                          "when_empty": 1})
    Criterion.objects.create(config=config, parent=area, code="LV3.TT", order=3, max_points=Decimal("1.00"),
                             name="Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến", method="computed",
                             metric="online_share", rule={"kind": "threshold", "full_at": 0.5, "when_empty": 0})


class Migration(migrations.Migration):
    dependencies = [("parindex", "0004_external_results")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
