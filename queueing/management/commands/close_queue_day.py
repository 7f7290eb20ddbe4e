"""Close a day of the desk floor by hand (the beat does it every evening): tickets still open become
abandoned (never called), absent (called, not served) or done (being served)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from queueing.services import tickets_close_day


class Command(BaseCommand):
    help = "Đóng một ngày xếp hàng: số chưa được gọi thành bỏ về, đã gọi chưa phục vụ thành vắng mặt."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="dd/mm/yyyy hoặc yyyy-mm-dd; mặc định hôm qua")

    def handle(self, *args, **options):
        raw = options.get("date")
        day = timezone.localdate() - dt.timedelta(days=1)
        if raw:
            for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
                try:
                    day = dt.datetime.strptime(raw, fmt).date()
                    break
                except ValueError:
                    continue
            else:
                raise CommandError(f"Ngày không hợp lệ: {raw!r} (dd/mm/yyyy).")
        self.stdout.write(f"Đã đóng {tickets_close_day(day=day)} số của ngày {day:%d/%m/%Y} và trước đó.")
