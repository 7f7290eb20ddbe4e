"""Snapshot refresh time and server time of the index dashboards.

    python manage.py generate_dossiers --count 1000000 --days 1825   # five years of a province
    python manage.py bench_dashboard [--user noivu@demo.gov.vn] [--repeat 30]

Refreshes the monthly tables and snapshots of every month that has dossiers (timed), then reports the
median and p95 of the overview (a year, a quarter, five years), the ranking alone, and an agency page.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max, Min, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, AgencyLevel, User
from core.bench import summary, timed
from dossiers.models import Dossier
from dossiers.stats import monthly_stats_refresh
from nationalportal.stats import monthly_sync_refresh
from parindex.metrics import snapshots_refresh
from parindex.models import MetricSnapshot
from parindex.selectors import dashboard_agencies, ranking
from satisfaction.stats import monthly_satisfaction_refresh


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo thời gian tính ảnh chụp chỉ số và thời gian trang bảng chỉ số."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="noivu@demo.gov.vn")
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--skip-refresh", action="store_true")
        parser.add_argument("--extra-agencies", type=int, default=0,
                            help="Add this many agencies with a copy of the busiest one's snapshots for the timing "
                                 "(a province has ~150 departments and communes; rolled back afterwards).")

    def handle(self, *args, user, repeat, skip_refresh, extra_agencies, **options):
        officer = User.objects.filter(email=user).first()
        if officer is None:
            raise CommandError(f"Không có người dùng {user}.")
        span = Dossier.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
        if span["first"] is None:
            raise CommandError("Chưa có hồ sơ: chạy generate_dossiers trước.")
        first = timezone.localtime(span["first"]).date().replace(day=1)
        last = timezone.localdate().replace(day=1)
        self.stdout.write(f"{connection.vendor}: {Dossier.objects.count():,} hồ sơ, {first:%m/%Y}–{last:%m/%Y}")
        if not skip_refresh:
            for label, fn in (("monthly dossier tables", monthly_stats_refresh),
                              ("monthly status-sync tables", monthly_sync_refresh),
                              ("monthly satisfaction tables", monthly_satisfaction_refresh),
                              ("metric snapshots", snapshots_refresh)):
                t0 = time.perf_counter()
                fn(first=first, last=last)
                self.stdout.write(f"refresh {label}: {time.perf_counter() - t0:.1f} s")
        if extra_agencies:
            try:
                with transaction.atomic():
                    self._clone(extra_agencies)
                    self._time(officer, first, last, repeat)
                    raise _Rollback
            except _Rollback:
                self.stdout.write("(the extra agencies were rolled back)")
            return
        self._time(officer, first, last, repeat)

    def _clone(self, n):
        busiest = (MetricSnapshot.objects.filter(metric="received", scope="agency").values("agency")
                   .annotate(n=Sum("numerator")).order_by("-n").values_list("agency", flat=True).first())
        source = Agency.objects.get(pk=busiest)
        rows = list(MetricSnapshot.objects.filter(agency=source, scope="agency"))
        for i in range(n):
            agency = Agency.objects.create(parent=source.parent, name=f"Đơn vị thử {i + 1:03d}",
                                           level=AgencyLevel.COMMUNE, code=f"BENCH.{i + 1:03d}")
            MetricSnapshot.objects.bulk_create([MetricSnapshot(
                agency=agency, scope="agency", month=r.month, metric=r.metric, numerator=r.numerator,
                denominator=r.denominator, computed_at=r.computed_at) for r in rows])
        with connection.cursor() as cursor:  # as autovacuum (and the refresh) would have done
            cursor.execute(f"ANALYZE {MetricSnapshot._meta.db_table}")

    def _time(self, officer, first, last, repeat):
        self.stdout.write(f"{MetricSnapshot.objects.count():,} snapshot rows")
        client = Client(HTTP_HOST="127.0.0.1")  # an allowed host whatever the settings
        client.force_login(officer)
        url = reverse("parindex:overview")
        agency_ids, _wide = dashboard_agencies(officer)
        year = last.replace(month=1)
        quarter = last.replace(month=(last.month - 1) // 3 * 3 + 1)
        runs = {
            "overview, this year": lambda: client.get(url, {"from": f"{year:%Y-%m}", "to": f"{last:%Y-%m}"}),
            "overview, this quarter": lambda: client.get(url, {"from": f"{quarter:%Y-%m}", "to": f"{last:%Y-%m}"}),
            "overview, all months": lambda: client.get(url, {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}),
            "ranking selector, year": lambda: ranking(agency_ids, year, last),
        }
        busiest = (MetricSnapshot.objects.filter(metric="received", scope="agency").values("agency")
                   .annotate(n=Sum("numerator")).order_by("-n").values_list("agency", flat=True).first())
        if busiest:
            agency_url = reverse("parindex:agency", args=[busiest])
            runs["agency page, year"] = lambda: client.get(agency_url, {"from": f"{year:%Y-%m}",
                                                                        "to": f"{last:%Y-%m}"})
        for label, fn in runs.items():
            fn()  # warm up
            self.stdout.write(f"  {label:<26} {summary([timed(fn) for _ in range(repeat)])}")
