"""python manage.py recompute_metrics --from 2026-01 --to 2026-06: rebuild the monthly tables the index
reads (dossier counts, status-sync counts, satisfaction inputs) and the metric snapshots, for any range of months."""

from django.core.management.base import BaseCommand, CommandError

from dossiers.stats import month_range, monthly_stats_refresh
from nationalportal.stats import monthly_sync_refresh
from parindex.metrics import snapshots_refresh
from satisfaction.stats import monthly_satisfaction_refresh


class Command(BaseCommand):
    help = "Tính lại số liệu tháng và ảnh chụp chỉ số cho một khoảng tháng (mặc định: tháng trước và tháng này)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="Tháng đầu, dạng 2026-01.")
        parser.add_argument("--to", dest="last", help="Tháng cuối, dạng 2026-06.")

    def handle(self, *args, **options):
        try:
            first, last = month_range(options["first"], options["last"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        monthly_stats_refresh(first=first, last=last)
        monthly_sync_refresh(first=first, last=last)
        monthly_satisfaction_refresh(first=first, last=last)
        rows = snapshots_refresh(first=first, last=last)
        self.stdout.write(self.style.SUCCESS(
            f"Đã tính {rows} dòng chỉ số cho {first:%m/%Y}–{last:%m/%Y}."))
