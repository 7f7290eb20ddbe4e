"""python manage.py due_date --received 2026-02-12T10:00 --amount 5 --unit working_days [--agency CODE]"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from workcalendar.calendar import TZ
from workcalendar.deadlines import due, explain
from workcalendar.selectors import calendar_for
from workcalendar.units import DurationUnit

from ._common import agency_or_none


def parse_moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"Thời điểm nhận không hợp lệ: {text!r}. Dùng dạng ISO 8601, ví dụ 2026-02-12T10:00 "
            "(giờ Việt Nam) hoặc 2026-02-12T10:00+07:00."
        ) from None
    return moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment


def parse_amount(text: str, unit: str):
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"Thời hạn không hợp lệ: {text!r} (phải là một số, ví dụ 5 hoặc 4.5).") from None
    if not value.is_finite():
        raise CommandError(f"Thời hạn không hợp lệ: {text!r}.")
    return int(value) if value == value.to_integral_value() and unit != DurationUnit.WORKING_HOURS else value


class Command(BaseCommand):
    help = "Tính thời điểm hẹn trả kết quả theo lịch làm việc (ngày lễ, ngày làm bù, giờ chốt 15:00)."

    def add_arguments(self, parser):
        parser.add_argument("--received", required=True, help="thời điểm nhận hồ sơ, ISO 8601")
        parser.add_argument("--amount", required=True, help="thời hạn (số)")
        parser.add_argument("--unit", default=DurationUnit.WORKING_DAYS, choices=DurationUnit.values)
        parser.add_argument("--agency", help="mã cơ quan (giờ làm việc, ngày nghỉ riêng của tỉnh)")

    def handle(self, *args, received, amount, unit, agency=None, **options):
        moment = parse_moment(received)
        value = parse_amount(amount, unit)
        cal = calendar_for(agency_or_none(agency))
        try:
            result = due(cal, moment, value, unit)
            line = explain(cal, moment, value, unit)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(result.isoformat())
        self.stdout.write(line)
