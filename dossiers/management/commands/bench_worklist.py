"""Server time of the staff worklist and the dossier page, plus the raw SQL of the same list query.

    python manage.py bench_worklist [--user tiepnhan.pleiku@demo.gov.vn] [--repeat 30]

Run it after `generate_dossiers --count 1000000` on PostgreSQL. Reports median and p95 in ms.
"""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.bench import summary, timed

from ...models import Dossier
from ...selectors import worklist, worklist_queryset


class Command(BaseCommand):
    help = "Đo thời gian danh sách hồ sơ cần xử lý và trang hồ sơ."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="tiepnhan.pleiku@demo.gov.vn")
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, user, repeat, **options):
        officer = User.objects.filter(email=user).first()
        if officer is None:
            raise CommandError(f"Không có người dùng {user}.")
        total = Dossier.objects.count()
        self.stdout.write(f"{connection.vendor}: {total:,} hồ sơ")
        client = Client(HTTP_HOST="127.0.0.1")  # an allowed host whatever the settings: the real page, not a 400
        client.force_login(officer)

        def page(path, params=None, expect=""):
            """The page, checked: a 200 carrying `expect` (a dossier code it must list)."""
            response = client.get(path, params or {})
            if response.status_code != 200 or expect not in response.content.decode():
                raise CommandError(f"{path} {params or ''} trả về {response.status_code}"
                                   + (f" không có {expect}" if expect else "") + ": không đo được trang.")
        url = reverse("dossiers:worklist")
        for queue in ("agency", "overdue", "mine", "done"):
            first = worklist(officer, queue=queue)
            after = None
            for _ in range(10):  # walk ten pages by keyset
                rows = worklist(officer, queue=queue, after=after)
                if len(rows) < 25:
                    break
                after = (rows[-1].due_at, rows[-1].pk)
            qs = worklist_queryset(officer, queue=queue, agency_column="receiving_agency")
            sql, params = qs.values_list("due_at", "pk")[:25].query.sql_with_params()

            def raw(sql=sql, params=params):
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

            self.stdout.write(f"[{queue}] {len(first)} rows on page 1")
            runs = {
                "selector page 1": lambda q=queue: worklist(officer, queue=q),
                "selector page 11": lambda q=queue, a=after: worklist(officer, queue=q, after=a),
                "raw SQL page 1": raw,
                "HTML page 1": lambda q=queue, c=(first[0].code or "") if first else "": page(url, {"queue": q}, c),
            }
            for label, fn in runs.items():
                self.stdout.write(f"  {label:<18} {summary([timed(fn) for _ in range(repeat)])}")
        ids = list(worklist_queryset(officer, queue="done").values_list("pk", flat=True)[:2000])
        rng = random.Random(1)
        samples = [timed(lambda: page(reverse("dossiers:detail", args=[rng.choice(ids)])))
                   for _ in range(repeat)] if ids else []
        if samples:
            self.stdout.write(f"dossier page (HTML): {summary(samples)}")
