"""#21: notices grouped per (user, day, kind) with counters. Existing notices get their kind (from the key, as
`notifications.kinds.kind_of`) and local day, and are counted into digests, before the new index is built."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    Item, Digest = apps.get_model("notifications", "InboxItem"), apps.get_model("notifications", "InboxDigest")
    if schema_editor.connection.vendor == "postgresql":  # set-based: a province's table is millions of rows
        items, digests, tz = Item._meta.db_table, Digest._meta.db_table, settings.TIME_ZONE
        schema_editor.execute(
            f"""UPDATE {items} SET day = (created_at AT TIME ZONE %s)::date,
                kind = left(CASE WHEN split_part(key, ':', 1) = 'track' AND split_part(key, ':', 3) <> ''
                                 THEN 'track-' || split_part(key, ':', 3) ELSE split_part(key, ':', 1) END, 40)""",
            [tz])
        schema_editor.execute(
            f"""INSERT INTO {digests} (user_id, day, kind, total, unread, latest_at, latest_text, latest_url)
            SELECT DISTINCT ON (user_id, day, kind) user_id, day, kind,
                   count(*) OVER w, count(*) FILTER (WHERE read_at IS NULL) OVER w, created_at, text, url
            FROM {items}
            WINDOW w AS (PARTITION BY user_id, day, kind)
            ORDER BY user_id, day, kind, created_at DESC, id DESC""")
        return
    from django.utils import timezone  # (SQLite, make run) row by row: a development database is small

    def kind_of(key):  # as notifications.kinds.kind_of when this was written
        parts = key.split(":")
        return (f"track-{parts[2]}" if parts[0] == "track" and len(parts) > 2 else parts[0])[:40]

    groups = {}
    for item in Item.objects.order_by("created_at", "pk").iterator():
        item.day, item.kind = timezone.localdate(item.created_at), kind_of(item.key)
        item.save(update_fields=["day", "kind"])
        group = groups.setdefault((item.user_id, item.day, item.kind), [0, 0, item])
        group[0] += 1
        group[1] += item.read_at is None
        group[2] = item
    Digest.objects.bulk_create([
        Digest(user_id=user_id, day=day, kind=kind, total=total, unread=unread, latest_at=last.created_at,
               latest_text=last.text, latest_url=last.url)
        for (user_id, day, kind), (total, unread, last) in groups.items()])


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_delivery_recipient'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='InboxDigest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='ngày')),
                ('kind', models.CharField(max_length=40, verbose_name='loại')),
                ('total', models.PositiveIntegerField(default=0, verbose_name='số thông báo')),
                ('unread', models.PositiveIntegerField(default=0, verbose_name='chưa đọc')),
                ('latest_at', models.DateTimeField(verbose_name='thông báo mới nhất lúc')),
                ('latest_text', models.CharField(max_length=500, verbose_name='thông báo mới nhất')),
                ('latest_url', models.CharField(blank=True, max_length=300, verbose_name='liên kết của thông báo mới nhất')),
            ],
            options={
                'verbose_name': 'nhóm thông báo',
                'verbose_name_plural': 'nhóm thông báo',
            },
        ),
        migrations.RemoveIndex(
            model_name='inboxitem',
            name='notificatio_user_id_7892ae_idx',
        ),
        migrations.AddField(
            model_name='inboxitem',
            name='day',
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name='ngày'),
        ),
        migrations.AddField(
            model_name='inboxitem',
            name='kind',
            field=models.CharField(blank=True, default='', max_length=40, verbose_name='loại'),
        ),
        migrations.AddField(
            model_name='inboxdigest',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='inboxdigest',
            constraint=models.UniqueConstraint(fields=('user', 'day', 'kind'), name='inbox_digest_user_day_kind'),
        ),
        migrations.AddConstraint(
            model_name='inboxdigest',
            constraint=models.CheckConstraint(condition=models.Q(('total__gte', 0), ('unread__gte', 0), ('unread__lte', models.F('total'))), name='inbox_digest_counts_valid'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='inboxitem',
            index=models.Index(fields=['user', 'day', 'kind', '-created_at'], name='inbox_item_digest'),
        ),
    ]
