"""SyncItem moves here from dossiers without touching its table: the model keeps db_table
"dossiers_syncitem", its indexes and constraints. This migration only adds it to nationalportal's
state (dossiers 0014 removes it from dossiers' state) and moves its content type, so that the admin's
permissions and history of sync items stay attached to it."""

import django.db.models.deletion
from django.db import migrations, models


def _move_content_type(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=target, model="syncitem").exists():
        types.filter(app_label=source, model="syncitem").update(app_label=target)


def content_type_forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "dossiers", "nationalportal")


def content_type_backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "nationalportal", "dossiers")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('dossiers', '0013_idempotency_key'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SyncItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Chờ đồng bộ'), ('sent', 'Đã đồng bộ'), ('failed', 'Đồng bộ lỗi')], default='pending', max_length=8, verbose_name='trạng thái')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='số lần gửi')),
                        ('created_at', models.DateTimeField(verbose_name='tạo lúc')),
                        ('next_attempt_at', models.DateTimeField(verbose_name='gửi lại lúc')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='đã gửi lúc')),
                        ('last_error', models.CharField(blank=True, max_length=500, verbose_name='lỗi gần nhất')),
                        ('dossier', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_items', to='dossiers.dossier')),
                        ('event', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='sync_item', to='dossiers.dossierevent')),
                    ],
                    options={
                        'verbose_name': 'đồng bộ trạng thái',
                        'verbose_name_plural': 'đồng bộ trạng thái lên Cổng quốc gia',
                        'db_table': 'dossiers_syncitem',
                        'ordering': ['id'],
                        'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='sync_due'), models.Index(fields=['dossier', 'status'], name='sync_dossier')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_forwards, content_type_backwards),
    ]
