"""The monthly status-sync counts move from two columns of dossiers.MonthlyAgencyStats to their own
table here; the rows that counted something are copied over (dossiers 0014 then drops the columns)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def copy_counts(apps, schema_editor):
    Old = apps.get_model("dossiers", "MonthlyAgencyStats")
    New = apps.get_model("nationalportal", "MonthlySyncStats")
    db = schema_editor.connection.alias
    rows = (Old.objects.using(db).filter(Q(dossiers_to_sync__gt=0) | Q(dossiers_synced__gt=0))
            .values_list("agency_id", "month", "dossiers_to_sync", "dossiers_synced", "computed_at"))
    New.objects.using(db).bulk_create(
        [New(agency_id=agency_id, month=month, dossiers_to_sync=to_sync, dossiers_synced=synced, computed_at=at)
         for agency_id, month, to_sync, synced, at in rows.iterator()], batch_size=1000)


def copy_counts_back(apps, schema_editor):
    Old = apps.get_model("dossiers", "MonthlyAgencyStats")
    New = apps.get_model("nationalportal", "MonthlySyncStats")
    db = schema_editor.connection.alias
    for row in New.objects.using(db).iterator():
        Old.objects.using(db).update_or_create(
            agency_id=row.agency_id, month=row.month,
            defaults={"dossiers_to_sync": row.dossiers_to_sync, "dossiers_synced": row.dossiers_synced},
            create_defaults={"dossiers_to_sync": row.dossiers_to_sync, "dossiers_synced": row.dossiers_synced,
                             "computed_at": row.computed_at})


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_office_hours_defaults_from_settings'),
        ('dossiers', '0013_idempotency_key'),
        ('nationalportal', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthlySyncStats',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='Ngày đầu tháng.', verbose_name='tháng')),
                ('dossiers_to_sync', models.PositiveIntegerField(default=0, verbose_name='hồ sơ cần đồng bộ')),
                ('dossiers_synced', models.PositiveIntegerField(default=0, verbose_name='hồ sơ đã đồng bộ kịp thời')),
                ('computed_at', models.DateTimeField(verbose_name='tính lúc')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_stats', to='accounts.agency')),
            ],
            options={
                'verbose_name': 'số liệu đồng bộ tháng của cơ quan',
                'verbose_name_plural': 'số liệu đồng bộ tháng của cơ quan',
                'ordering': ['-month', 'agency'],
                'constraints': [models.UniqueConstraint(fields=('agency', 'month'), name='sync_stats_unique')],
            },
        ),
        migrations.RunPython(copy_counts, copy_counts_back),
    ]
