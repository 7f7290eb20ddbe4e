"""Server time of one agency's breakdown page (/chi-so/co-quan/<pk>/phan-tich/) by field, by procedure and by
officer, for this month and this year.

    python manage.py generate_dossiers --count 1000000 --days 1825 && python manage.py recompute_metrics ...
    python manage.py bench_breakdown [--user noivu@demo.gov.vn] [--agency H21.65] [--repeat 30]

Every timed request is checked: a 200 whose total row shows the dossiers received at the agency's desk and
finished by the agency in the period, both counted here directly over the dossier table. Prints median and
p95 in ms.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from core.bench import summary, timed
from dossiers.models import Dossier
from dossiers.stats import next_month
from workcalendar.calendar import TZ

PERIODS = {"thang": "this month", "nam": "this year"}
# the total row: received (1st number), finished (5th cell after the name)
TOTAL = re.compile(r'<tr class="total"><td[^>]*><strong>[^<]*</strong></td>'
                   r'<td[^>]*>(\d+)</td>(?:<td[^>]*>[^<]*</td>){3}<td[^>]*>(\d+)</td>')


class Command(BaseCommand):
    help = "Đo thời gian trang phân tích theo lĩnh vực, thủ tục, cán bộ của một cơ quan."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="noivu@demo.gov.vn")
        parser.add_argument("--agency", default="H21.65")
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, user, agency, repeat, **options):
        officer = User.objects.filter(email=user).first()
        if officer is None:
            raise CommandError(f"Không có người dùng {user}.")
        unit = Agency.objects.filter(code=agency).first()
        if unit is None:
            raise CommandError(f"Không có cơ quan {agency}.")
        self.stdout.write(f"{connection.vendor}: {Dossier.objects.count():,} hồ sơ; {unit.name}")
        client = Client(HTTP_HOST="127.0.0.1")  # an allowed host whatever the settings: the real page, not a 400
        client.force_login(officer)
        url = reverse("parindex:breakdown", args=[unit.pk])
        today = timezone.localdate()
        for preset, period in PERIODS.items():
            first = today.replace(day=1) if preset == "thang" else today.replace(month=1, day=1)
            start = dt.datetime.combine(first, dt.time.min, tzinfo=TZ)
            end = dt.datetime.combine(next_month(today.replace(day=1)), dt.time.min, tzinfo=TZ)
            dossiers = Dossier.objects
            received = dossiers.filter(receiving_agency=unit, received_at__gte=start, received_at__lt=end).count()
            finished = dossiers.filter(handling_agency=unit, resolved_at__gte=start, resolved_at__lt=end).count()
            self.stdout.write(f"[{period}] {received:,} received, {finished:,} finished")

            def page(by, preset=preset, expected=(str(received), str(finished)), since=f"{first:%Y-%m}"):
                response = client.get(url, {"theo": by, "ky": preset})
                found = TOTAL.search(response.content.decode())
                if response.status_code != 200 or found is None or found.groups() != expected:
                    raise CommandError(f"{url} theo={by} ky={preset} trả về {response.status_code}, dòng tổng "
                                       f"{found.groups() if found else None} thay vì {expected} (bảng thống kê "
                                       "đã được làm mới sau khi sinh dữ liệu chưa? manage.py recompute_metrics "
                                       f"--from {since}).")
            for by in ("linh-vuc", "thu-tuc", "can-bo"):
                wall, cpu = [], []
                for _ in range(repeat):
                    started = time.process_time()
                    wall.append(timed(lambda b=by: page(b)))
                    cpu.append((time.process_time() - started) * 1000)
                # the CPU this process spent (Python, templates; not PostgreSQL): apart from other load on the machine
                self.stdout.write(f"  by {by:<9} {summary(wall)}; process CPU {summary(cpu).split(' (')[0]}")
