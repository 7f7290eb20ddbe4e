"""python manage.py forecast_refresh [--before 2026-03-01]

Learns again how long each step really takes from the control sheet (the risk forecast's model, stored in
`StepDuration`); the same job runs nightly under Celery beat."""

import time

from django.core.management.base import BaseCommand, CommandError

from ...lateness.risk import forecast_refresh, parse_cut


class Command(BaseCommand):
    help = ("Học lại thời gian thực tế của từng bước (theo thủ tục, lĩnh vực, cơ quan) từ phiếu kiểm soát, "
            "dùng cho dự báo khả năng trễ hẹn.")

    def add_arguments(self, parser):
        parser.add_argument("--before", help="chỉ dùng lịch sử trước ngày này (YYYY-MM-DD)")

    def handle(self, *args, before=None, **options):
        try:
            cut = parse_cut(before) if before is not None else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        started = time.perf_counter()
        counts = forecast_refresh(before=cut)
        levels = ", ".join(f"{level}: {n:,}" for level, n in counts.items() if level != "rows")
        self.stdout.write(f"Đã học {counts['rows']:,} phân bố thời gian bước ({levels}) "
                          f"trong {time.perf_counter() - started:.1f} s.")
