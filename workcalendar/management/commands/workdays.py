"""python manage.py workdays --year 2026 [--agency CODE]: the year's special days."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from workcalendar.selectors import calendar_for, unconfirmed_coming_year

from ._common import agency_or_none

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


class Command(BaseCommand):
    help = "Liệt kê ngày nghỉ rơi vào ngày thường và ngày làm bù vào cuối tuần của một năm."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--agency", help="mã cơ quan (áp dụng ngày nghỉ riêng của tỉnh)")

    def handle(self, *args, year, agency=None, **options):
        cal = calendar_for(agency_or_none(agency))
        if not cal.first_year <= year <= cal.last_year:
            raise CommandError(f"Năm {year} nằm ngoài phạm vi lịch ({cal.first_year}–{cal.last_year}).")
        try:
            days = cal.special_days(year)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for day, kind, name in days:
            label = "nghỉ   " if kind == "day_off" else "làm bù "
            self.stdout.write(f"{day.isoformat()}  {WEEKDAYS[day.weekday()]:<9} {label} {name}")
        off = sum(1 for _, k, _ in days if k == "day_off")
        self.stdout.write(f"Tổng: {off} ngày nghỉ vào ngày thường, {len(days) - off} ngày làm bù.")
        if unconfirmed_coming_year() == year:
            self.stdout.write(self.style.WARNING(
                f"Cảnh báo: lịch nghỉ năm {year} chưa được xác nhận theo thông báo chính thức."))
