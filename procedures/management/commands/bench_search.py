"""Benchmark the catalogue search with a generated catalogue (default 2,000 procedures).

    python manage.py bench_search [--procedures 2000] [--repeat 20] [--keep | --reuse]

Generates procedures (each with a published version, two channels and a document) inside a
transaction, times the catalogue page and the search selector for a set of typical queries (a word,
two words, a typo, a code, a field filter with no query, a second page), and rolls everything back
unless --keep is given (--reuse then times the kept catalogue again without generating it; the
generation is seeded, so kept and rolled-back runs hold the same rows). Run it against PostgreSQL
for production numbers.

Every timed page is asked with an allowed host (the real page, not a 400) and checked: a 200 showing
the true total and the expected procedures of that page, in order (taken from `procedure_search`
before timing). The queries per page are counted with every statement of the page.

For many clients at once, keep the catalogue and run gunicorn (2 workers, 127.0.0.1) with
DEBUG=false and collected static files, then: `wrk -t2 -c20 -d30s -s scripts/wrk_search.lua
http://127.0.0.1:8000` (the same queries; prints req/s, p50/p95 and the errors).
The last line times each query with the Python caches of procedures.text emptied first: what a
query nobody asked before costs on SQLite.
"""

from __future__ import annotations

import random
import re
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from core.bench import summary, timed
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
from procedures.views import PAGE_SIZE

NOUNS = ["khai sinh", "kết hôn", "khai tử", "giấy phép xây dựng", "hộ kinh doanh", "lý lịch tư pháp",
         "quyền sử dụng đất", "an toàn thực phẩm", "giấy phép lái xe", "chứng thực bản sao", "người có công",
         "bảo trợ xã hội", "văn bằng chứng chỉ", "giấy phép kinh doanh", "biển số xe", "môi trường", "khoáng sản",
         "nhà ở", "đầu tư", "lao động nước ngoài", "du lịch", "di sản văn hóa", "thủy lợi", "hộ tịch"]
VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Thu hồi", "Xác nhận", "Công nhận",
         "Thay đổi"]
FIELD = "BENCH"
# (label, the page's GET parameters): the same set as scripts/wrk_search.lua.
CASES = [
    ("a word", {"q": "chung thuc"}),
    ("two words", {"q": "ho kinh doanh"}),
    ("a typo", {"q": "khai snh"}),
    ("a code", {"q": "9.100123"}),
    ("field filter, no query", {"field": FIELD, "level": "commune"}),
    ("four words", {"q": "giay phep xay dung"}),
    ("six words", {"q": "cap lai giay phep lai xe"}),
    ("second page", {"q": "khai sinh", "page": "2"}),
    ("accents", {"q": "giấy phép xây dựng"}),
    ("nothing found", {"q": "xyz khong co"}),
]
COUNT_RE = re.compile(r'data-testid="result-count">\D*([\d.,]+)')


class Rollback(Exception):
    pass


def _host() -> str:
    """A host the settings allow, so the page timed is the real one (not a 400 for 'testserver')."""
    for host in settings.ALLOWED_HOSTS:
        if host == "*":
            return "127.0.0.1"
        if host and not host.startswith("."):
            return host.strip("[]") if host.startswith("[") else host
    raise CommandError("ALLOWED_HOSTS không có tên máy cụ thể nào để đo trang.")


