"""The feedback models move here from satisfaction without touching the database: the tables keep their
names (satisfaction_feedback, satisfaction_feedbackevent, satisfaction_feedbackvote), their indexes and
constraints; only Django's state changes (satisfaction 0005 drops the old models from its state), and the
content types (hence the permissions and the admin log entries) follow the models to the new app label.
"""

import django.db.models.deletion
import feedback.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("feedback", "feedbackevent", "feedbackvote")


def _relabel(apps, old: str, new: str) -> None:
    """Move the content types (and so their permissions and admin log entries) to the other app label. If one
    already exists there (post_migrate made it after a partial migration), leave both, as Django's own
    RenameContentType does: `remove_stale_contenttypes` then asks what to do with the old one."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, "satisfaction", "feedback")


def content_types_backward(apps, schema_editor):
    _relabel(apps, "feedback", "satisfaction")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('satisfaction', '0004_labels'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('accounts', '0002_office_hours_defaults_from_settings'),
        ('dossiers', '0013_idempotency_key'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Feedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=20, unique=True, verbose_name='mã phản ánh')),
                        ('access_key', models.CharField(max_length=32)),
                        ('topic', models.CharField(choices=[('dossier', 'Về hồ sơ đã nộp'), ('conduct', 'Về thái độ, hành vi của cán bộ, công chức'), ('regulation', 'Về quy định, thủ tục hành chính')], max_length=12, verbose_name='nội dung về')),
                        ('harassment', models.BooleanField(default=False, verbose_name='phản ánh hành vi nhũng nhiễu, gây phiền hà')),
                        ('title', models.CharField(max_length=200, verbose_name='tiêu đề')),
                        ('content', models.TextField(verbose_name='nội dung')),
                        ('officer_name', models.CharField(blank=True, max_length=120, verbose_name='tên cán bộ (nếu biết)')),
                        ('name', models.CharField(max_length=120, verbose_name='họ tên người gửi')),
                        ('phone', models.CharField(blank=True, max_length=16, verbose_name='số điện thoại')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='email')),
                        ('attachment', models.FileField(blank=True, max_length=255, upload_to=feedback.models.feedback_file_path, verbose_name='tệp đính kèm')),
                        ('attachment_name', models.CharField(blank=True, max_length=255)),
                        ('status', models.CharField(choices=[('received', 'Mới tiếp nhận'), ('info_requested', 'Chờ người gửi bổ sung thông tin'), ('accepted', 'Đang xử lý'), ('rejected', 'Không tiếp nhận'), ('answered', 'Đã có kết quả, chờ công khai'), ('published', 'Đã công khai kết quả')], default='received', max_length=16, verbose_name='trạng thái')),
                        ('classification', models.CharField(blank=True, choices=[('rules', 'Về thủ tục, quy định hành chính'), ('servants', 'Về hành vi, thái độ của cán bộ, công chức')], max_length=10, verbose_name='phân loại')),
                        ('submitted_at', models.DateTimeField(verbose_name='gửi lúc')),
                        ('accept_due', models.DateTimeField(verbose_name='hạn tiếp nhận / từ chối')),
                        ('info_due', models.DateTimeField(verbose_name='hạn đề nghị bổ sung')),
                        ('answer_due', models.DateTimeField(verbose_name='hạn trả lời')),
                        ('publish_due', models.DateTimeField(blank=True, null=True, verbose_name='hạn công khai')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('rejected_at', models.DateTimeField(blank=True, null=True)),
                        ('reject_reason', models.TextField(blank=True, verbose_name='lý do không tiếp nhận')),
                        ('info_requested_at', models.DateTimeField(blank=True, null=True)),
                        ('info_request', models.TextField(blank=True, verbose_name='nội dung đề nghị bổ sung')),
                        ('info_reply', models.TextField(blank=True, verbose_name='thông tin người gửi bổ sung')),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('answer', models.TextField(blank=True, verbose_name='kết quả xử lý')),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('late', models.BooleanField(default=False, verbose_name='xử lý quá hạn')),
                        ('likes', models.PositiveIntegerField(default=0)),
                        ('dislikes', models.PositiveIntegerField(default=0)),
                        ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='feedback', to='accounts.agency', verbose_name='cơ quan có thẩm quyền')),
                        ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('citizen', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='feedback_sent', to=settings.AUTH_USER_MODEL)),
                        ('dossier', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='feedback', to='dossiers.dossier', verbose_name='hồ sơ')),
                        ('officer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cán bộ bị phản ánh')),
                    ],
                    options={
                        'verbose_name': 'phản ánh, kiến nghị',
                        'verbose_name_plural': 'phản ánh, kiến nghị',
                        'db_table': 'satisfaction_feedback',
                        'ordering': ['-submitted_at'],
                    },
                ),
                migrations.CreateModel(
                    name='FeedbackEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('type', models.CharField(max_length=20)),
                        ('at', models.DateTimeField()),
                        ('note', models.TextField(blank=True)),
                        ('payload', models.JSONField(blank=True, default=dict)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('feedback', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='feedback.feedback')),
                    ],
                    options={
                        'db_table': 'satisfaction_feedbackevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='FeedbackVote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('voter', models.CharField(max_length=64)),
                        ('value', models.SmallIntegerField(choices=[(1, 'Hài lòng'), (-1, 'Không hài lòng')])),
                        ('at', models.DateTimeField()),
                        ('feedback', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='feedback.feedback')),
                    ],
                    options={
                        'db_table': 'satisfaction_feedbackvote',
                    },
                ),
                migrations.AddIndex(
                    model_name='feedback',
                    index=models.Index(fields=['agency', 'status', 'answer_due'], name='satisfactio_agency__e4b185_idx'),
                ),
                migrations.AddIndex(
                    model_name='feedback',
                    index=models.Index(fields=['agency', 'submitted_at'], name='satisfactio_agency__799519_idx'),
                ),
                migrations.AddIndex(
                    model_name='feedback',
                    index=models.Index(fields=['citizen', '-submitted_at'], name='satisfactio_citizen_556b25_idx'),
                ),
                migrations.AddConstraint(
                    model_name='feedbackvote',
                    constraint=models.UniqueConstraint(fields=('feedback', 'voter'), name='feedback_vote_once'),
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
