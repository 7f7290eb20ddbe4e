"""Snapshot refresh time and server time of the index dashboards.

    python manage.py generate_dossiers --count 1000000 --days 1825   # five years of a province
    python manage.py bench_dashboard [--user noivu@demo.gov.vn] [--repeat 30]

Refreshes the monthly tables and snapshots of every month that has dossiers (timed), times one month's refresh
(the dossier table of last month and of this month, the every-5-minutes job), then reports the median and p95
of the overview (this year, quarter and month — stored rankings — and custom ranges: their first request, which
scores them, and the next ones, which read what it stored), the ranking selector alone, and an agency page;
every page must be a 200 naming what it should.
--extra-agencies N adds N agencies with copies of the busiest one's snapshots (a province has ~150).
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Agency, AgencyLevel, User
from core.bench import summary, timed
from dossiers.models import ClosedMonth, Dossier, DossierEvent, EventType
from dossiers.stats import monthly_stats_refresh
from nationalportal.stats import monthly_sync_refresh
from parindex.metrics import rollups_refresh
from parindex.models import FiguresRun, MetricSnapshot, RankedPeriod
from parindex.ranking import CUSTOM, ranked_periods_refresh
from parindex.selectors import dashboard_agencies, ranking
from parindex.services import figures_refresh, figures_refresh_current
from satisfaction.stats import monthly_satisfaction_refresh


def figures_totals_refresh(first, last):
    rollups_refresh(first=first, last=last)
    ranked_periods_refresh()


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
                              ("metric snapshots, totals, rankings", figures_refresh)):
                t0 = time.perf_counter()
                fn(first=first, last=last)
                self.stdout.write(f"refresh {label}: {time.perf_counter() - t0:.1f} s")
        self._per_month(last)
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

    def _per_month(self, current):
        """One month's refresh: the dossier tables of the month before and of this one, and the every-5-minutes
        job (this month's three tables, snapshots, totals, rankings), each timed 3 times in a rolled-back
        transaction."""
        previous = (current - dt.timedelta(days=1)).replace(day=1)
        runs = {
            "dossier table, last month": lambda: monthly_stats_refresh(first=previous, last=previous),
            "dossier table, this month": lambda: monthly_stats_refresh(first=current, last=current),
            "5-minute job, this month": lambda: figures_refresh_current(),
        }
        for label, fn in runs.items():
            samples = []
            for _ in range(3):
                try:
                    with transaction.atomic():
                        FiguresRun.objects.all().delete()  # as if something happened since the last run
                        ClosedMonth.objects.filter(month=previous).delete()
                        if label.startswith("5-minute"):  # last month already closed, as on any day but the 1st
                            ClosedMonth.objects.create(month=previous, closed_at=timezone.now())
                        samples.append(timed(fn))
                        raise _Rollback
                except _Rollback:
                    pass
            self.stdout.write(f"  {label:<26} {summary(samples)}")
        # The job as it runs all day: after a run, only the agencies touched since are counted again.
        for touched in (0, 1, 20):
            samples = []
            for _ in range(3):
                try:
                    with transaction.atomic():
                        FiguresRun.objects.all().delete()
                        ClosedMonth.objects.get_or_create(month=previous, defaults={"closed_at": timezone.now()})
                        figures_refresh_current()  # the run before (counts everything: not timed)
                        n = self._touch(touched)
                        t0 = time.perf_counter()
                        out = figures_refresh_current(now=timezone.now())
                        samples.append((time.perf_counter() - t0) * 1000)
                        assert out.get("agencies", 0) >= n, out  # it counted what was touched
                        raise _Rollback
                except _Rollback:
                    pass
            self.stdout.write(f"  {f'5-minute job, {touched} touched':<26} {summary(samples)} ({n} agencies)")

    def _touch(self, n):
        """An event on an open dossier of each of the n busiest agencies (what an action writes)."""
        agencies = (Dossier.objects.filter(resolved_at__isnull=True, closed_at__isnull=True).values("handling_agency")
                    .annotate(n=Count("id")).order_by("-n").values_list("handling_agency", flat=True)[:n])
        agencies = list(agencies)
        for agency in agencies:
            dossier = Dossier.objects.filter(handling_agency=agency, resolved_at__isnull=True,
                                             closed_at__isnull=True).first()
            DossierEvent.objects.create(dossier=dossier, type=EventType.ATTACHMENT_ADDED, at=timezone.now(),
                                        reason="bench")
        return len(agencies)

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
        # their quarter and year totals and the stored rankings, as the refresh would have done
        months_span = MetricSnapshot.objects.aggregate(first=Min("month"), last=Max("month"))
        t0 = time.perf_counter()
        figures_totals_refresh(months_span["first"], months_span["last"])
        self.stdout.write(f"rollups and stored rankings for {Agency.objects.count()} agencies: "
                          f"{time.perf_counter() - t0:.1f} s")
        with connection.cursor() as cursor:  # as autovacuum (and the refresh) would have done
            cursor.execute(f"ANALYZE {MetricSnapshot._meta.db_table}")

    def _time(self, officer, first, last, repeat):
        self.stdout.write(f"{MetricSnapshot.objects.count():,} snapshot rows, "
                          f"{Agency.objects.count()} agencies")
        client = Client(HTTP_HOST="127.0.0.1")  # an allowed host whatever the settings
        client.force_login(officer)
        url = reverse("parindex:overview")
        agency_ids, _wide = dashboard_agencies(officer)
        year = last.replace(month=1)
        top = ranking(agency_ids, year, last, "nam")[0]["name"]  # what the year's page must list first

        def page(target, params, *, marker):
            def get():
                response = client.get(target, params)
                found = marker.encode() in response.content or escape(marker).encode() in response.content
                if response.status_code != 200 or not found:  # a name as written in HTML (H&#x27;Ko)
                    raise CommandError(f"{target} {params}: {response.status_code}, '{marker}' not in the page")
            return get

        runs = {
            "overview, this year": page(url, {"ky": "nam"}, marker=top),
            "overview, this quarter": page(url, {"ky": "quy"}, marker="<table"),
            "overview, this month": page(url, {"ky": "thang"}, marker="<table"),
            "overview, last 12 months": page(url, {"ky": "12-thang"}, marker="<table"),
            "overview, custom year": page(url, {"from": f"{year:%Y-%m}", "to": f"{last:%Y-%m}"}, marker=top),
            "overview, all months": page(url, {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}, marker="<table"),
            "ranking selector, year": lambda: ranking(agency_ids, year, last, "nam"),
            "ranking selector, custom": lambda: ranking(agency_ids, year, last),
        }
        # a period chosen by hand is scored by its first request and stored until the next refresh: its first
        # request is timed apart ("first"), the stored rows dropped before each one (not timed)
        cold = {"overview, custom year, first": runs["overview, custom year"],
                "overview, all months, first": runs["overview, all months"],
                "ranking selector, custom, first": runs["ranking selector, custom"]}
        busiest = (MetricSnapshot.objects.filter(metric="received", scope="agency").values("agency")
                   .annotate(n=Sum("numerator")).order_by("-n").values_list("agency", flat=True).first())
        if busiest:
            name = Agency.objects.get(pk=busiest).name
            agency_url = reverse("parindex:agency", args=[busiest])
            runs["agency page, this year"] = page(agency_url, {"ky": "nam"}, marker=name)
            runs["agency page, all months"] = page(agency_url, {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"},
                                                   marker=name)
        for label, fn in runs.items():
            fn()  # warm up
            self.stdout.write(f"  {label:<32} {summary([timed(fn) for _ in range(repeat)])}")
        for label, fn in cold.items():
            samples = []
            for _ in range(repeat):
                RankedPeriod.objects.filter(preset=CUSTOM).delete()
                samples.append(timed(fn))
            self.stdout.write(f"  {label:<32} {summary(samples)}")
