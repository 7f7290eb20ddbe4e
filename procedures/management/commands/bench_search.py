"""Benchmark the catalogue search with a generated catalogue (default 2,000 procedures).

    python manage.py bench_search [--procedures 2000] [--repeat 20] [--keep]

Generates procedures (each with a published version, two channels and a document) inside a
transaction, times the search selector and the HTML list page for a set of typical queries, and
rolls everything back unless --keep is given. Run it against PostgreSQL for production numbers.
The third line times each query with the Python caches of procedures.text emptied first: what a
query nobody asked before costs on SQLite.
"""

from __future__ import annotations

import random
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings

from procedures import text
from procedures.models import (
    ChannelOption,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
)
from procedures.selectors import procedure_search

NOUNS = ["khai sinh", "kết hôn", "khai tử", "giấy phép xây dựng", "hộ kinh doanh", "lý lịch tư pháp",
         "quyền sử dụng đất", "an toàn thực phẩm", "giấy phép lái xe", "chứng thực bản sao", "người có công",
         "bảo trợ xã hội", "văn bằng chứng chỉ", "giấy phép kinh doanh", "biển số xe", "môi trường", "khoáng sản",
         "nhà ở", "đầu tư", "lao động nước ngoài", "du lịch", "di sản văn hóa", "thủy lợi", "hộ tịch"]
VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Thu hồi", "Xác nhận", "Công nhận",
         "Thay đổi"]
QUERIES = ["dang ky khai sinh", "giấy phép xây dựng", "ho kinh doanh", "cap lai giay phep lai xe", "1.00123",
           "chung thuc", "an toan thuc pham", "khai sinhh", "quyen su dung dat lan dau", "xyz khong co"]


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo tốc độ tìm kiếm thủ tục với danh mục sinh tự động."

    def add_arguments(self, parser):
        parser.add_argument("--procedures", type=int, default=2000)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="giữ lại dữ liệu sinh ra")

    def handle(self, *args, procedures, repeat, keep, **options):
        try:
            with transaction.atomic():
                self._generate(procedures)
                self._measure(repeat)
                if not keep:
                    raise Rollback
        except Rollback:
            self.stdout.write("Dữ liệu sinh ra đã được huỷ (rollback).")

    def _generate(self, n: int) -> None:
        rng = random.Random(7)
        t0 = time.perf_counter()
        field, _ = Field.objects.get_or_create(code="BENCH", defaults={"name": "Lĩnh vực thử tải"})
        rows = []
        for i in range(n):
            suffix = rng.choice(["", "cho cá nhân", "cho tổ chức", "lần đầu", "trong nước"])
            name = f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {suffix}".strip()
            p = Procedure(code=f"9.{100000 + i:06d}", name=name, field=field, level=rng.choice(["commune", "province"]),
                          keywords=rng.choice(NOUNS))
            p.search_text = p.build_search_text()
            rows.append(p)
        Procedure.objects.bulk_create(rows, batch_size=1000)
        created = Procedure.objects.filter(field=field)
        versions = ProcedureVersion.objects.bulk_create([
            ProcedureVersion(procedure=p, number=1, status=VersionStatus.PUBLISHED, decision_number=f"B-{p.code}",
                             effective_from="2025-01-01", online_level="full") for p in created], batch_size=1000)
        ChannelOption.objects.bulk_create([ChannelOption(version=v, channel=c, time_limit=rng.randrange(0, 20))
                                           for v in versions for c in ("in_person", "online")], batch_size=2000)
        RequiredDocument.objects.bulk_create([RequiredDocument(version=v, name="Đơn đề nghị") for v in versions],
                                             batch_size=2000)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE procedures_procedure")
        total = Procedure.objects.count()
        self.stdout.write(f"{connection.vendor}: {total:,} thủ tục trong danh mục (sinh {n:,} trong "
                          f"{time.perf_counter() - t0:.1f} s)")

    def _measure(self, repeat: int) -> None:
        # The test client's host is "testserver": without it in ALLOWED_HOSTS every page is a 400.
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            self._measure_all(repeat)

    def _page(self, client: Client, q: str) -> None:
        response = client.get("/thu-tuc/", {"q": q})
        if response.status_code != 200:
            raise CommandError(f"/thu-tuc/?q={q} trả về {response.status_code}, không đo được trang.")

    def _measure_all(self, repeat: int) -> None:
        client = Client()
        for label, run in (
            ("selector, first page (20)", lambda q: list(procedure_search(q=q)[:20])),
            ("HTML page /thu-tuc/?q=", lambda q: self._page(client, q)),
            ("selector, caches of procedures.text emptied", self._cold_search),
        ):
            times = []
            for _ in range(repeat):
                for q in QUERIES:
                    t0 = time.perf_counter()
                    run(q)
                    times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            self.stdout.write(f"{label}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
                              f"max {times[-1]:.1f} ms over {len(times)} queries")
        hits = {q: procedure_search(q=q).count() for q in QUERIES}
        self.stdout.write("kết quả: " + ", ".join(f"{q!r}={n}" for q, n in hits.items()))

    @staticmethod
    def _cold_search(q: str) -> None:
        """A query nobody asked before, in a process that has not yet seen the catalogue's texts (the
        loop above repeats the same queries, which SQLite's Python similarity caches)."""
        for name in ("trigrams", "_indexed", "_trigram_set", "catalogue_similarity"):
            cached = getattr(text, name, None)
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()
        list(procedure_search(q=q)[:20])
