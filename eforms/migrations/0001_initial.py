from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AdministrativeUnit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=12, unique=True, verbose_name="mã")),
                ("name", models.CharField(max_length=150, verbose_name="tên")),
                ("level", models.CharField(choices=[("province", "Tỉnh, thành phố"), ("commune", "Xã, phường, đặc khu")],
                                           max_length=10, verbose_name="cấp")),
                ("is_active", models.BooleanField(default=True, verbose_name="đang sử dụng")),
                ("parent", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                             related_name="children", to="eforms.administrativeunit",
                                             verbose_name="thuộc tỉnh")),
            ],
            options={"verbose_name": "đơn vị hành chính", "verbose_name_plural": "đơn vị hành chính",
                     "ordering": ["level", "name"],
                     "constraints": [models.CheckConstraint(
                         condition=models.Q(("level", "province"), ("parent__isnull", True))
                         | models.Q(("level", "commune"), ("parent__isnull", False)),
                         name="eforms_unit_tiers")]},
        ),
    ]
