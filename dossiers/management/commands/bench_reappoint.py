"""A day off declared after reception, at a province's scale: how long re-appointing the open dossiers takes.

    python manage.py generate_dossiers --count 1000000 --open-only     # a province's open dossiers
    python manage.py bench_reappoint [--date 2026-12-23]

Declares that day a day off (a national `CalendarOverride`, as the admin would; the task its save queues is
not sent: the re-appointment is run and timed here) and times, separately, moving the appointments
(`dossiers_reappoint_for_calendar`: read the ids, then per batch lock, count again, one UPDATE, the events)
and telling the citizens (the e-mails and SMS queued, the timeline note). Checked: something moved, every
moved dossier has its event, and a second run moves nothing. Run it on a database made for benchmarks: the
override and the moves stay.
"""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from workcalendar.models import CalendarOverride
from workcalendar.units import OverrideKind

from ... import tasks
from ...lateness import calendar_changes
from ...models import Dossier, DossierEvent, EventType
from ...workflow import OPEN


class Command(BaseCommand):
    help = "Đo thời gian hẹn lại hàng loạt khi thêm một ngày nghỉ (hồ sơ đang giải quyết)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="ngày nghỉ thêm (YYYY-MM-DD); mặc định: ngày làm việc 7 ngày tới")
        parser.add_argument("--batch", type=int, default=calendar_changes.BATCH)

    def handle(self, *args, date=None, batch, **options):
        if batch < 1:
            raise CommandError("--batch phải là số nguyên dương.")
        today = timezone.localdate()
        try:
            day = dt.date.fromisoformat(date) if date else today + dt.timedelta(days=7)
        except ValueError as exc:
            raise CommandError("--date phải có dạng YYYY-MM-DD.") from exc
        while not date and day.weekday() >= 5:
            day += dt.timedelta(days=1)
        if CalendarOverride.objects.filter(date=day, province__isnull=True).exists():
            raise CommandError(f"{day:%d/%m/%Y} đã có trong lịch: chọn ngày khác (--date).")
        open_total = Dossier.objects.filter(status__in=OPEN).count()
        self.stdout.write(f"{connection.vendor}: {open_total:,} hồ sơ đang giải quyết; ngày nghỉ thêm {day:%d/%m/%Y}")
        told: list[int] = []
        with mock.patch.object(tasks.reappoint_for_calendar_task, "delay"):
            CalendarOverride.objects.create(date=day, kind=OverrideKind.DAY_OFF, name="Ngày nghỉ thêm (đo)")
        with mock.patch.object(calendar_changes, "tell_citizens", side_effect=told.extend):
            started = time.perf_counter()
            counts = calendar_changes.dossiers_reappoint_for_calendar(dates=[day], batch=batch)
            moving = time.perf_counter() - started
        if counts["moved"] == 0:
            raise CommandError(f"Không hồ sơ nào được hẹn lại ({counts['checked']:,} được xét): không đo được.")
        written = DossierEvent.objects.filter(type=EventType.CALENDAR_REAPPOINTED, payload__dates=[day.isoformat()])
        if written.count() != counts["moved"]:
            raise CommandError(f"{counts['moved']:,} hồ sơ được hẹn lại nhưng có {written.count():,} sự kiện.")
        started = time.perf_counter()
        calendar_changes.tell_citizens(told)
        telling = time.perf_counter() - started
        started = time.perf_counter()
        again = calendar_changes.dossiers_reappoint_for_calendar(dates=[day], batch=batch)
        second = time.perf_counter() - started
        if again["moved"]:
            raise CommandError(f"Lần chạy thứ hai lại hẹn lại {again['moved']:,} hồ sơ.")
        rate = counts["checked"] / moving if moving else 0
        self.stdout.write(f"hẹn lại: xét {counts['checked']:,}, dời {counts['moved']:,} hồ sơ trong {moving:.1f} s "
                          f"({rate:,.0f} hồ sơ/s)")
        self.stdout.write(f"báo cho công dân: {len(told):,} sự kiện trong {telling:.1f} s "
                          f"({len(told) / telling if telling else 0:,.0f}/s)")
        self.stdout.write(f"chạy lại (không dời gì): {second:.1f} s")
