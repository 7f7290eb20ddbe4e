"""The Mẫu 06 ledger PDF: what the officer's request costs and what the background layout costs.

    python manage.py bench_ledger [--user tiepnhan.pleiku@demo.gov.vn] [--agency H21.65] [--month 2026-03]

Picks, among the agencies the officer sees, the agency and month with the most received dossiers (≤ the PDF
limit) unless given. Times the page
request (it only queues the export) and the layout by the worker (`ledger_export_render`), each checked: the
request answers a redirect to the export page, the export ends "done" with one row per dossier of the month.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.test import Client
from django.urls import reverse

from accounts.models import Agency, User
from core.bench import summary, timed

from ...ledger import PDF_LIMIT, ledger_export_render, ledger_export_render_task, ledger_rows
from ...models import Dossier, ExportStatus, LedgerExport
from ...selectors import visible_agency_list


class Command(BaseCommand):
    help = "Đo thời gian in Sổ theo dõi hồ sơ (Mẫu 06): yêu cầu của cán bộ và dàn trang ở nền."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="tiepnhan.pleiku@demo.gov.vn")
        parser.add_argument("--agency", default="")
        parser.add_argument("--month", default="", help="YYYY-MM")
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, user, agency, month, repeat, **options):
        if repeat < 1:
            raise CommandError("--repeat phải là số nguyên dương.")
        officer = User.objects.filter(email=user).first()
        if officer is None:
            raise CommandError(f"Không có người dùng {user}.")
        months = (Dossier.objects.filter(received_at__isnull=False, receiving_agency__in=visible_agency_list(officer))
                  .annotate(month=TruncMonth("received_at")).values("receiving_agency", "month")
                  .annotate(n=Count("id")).order_by("-n"))
        if agency:
            months = months.filter(receiving_agency__code=agency)
        if month:
            try:
                first = dt.date.fromisoformat(month + "-01")
            except ValueError as exc:
                raise CommandError("--month phải có dạng YYYY-MM.") from exc
            months = months.filter(month__year=first.year, month__month=first.month)
        pick = months.filter(n__lte=PDF_LIMIT).first()  # the busiest month a PDF may hold
        if pick is None and months.exists():
            raise CommandError(f"Mọi tháng chọn được đều quá {PDF_LIMIT:,} hồ sơ, giới hạn của bản PDF: hãy chọn "
                               "--user là cán bộ của một cơ quan nhỏ hơn, hoặc --agency, --month.")
        if pick is None:
            raise CommandError("Không có tháng nào có hồ sơ (hãy chạy generate_dossiers trước).")
        where = Agency.objects.get(pk=pick["receiving_agency"])
        first = pick["month"].date() if hasattr(pick["month"], "date") else pick["month"]
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        rows = ledger_rows(where, first, last).count()
        self.stdout.write(f"{connection.vendor}: {where.code} {first:%m/%Y}, {rows:,} hồ sơ")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(officer)
        query = {"agency": where.code, "from": first.isoformat(), "to": last.isoformat()}
        requests, layouts, pages = [], [], 0
        for _ in range(repeat):
            LedgerExport.objects.filter(requested_by=officer).delete()  # not the reused one: a new export

            def ask():
                response = client.get(reverse("dossiers:ledger"), query)
                if response.status_code != 302 or "/so-theo-doi/ban-in/" not in response["Location"]:
                    raise CommandError(f"Yêu cầu trả về {response.status_code}: không đo được.")

            with mock.patch.object(ledger_export_render_task, "delay"):  # queued; the layout is timed below
                requests.append(timed(ask))
            export = LedgerExport.objects.filter(requested_by=officer).latest("created_at")
            layouts.append(timed(lambda export=export: ledger_export_render(export.pk)))
            export.refresh_from_db()
            if export.status != ExportStatus.DONE or export.rows != rows:
                raise CommandError(f"Bản in kết thúc {export.status} với {export.rows} dòng, cần {rows}.")
            pages = export.pages
        self.stdout.write(f"yêu cầu của cán bộ (chỉ xếp hàng): {summary(requests)}")
        self.stdout.write(f"dàn trang ở nền ({rows:,} dòng, {pages} trang): {summary(layouts)}")