class Command(BaseCommand):
    help = "Đo tốc độ tìm kiếm thủ tục với danh mục sinh tự động."

    def add_arguments(self, parser):
        parser.add_argument("--procedures", type=int, default=2000)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="giữ lại dữ liệu sinh ra")
        parser.add_argument("--reuse", action="store_true", help="đo lại danh mục đã giữ lại (--keep) trước đó")

    def handle(self, *args, procedures, repeat, keep, reuse, **options):
        try:
            with transaction.atomic():
                existing = Procedure.objects.filter(field__code=FIELD).count()
                if reuse and existing:
                    self.stdout.write(f"{connection.vendor}: dùng lại {existing:,} thủ tục đã sinh, "
                                      f"{Procedure.objects.count():,} trong danh mục")
                elif existing:
                    raise CommandError(f"Đã có {existing:,} thủ tục lĩnh vực {FIELD} (chạy với --reuse).")
                else:
                    self._generate(procedures)
                self._measure(repeat)
                if not (keep or reuse):
                    raise Rollback
        except Rollback:
            self.stdout.write("Dữ liệu sinh ra đã được huỷ (rollback).")

    def _generate(self, n: int) -> None:
        rng = random.Random(7)
        t0 = time.perf_counter()
        field, _ = Field.objects.get_or_create(code=FIELD, defaults={"name": "Lĩnh vực thử tải"})
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
                for table in ("procedures_procedure", "procedures_procedureversion", "procedures_field"):
                    cursor.execute(f"ANALYZE {table}")
        total = Procedure.objects.count()
        self.stdout.write(f"{connection.vendor}: {total:,} thủ tục trong danh mục (sinh {n:,} trong "
                          f"{time.perf_counter() - t0:.1f} s)")

    @staticmethod
    def _expected(params: dict) -> tuple[int, list[str]]:
        """The true total and the codes of the asked page, from the selector (not timed)."""
        results = procedure_search(q=params.get("q", ""), field=params.get("field"), level=params.get("level"))
        page = int(params.get("page", 1))
        codes = list(results.values_list("code", flat=True)[(page - 1) * PAGE_SIZE:page * PAGE_SIZE])
        return results.count(), codes

    def _measure(self, repeat: int) -> None:
        client = Client(HTTP_HOST=_host())
        expected = {label: self._expected(params) for label, params in CASES}

        def page(label: str, params: dict) -> None:
            response = client.get("/thu-tuc/", params)
            self._check(label, params, response, *expected[label])

        # The pages as every search runs them (CATALOGUE_SEARCH_CACHE_SECONDS=0), then with the cache as set (a
        # run that generated the catalogue wrote it in this transaction: the cache is not used then either).
        for mode, seconds in (("cache off", 0), ("cache as set", settings.CATALOGUE_SEARCH_CACHE_SECONDS)):
            with override_settings(CATALOGUE_SEARCH_CACHE_SECONDS=seconds):
                self._time_pages(mode, page, repeat, expected)

        selector = [timed(lambda params=params: list(procedure_search(q=params.get("q", ""))[:PAGE_SIZE]))
                    for _ in range(repeat) for _label, params in CASES]
        self.stdout.write(f"selector procedure_search, first {PAGE_SIZE} rows: {summary(selector)}")
        cold = [timed(lambda params=params: self._cold_search(params.get("q", "")))
                for _ in range(repeat) for _label, params in CASES]
        self.stdout.write(f"selector, caches of procedures.text emptied: {summary(cold)}")

    def _time_pages(self, mode: str, page, repeat: int, expected: dict) -> None:
        statements = {}
        for label, params in CASES:  # once, outside the timing: the statements of each page
            page(label, params)  # warm
            with CaptureQueriesContext(connection) as queries:
                page(label, params)
            statements[label] = len(queries.captured_queries)
        all_pages, by_case = [], {label: [] for label, _ in CASES}
        for _ in range(repeat):
            for label, params in CASES:
                ms = timed(lambda label=label, params=params: page(label, params))
                all_pages.append(ms)
                by_case[label].append(ms)
        self.stdout.write(f"HTML page /thu-tuc/, {mode} (200, total and rows checked), all queries: "
                          f"{summary(all_pages)}")
        for label, params in CASES:
            total, _codes = expected[label]
            self.stdout.write(f"  {label:<24} {params!s:<45} {total:>5} found, {statements[label]} SQL: "
                              f"{summary(by_case[label])}")

    @staticmethod
    def _check(label: str, params: dict, response, total: int, codes: list[str]) -> None:
        """A 200 page stating the true total and listing the expected procedures in order."""
        where = f"/thu-tuc/ {params} ({label})"
        if response.status_code != 200:
            raise CommandError(f"{where} trả về {response.status_code}, không đo được trang.")
        content = response.content.decode()
        shown = COUNT_RE.search(content)
        if shown is None or int(re.sub(r"\D", "", shown.group(1))) != total:
            raise CommandError(f"{where}: trang không ghi đúng tổng số {total} kết quả.")
        positions = [content.find(f">{code}<") for code in codes]
        if -1 in positions or positions != sorted(positions):
            raise CommandError(f"{where}: trang không liệt kê đúng các thủ tục mong đợi theo thứ tự.")

    @staticmethod
    def _cold_search(q: str) -> None:
        """A query nobody asked before, in a process that has not yet seen the catalogue's texts (the
        loop above repeats the same queries, which SQLite's Python similarity caches)."""
        for name in ("trigrams", "_indexed", "_trigram_set", "catalogue_similarity"):
            cached = getattr(text, name, None)
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()
        list(procedure_search(q=q)[:20])
