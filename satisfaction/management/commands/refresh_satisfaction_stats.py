"""python manage.py refresh_satisfaction_stats [--from 2026-01] [--to 2026-06]"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dossiers.management.commands.refresh_dossier_stats import parse_month
from portal.errors import DomainError

from ...stats import monthly_satisfaction_refresh


class Command(BaseCommand):
    help = "Tính lại số liệu hài lòng theo tháng (đầu vào nhóm chỉ số hài lòng của Quyết định 766)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="tháng đầu, dạng 2026-01")
        parser.add_argument("--to", dest="last", help="tháng cuối, dạng 2026-06")

    def handle(self, *args, first=None, last=None, **options):
        today = timezone.localdate()
        last_month = parse_month(last) if last else today.replace(day=1)
        first_month = parse_month(first) if first else (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        if last_month > today.replace(day=1):
            raise CommandError("Không tính số liệu cho tháng trong tương lai.")
        try:
            rows = monthly_satisfaction_refresh(first=first_month, last=last_month)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Đã tính {rows:,} dòng số liệu hài lòng từ {first_month:%m/%Y} đến {last_month:%m/%Y}.")
