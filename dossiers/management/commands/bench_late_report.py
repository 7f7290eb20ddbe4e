"""Server time of the late-dossier report (/ho-so/bao-cao/tre-han/): the page as a leader sees it, grouped by
agency, by procedure and by officer, and the second page of its list of late dossiers.

    python manage.py generate_dossiers --count 1000000 --days 1825 && python manage.py sweep_deadlines
    python manage.py bench_late_report [--user lanhdao.pleiku@demo.gov.vn] [--repeat 30]

The late counts are refreshed first, as each sweep does at its end (`late_tally_refresh`, timed).
Every timed request is checked: a 200 whose list starts with the first late dossier (counted here directly
over the dossier table, not through the report's own code) and whose summary shows the right overdue count
of the largest group. Prints median and p95 in ms.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qsl

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from accounts import access
from accounts.models import User
from core.bench import summary, timed

from ...lateness.sweep import RUNNING, late_tally_refresh
from ...models import DeadlineState, Dossier

LATE = (DeadlineState.OVERDUE, DeadlineState.DUE_SOON)
GROUP_FIELD = {"agency": "handling_agency__name", "procedure": "procedure_version__procedure__name",
               "officer": "assignee__full_name"}


class Command(BaseCommand):
    help = "Đo thời gian trang báo cáo hồ sơ trễ hạn."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="lanhdao.pleiku@demo.gov.vn")
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, user, repeat, **options):
        officer = User.objects.filter(email=user).first()
        if officer is None:
            raise CommandError(f"Không có người dùng {user}.")
        late = Dossier.objects.filter(status__in=RUNNING, track__in=LATE,
                                      handling_agency__in=access.visible_agency_ids(officer))
        ordered = list(late.order_by("due_at", "id").values_list("code", flat=True)[:51])
        if not ordered:
            raise CommandError("Không có hồ sơ trễ hạn: chạy generate_dossiers rồi sweep_deadlines trước.")
        self.stdout.write(f"{connection.vendor}: {Dossier.objects.count():,} hồ sơ, {late.count():,} quá hạn hoặc "
                          f"sắp đến hạn ở các cơ quan {user} xem được")
        started = time.perf_counter()
        groups = late_tally_refresh()  # what the sweep does at the end of every run, timed: the cost moved there
        self.stdout.write(f"  late tally (end of each sweep): {groups:,} rows in "
                          f"{(time.perf_counter() - started) * 1000:.0f} ms")
        client = Client(HTTP_HOST="127.0.0.1")  # an allowed host whatever the settings: the real page, not a 400
        client.force_login(officer)
        url = reverse("dossiers:late_report")

        def biggest(group):
            """The overdue count of the group with the most overdue dossiers, counted directly."""
            top = (late.filter(track=DeadlineState.OVERDUE).values(GROUP_FIELD[group]).annotate(n=Count("id"))
                   .order_by("-n").first())
            return top["n"] if top else 0

        def page(params, first_code, overdue=None):
            response = client.get(url, params)
            html = response.content.decode()
            if response.status_code != 200 or f">{first_code}<" not in html:
                raise CommandError(f"{url} {params} trả về {response.status_code} không có {first_code}.")
            if overdue is not None and not re.search(rf'data-testid="late-summary".*?>{overdue}<', html, re.S):
                raise CommandError(f"{url} {params}: bảng tổng hợp không có số quá hạn {overdue}.")
            return html

        expected = {group: biggest(group) for group in ("agency", "procedure", "officer")}
        runs = {f"by {group}": (lambda g=group, n=n: page({"by": g}, ordered[0], n)) for group, n in expected.items()}
        html = page({}, ordered[0])
        cursor = re.search(r'data-testid="late-next" href="\?([^"]*)"', html)
        if cursor and len(ordered) > 50:
            query = dict(parse_qsl(cursor.group(1).replace("&amp;", "&")))
            runs["list page 2"] = lambda q=query: page(q, ordered[50])
        else:
            self.stdout.write("  (the page has no second page of its list)")
        for label, fn in runs.items():
            wall, cpu = [], []
            for _ in range(repeat):
                started = time.process_time()
                wall.append(timed(fn))
                cpu.append((time.process_time() - started) * 1000)
            # the CPU this process spent (Python, templates; not PostgreSQL): apart from other load on the machine
            self.stdout.write(f"  {label:<14} {summary(wall)}; process CPU {summary(cpu).split(' (')[0]}")
