"""python manage.py refresh_dossier_stats [--from 2026-01] [--to 2026-06]

Recompute the monthly counts per agency (received, finished early / on time / late, in progress,
apology letters). Without arguments: the previous and the current month (what the nightly task
does). The status-sync counts are nationalportal's (nationalportal.stats; `recompute_metrics` refreshes
every monthly table).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from ...stats import month_range, monthly_stats_refresh


class Command(BaseCommand):
    help = "Tính lại số liệu tháng của từng cơ quan (tiếp nhận, giải quyết trước/đúng/quá hạn, phiếu xin lỗi)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="tháng đầu, dạng 2026-01")
        parser.add_argument("--to", dest="last", help="tháng cuối, dạng 2026-06")

    def handle(self, *args, first=None, last=None, **options):
        try:
            first_month, last_month = month_range(first, last)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        started = time.perf_counter()
        rows = monthly_stats_refresh(first=first_month, last=last_month)
        self.stdout.write(f"Đã tính {rows:,} dòng số liệu từ {first_month:%m/%Y} đến {last_month:%m/%Y} "
                          f"({time.perf_counter() - started:.1f} s).")
