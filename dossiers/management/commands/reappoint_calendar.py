"""python manage.py reappoint_calendar --date 2026-03-06 [--date …] [--province H21] [--now ISO]

Re-appoints the open dossiers whose remaining time crosses the given days, with the working calendar in force
now (what saving a `CalendarOverride` queues by itself; run it by hand after loading overrides in bulk, or to
check). Running it twice moves nothing the second time."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Agency
from workcalendar.calendar import FIRST_YEAR, LAST_YEAR, TZ

from ...lateness.calendar_changes import dossiers_reappoint_for_calendar


class Command(BaseCommand):
    help = "Hẹn lại hồ sơ đang giải quyết khi lịch làm việc thay đổi (thêm ngày nghỉ, đổi ngày làm việc)."

    def add_arguments(self, parser):
        parser.add_argument("--date", action="append", default=[], dest="dates",
                            help="ngày thay đổi (YYYY-MM-DD); có thể lặp lại")
        parser.add_argument("--province", help="mã định danh của tỉnh có lịch thay đổi; bỏ trống: toàn quốc")
        parser.add_argument("--now", help="thời điểm ghi nhận (ISO 8601), mặc định: bây giờ")

    def handle(self, *args, dates=(), province=None, now=None, **options):
        if not dates:
            raise CommandError("Hãy cho biết ít nhất một ngày thay đổi: --date YYYY-MM-DD.")
        days = []
        for text in dates:
            try:
                day = dt.date.fromisoformat(text.strip())
            except ValueError:
                raise CommandError(f"Ngày không hợp lệ: {text!r} (dạng YYYY-MM-DD, ví dụ 2026-03-06).") from None
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise CommandError(f"Ngày {day:%d/%m/%Y} nằm ngoài phạm vi lịch làm việc ({FIRST_YEAR}–{LAST_YEAR}).")
            days.append(day)
        agency = None
        if province:
            agency = Agency.objects.filter(code=province.strip()).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mã {province!r}.")
            if agency.parent_id is not None:
                raise CommandError(f"{agency.name} không phải cấp tỉnh: hãy dùng mã của tỉnh.")
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"Thời điểm không hợp lệ: {now!r} (dạng 2026-03-05T16:00+07:00).") from None
            moment = moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment
        counts = dossiers_reappoint_for_calendar(dates=days, province=agency, now=moment)
        self.stdout.write(f"Đã xét {counts['checked']:,} hồ sơ; hẹn lại {counts['moved']:,} hồ sơ.")
