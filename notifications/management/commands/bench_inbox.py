"""The header bell and the notices page with a backlog of unread notices (#21: "unread-notice count on every
staff page", "notices that people can read").

    python manage.py bench_inbox [--user lanhdao.pleiku@demo.gov.vn] [--count 66800 334000] [--repeat 30] [--explain]

For each `--count`, adds that many unread notices for the user (spread over the bell's days, as the deadline
sweep's "overdue" notices: one digest per day) through `services.inbox_post_many` (the digests' counters are
kept as in production) inside a transaction that is rolled back at the end (the database is left as it was).
Then times, each call checked before it is timed:
  - the COUNT(*) of every unread notice (what the bell did first; for reference),
  - the bell: `selectors.unread_count`, a sum of the digests' counters (the exact count is asserted),
  - a whole staff page that shows the bell (the worklist, a 200 carrying the count),
  - the notices page (a 200 with the count and one line per digest, 20 to a page),
  - the largest digest's page of notices, first and last page (a 200 listing its notices).
Reports median and p95 in ms. Run it on PostgreSQL for figures that mean anything.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from core.bench import summary, timed

from ...models import InboxDigest, InboxItem
from ...selectors import digests_for, unread_count
from ...services import Notice, inbox_post_many
from ...views import ITEMS_PER_PAGE, PER_PAGE

DIGEST_LINE = re.compile(r'data-testid="digest" data-kind="[^"]+" data-total="(\d+)" data-unread="(\d+)"')
# A notice of a digest's page (the list holds the digest's notices, those the benchmark added and any the user
# had already: a sweep's real notices of the same day and kind).
DIGEST_ITEM = '<li class="proc-item'


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo chuông thông báo, trang thông báo và trang một nhóm thông báo khi có nhiều thông báo chưa đọc."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="lanhdao.pleiku@demo.gov.vn")
        parser.add_argument("--count", type=int, nargs="+", default=[66_800, 334_000])
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--explain", action="store_true", help="in EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL)")

    def handle(self, *args, user, count, repeat, explain, **options):
        if any(n < 1 for n in count) or repeat < 1:
            raise CommandError("--count và --repeat phải từ 1 trở lên.")
        officer = User.objects.filter(email=user).first()
        if officer is None:
            raise CommandError(f"Không có người dùng {user}.")
        translation.activate(settings.LANGUAGE_CODE)
        for n in count:
            try:
                with transaction.atomic():
                    self._run(officer, n, repeat, explain)
                    raise _Rollback
            except _Rollback:
                pass
        self.stdout.write("Đã hoàn tác các thông báo thêm vào.")

    def _run(self, officer, count, repeat, explain):
        now = timezone.now()
        spread = dt.timedelta(days=max(1, settings.INBOX_BELL_DAYS - 1))
        before = unread_count(officer)
        started = time.perf_counter()
        inbox_post_many(notices=[
            Notice(user_id=officer.pk, key=f"bench-inbox:{officer.pk}:{n}", kind="track-overdue",
                   text=f"Hồ sơ BENCH-{n:06d} quá hạn (hẹn trả 17:00 01/03/2026).", url=f"/ho-so/{n}/",
                   at=now - spread * (n / count)) for n in range(count)])
        posted = time.perf_counter() - started
        with connection.cursor() as cursor:  # the planner sees the new rows, as it would after autovacuum
            cursor.execute(f"ANALYZE {InboxItem._meta.db_table}")
            cursor.execute(f"ANALYZE {InboxDigest._meta.db_table}")
        total = before + count
        digests = digests_for(officer).count()
        biggest = InboxDigest.objects.filter(user=officer, kind="track-overdue").order_by("-total").first()
        self.stdout.write(f"{connection.vendor}: {total:,} thông báo chưa đọc của {officer.email} "
                          f"({count:,} thêm vào trong {posted:.1f} s, cùng bộ đếm; {digests} nhóm trên trang "
                          f"thông báo, nhóm lớn nhất {biggest.total:,} thông báo)")

        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h and h != "*"), "localhost")
        client = Client(HTTP_HOST=host)  # a host the settings accept: the page is the real one, not a 400
        client.force_login(officer)
        bell = f'<span class="bell">{intcomma(total)}</span>'

        def full_count():
            assert InboxItem.objects.filter(user=officer, read_at__isnull=True).count() == total

        def badge():
            assert unread_count(officer) == total

        def get(url, **params):
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            return response.content.decode()

        def staff_page():
            assert bell in get(reverse("dossiers:mine"))

        def notices_page():
            page = get(reverse("notifications:inbox"))
            assert bell in page and f"Bạn có {intcomma(total)} thông báo chưa đọc" in page
            assert len(DIGEST_LINE.findall(page)) == min(PER_PAGE, digests)

        last = max(1, -(-biggest.total // ITEMS_PER_PAGE))

        def digest_page(number=1):
            page = get(reverse("notifications:digest", args=[biggest.pk]), page=number)
            assert f"{intcomma(biggest.total)} thông báo" in page
            shown = page.count(DIGEST_ITEM)
            assert shown == (ITEMS_PER_PAGE if number < last else biggest.total - ITEMS_PER_PAGE * (last - 1)), shown

        for label, fn in (("COUNT(*) of every unread (reference)", full_count),
                          ("bell: sum of the digests' counters", badge),
                          ("staff page (worklist) with the bell", staff_page),
                          ("notices page (digests)", notices_page),
                          ("a digest's notices, first page", digest_page),
                          (f"a digest's notices, last page ({last})", lambda: digest_page(last))):
            fn()  # checked once (and warmed) before timing
            self.stdout.write(f"  {label:<40} {summary([timed(fn) for _ in range(repeat)])}")
        if explain and connection.vendor == "postgresql":
            self._explain(officer)

    def _explain(self, officer):
        """The plans of the bell's query (as `unread_count` sends it) and of the notices page's list."""
        with CaptureQueriesContext(connection) as bell:
            unread_count(officer)
        page_sql, page_params = digests_for(officer)[:PER_PAGE].query.sql_with_params()
        for label, sql, params in (("bell", bell.captured_queries[-1]["sql"], None),
                                   ("notices page, the digests", page_sql, page_params)):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                self.stdout.write(f"  EXPLAIN {label}:\n" + "\n".join(f"    {row[0]}" for row in cursor.fetchall()))
