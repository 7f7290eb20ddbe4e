"""python manage.py sweep_deadlines [--now 2026-03-05T16:00+07:00] [--batch 5000]"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from workcalendar.calendar import TZ

from ...lateness.sweep import sweep_deadlines
from ...routing import handovers_alert_overdue


class Command(BaseCommand):
    help = "Phân loại hồ sơ đang giải quyết: trong hạn, sắp đến hạn, quá hạn; báo cho người phụ trách."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="thời điểm tính (ISO 8601), mặc định: bây giờ")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--budget", type=int, default=None,
                            help="giây tối đa cho một lượt (mặc định DEADLINE_SWEEP_BUDGET_SECONDS)")
        parser.add_argument("--until-done", action="store_true", help="lặp lại đến khi phân loại hết")

    def handle(self, *args, now=None, batch=5000, budget=None, until_done=False, **options):
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"Thời điểm không hợp lệ: {now!r} (dạng 2026-03-05T16:00+07:00).") from None
            moment = moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment
        if batch < 1:
            raise CommandError("--batch phải lớn hơn 0.")
        if budget is not None and budget < 0:
            raise CommandError("--budget không được âm.")
        while True:
            started = time.perf_counter()
            counts = sweep_deadlines(now=moment, batch=batch, budget=budget)
            self.stdout.write(f"Quá hạn mới: {counts['overdue']:,}; sắp đến hạn mới: {counts['due_soon']:,}; "
                              f"trở lại trong hạn: {counts['on_track']:,}; bước: {counts['steps']:,} "
                              f"({time.perf_counter() - started:.1f} s)."
                              + (" Còn hồ sơ chưa phân loại: lượt sau sẽ tiếp tục." if counts["more"] else ""))
            if not (until_done and counts["more"]):
                break
        alerted = handovers_alert_overdue(moment)
        if alerted:
            self.stdout.write(f"Chuyển hồ sơ giữa các Bộ phận Một cửa quá hạn xác nhận, đã cảnh báo: {alerted:,}.")
