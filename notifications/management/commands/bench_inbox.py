"""The header bell with a backlog of unread notices (#21: "unread-notice count on every staff page").

    python manage.py bench_inbox [--user lanhdao.pleiku@demo.gov.vn] [--count 66800] [--repeat 30]

Adds `--count` unread notices for the user inside a transaction that is rolled back at the end (the database
is left as it was), then times the COUNT of every unread notice (what the bell did before), the bounded badge
(`selectors.bell_badge`, what it does now) and a whole staff page that shows the bell (the notices page is not
used: it lists 200 rows). Each timed call is checked: the counts, the "99+" badge, a 200 page carrying it.
Reports median and p95 in ms. Run it on PostgreSQL for figures that mean anything.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.bench import summary, timed

from ...models import InboxItem
from ...selectors import BELL_CAP, bell_badge


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo thời gian đếm thông báo chưa đọc trên chuông đầu trang."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="lanhdao.pleiku@demo.gov.vn")
        parser.add_argument("--count", type=int, default=66_800)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, user, count, repeat, **options):
        if count < BELL_CAP + 1 or repeat < 1:
            raise CommandError(f"--count phải từ {BELL_CAP + 1} trở lên, --repeat từ 1 trở lên.")
        officer = User.objects.filter(email=user).first()
        if officer is None:
            raise CommandError(f"Không có người dùng {user}.")
        try:
            with transaction.atomic():
                self._run(officer, count, repeat)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write("Đã hoàn tác các thông báo thêm vào.")

    def _run(self, officer, count, repeat):
        now = timezone.now()
        window = dt.timedelta(days=max(1, settings.INBOX_BELL_DAYS - 1))
        before = InboxItem.objects.filter(user=officer, read_at__isnull=True).count()
        InboxItem.objects.bulk_create(
            [InboxItem(user=officer, key=f"bench-inbox:{officer.pk}:{n}", text=f"Thông báo thử {n}",
                       created_at=now - window * (n / count)) for n in range(count)], batch_size=5000)
        with connection.cursor() as cursor:  # the planner sees the new rows, as it would after autovacuum
            cursor.execute(f"ANALYZE {InboxItem._meta.db_table}")
        total = before + count
        self.stdout.write(f"{connection.vendor}: {total:,} thông báo chưa đọc của {officer.email}")

        def full_count():
            assert InboxItem.objects.filter(user=officer, read_at__isnull=True).count() == total

        def badge():
            assert bell_badge(officer) == f"{BELL_CAP}+"

        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h and h != "*"), "localhost")
        client = Client(HTTP_HOST=host)  # a host the settings accept: the page is the real one, not a 400
        client.force_login(officer)
        url = reverse("dossiers:mine")

        def page(expected=f"{BELL_CAP}+"):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            assert f'<span class="bell">{expected}</span>' in response.content.decode()

        def old_badge(user, **kwargs):  # what the bell did before: COUNT every unread notice
            return str(InboxItem.objects.filter(user=user, read_at__isnull=True).count() or "")

        def page_before():
            with mock.patch("notifications.context_processors.bell_badge", old_badge):
                page(expected=str(total))

        for label, fn in (("COUNT(*) of every unread (before)", full_count), ("bell badge, bounded (now)", badge),
                          ("staff page, bell by COUNT (before)", page_before),
                          ("staff page, bounded bell (now)", page)):
            fn()  # checked once (and warmed) before timing
            self.stdout.write(f"  {label:<36} {summary([timed(fn) for _ in range(repeat)])}")
