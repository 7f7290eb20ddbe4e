"""python manage.py refresh_satisfaction_stats [--from 2026-01] [--to 2026-06]"""

from django.core.management.base import BaseCommand, CommandError

from dossiers.stats import month_range

from ...stats import monthly_satisfaction_refresh


class Command(BaseCommand):
    help = "Tính lại số liệu hài lòng theo tháng (đầu vào nhóm chỉ số hài lòng của Quyết định 766)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="tháng đầu, dạng 2026-01")
        parser.add_argument("--to", dest="last", help="tháng cuối, dạng 2026-06")

    def handle(self, *args, first=None, last=None, **options):
        try:
            first_month, last_month = month_range(first, last)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        rows = monthly_satisfaction_refresh(first=first_month, last=last_month)
        self.stdout.write(f"Đã tính {rows:,} dòng số liệu hài lòng từ {first_month:%m/%Y} đến {last_month:%m/%Y}.")
