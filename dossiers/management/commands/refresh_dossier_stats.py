"""python manage.py refresh_dossier_stats [--from 2026-01] [--to 2026-06]

Recompute the monthly counts per agency (received, finished early / on time / late, in progress,
apology letters). Without arguments: the previous and the current month (what the nightly task does).
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.errors import DomainError

from ...stats import monthly_stats_refresh


def parse_month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise CommandError(f"Tháng không hợp lệ: {text!r} (dạng 2026-03).") from None


class Command(BaseCommand):
    help = "Tính lại số liệu tháng của từng cơ quan (tiếp nhận, giải quyết trước/đúng/quá hạn, phiếu xin lỗi)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="tháng đầu, dạng 2026-01")
        parser.add_argument("--to", dest="last", help="tháng cuối, dạng 2026-06")

    def handle(self, *args, first=None, last=None, **options):
        today = timezone.localdate()
        last_month = parse_month(last) if last else today.replace(day=1)
        first_month = parse_month(first) if first else (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        if last_month > today.replace(day=1):
            raise CommandError("Không tính số liệu cho tháng trong tương lai.")
        started = time.perf_counter()
        try:
            rows = monthly_stats_refresh(first=first_month, last=last_month)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Đã tính {rows:,} dòng số liệu từ {first_month:%m/%Y} đến {last_month:%m/%Y} "
                          f"({time.perf_counter() - started:.1f} s).")
