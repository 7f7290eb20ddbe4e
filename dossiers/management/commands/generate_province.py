"""A whole province for benchmarks: the demo province extended to ~150 agencies, then dossiers spread over them.

    python manage.py generate_province [--agencies 150] [--count 300000] [--days 1825] [--seed 1]
                                       [--province H21] [--batch 5000] [--open-only] [--part K/N] [--cluster]

1. **Agencies.** The province (the demo's H21, seed_demo first) gets departments and communes up to
   --agencies under it, about 13 % departments (≈ 20 of 150) and the rest communes and wards. The generated
   ones have codes the demo does not use (departments H21.31–H21.49, communes from H21.101 on) and names
   like the real ones; they inherit the province's working calendar and the default office hours.
2. **Staff.** Every agency has a reception officer, appraisers and a leader (the approver, also the agency's
   head), more for the big ones (two desk officers and a deputy leader); missing ones are generated accounts
   (`<role>.sinh<k>.<code>@sinh-du-lieu.invalid`, as `generate_dossiers --officers` names them) that are
   active but have no usable password: they can hold a session (the load test's staff, `loadtest_setup`),
   never log in with a password.
3. **Sizes.** The agencies' shares follow Zipf's law (weight 1/rank): the demo's two city wards and the
   provincial police are the biggest, the others in a fixed order drawn from the province's code (not --seed:
   the staff sizes follow the shares); a few big, many small.
4. **Dossiers** (--count, over the last --days days): `generate_dossiers`' engine with that spread; each agency
   handles the procedures of its level, has a slowness of its own and its own status mix (see there).

**In parallel**: `--part K/N` generates only the agencies whose place in code order is K modulo N, with their
share of --count, so N processes (K = 0 … N-1, after one run with --count 0 has made the agencies and staff) write
one province at once without sharing a per-agency code counter; the data differ from one process's (each part
has its own random stream), the structure (sizes, slowness) does not.

**Arrival order** (`--cluster`, PostgreSQL): the dossiers are received at random moments of --days, so the table is
not in reception order as a real one is; --cluster rewrites it in that order (CLUSTER on `dossier_received_at`) at
the end, so a month's counts read that month's pages, as in production.

Idempotent: the agencies and staff are keyed on their codes and e-mails, so running it again adds only
dossiers (and codes continue the per-agency per-day counters).
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count

from accounts.models import Agency, AgencyLevel, Role, StaffRole

from .generate_dossiers import Command as GenerateDossiers
from .generate_dossiers import Spread, _officers

DEPARTMENT_SHARE = 0.13
# Provincial departments and boards after the 2025 reorganisation (the demo already has Nội vụ, Tư pháp, Xây dựng
# and the police); code suffix, name, short name.
DEPARTMENTS = [
    ("31", "Sở Tài chính", "Sở Tài chính"), ("32", "Sở Công Thương", "Sở Công Thương"),
    ("33", "Sở Nông nghiệp và Môi trường", "Sở NN&MT"), ("34", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT"),
    ("35", "Sở Y tế", "Sở Y tế"), ("36", "Sở Khoa học và Công nghệ", "Sở KH&CN"),
    ("37", "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTT&DL"), ("38", "Sở Dân tộc và Tôn giáo", "Sở DT&TG"),
    ("39", "Sở Ngoại vụ", "Sở Ngoại vụ"), ("40", "Thanh tra tỉnh", "Thanh tra tỉnh"),
    ("41", "Văn phòng Ủy ban nhân dân tỉnh", "VP UBND tỉnh"), ("42", "Ban Quản lý Khu kinh tế tỉnh", "BQL KKT"),
    ("43", "Văn phòng Đăng ký đất đai tỉnh", "VP ĐKĐĐ tỉnh"), ("44", "Bộ Chỉ huy Quân sự tỉnh", "BCH QS tỉnh"),
    ("45", "Ban Quản lý dự án đầu tư xây dựng tỉnh", "BQLDA tỉnh"), ("46", "Quỹ Đầu tư phát triển tỉnh", "Quỹ ĐTPT"),
    ("47", "Trung tâm Xúc tiến đầu tư tỉnh", "TT XTĐT"), ("48", "Ban Dân tộc tỉnh", "Ban Dân tộc"),
    ("49", "Liên minh Hợp tác xã tỉnh", "Liên minh HTX"),
]
# Communes and wards: Jarai and Bahnar names of the highlands, Kinh names of the coast (the province merged
# Gia Lai and Bình Định); combined deterministically, never repeated.
HIGHLAND_HEADS = ["Ia", "Chư", "Kon", "Đak", "Krông", "Ayun", "Kông", "Đăk", "Plei", "H'"]
HIGHLAND_TAILS = ["Grai", "Pa", "Sao", "Păh", "Dơk", "Rong", "Pơ", "Blứ", "Hiao", "Tul", "Rsai", "Le", "Phang",
                  "Krái", "Hrung", "Nan", "Pết", "Mơ Rông", "Băng", "Pia", "Ly", "Khươl", "Dreh", "Bang", "Sol",
                  "Tôr", "Lâu", "Mrơn", "Ko", "Tiêm"]
COAST_HEADS = ["An", "Bình", "Phước", "Hoài", "Tây", "Cát", "Mỹ", "Nhơn", "Tam", "Vĩnh"]
COAST_TAILS = ["Hòa", "Thạnh", "Lộc", "Sơn", "Hưng", "Tường", "Thành", "Phong", "Quang", "Hiệp", "Nghĩa", "Lợi",
               "Tân", "Hảo", "Khánh"]
FIRST_COMMUNE = 101


def commune_names(seed: int = 21) -> list[str]:
    """Every commune name the generator may give, in a fixed order (the seed is fixed: names never move): two
    highland names for one coastal name, until both pools run out."""
    highland = [f"{h}{t}" if h.endswith("'") else f"{h} {t}" for h in HIGHLAND_HEADS for t in HIGHLAND_TAILS]
    coast = [f"{h} {t}" for h in COAST_HEADS for t in COAST_TAILS]
    rng = random.Random(seed)
    rng.shuffle(highland)
    rng.shuffle(coast)
    out = []
    while highland or coast:
        for pool in (highland, highland, coast):
            if pool:
                out.append(pool.pop())
    return out


def zipf_weights(codes: list[str], first: list[str], seed: str) -> dict[str, float]:
    """Weight 1/rank: the `first` codes (in that order) are the biggest, the rest in an order from `seed` (the
    province's code: the sizes, hence the staff, do not change with --seed)."""
    rest = sorted(c for c in codes if c not in first)
    random.Random(f"sizes:{seed}").shuffle(rest)
    ranked = [c for c in first if c in codes] + rest
    return {code: 1.0 / rank for rank, code in enumerate(ranked, start=1)}


BIGGEST = ["H21.65", "H21.66", "H21.30"]  # the demo's city wards and the provincial police


class Command(BaseCommand):
    help = ("Mở rộng tỉnh mẫu thành khoảng 150 cơ quan (sở, ngành, xã, phường) có cán bộ, rồi sinh hồ sơ phân bố "
            "không đều giữa các cơ quan (vài cơ quan lớn, nhiều cơ quan nhỏ), trong nhiều năm, để đo hiệu năng. "
            "Chạy lại không tạo trùng cơ quan, cán bộ; chỉ thêm hồ sơ.")

    def add_arguments(self, parser):
        parser.add_argument("--agencies", type=int, default=150, help="số cơ quan trực thuộc tỉnh sau khi mở rộng")
        parser.add_argument("--count", type=int, default=0, help="số hồ sơ sinh thêm (0: chỉ tạo cơ quan, cán bộ)")
        parser.add_argument("--days", type=int, default=1825)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--province", default="H21")
        parser.add_argument("--open-only", action="store_true")
        parser.add_argument("--cluster", action="store_true",
                            help="sau khi sinh: sắp xếp lại bảng hồ sơ theo thời điểm tiếp nhận (PostgreSQL CLUSTER), "
                                 "như bảng thật ghi theo thứ tự hồ sơ đến")
        parser.add_argument("--part", default="", metavar="K/N",
                            help="chỉ phần K trong N phần (theo thứ tự mã cơ quan), để chạy N tiến trình song song")

    def handle(self, *args, agencies, count, days, seed, batch, province, open_only=False, part="", cluster=False,
               **options):
        which = None
        if part:
            k, _, n = part.partition("/")
            if not (k.isdigit() and n.isdigit() and 0 <= int(k) < int(n) <= 16):
                raise CommandError("--part phải có dạng K/N với 0 ≤ K < N ≤ 16, ví dụ 0/2.")
            which = (int(k), int(n))
        if not 2 <= agencies <= 1000:
            raise CommandError("--agencies phải từ 2 đến 1.000.")
        if count < 0 or count > 20_000_000:
            raise CommandError("--count phải từ 0 đến 20.000.000.")
        if days <= 0 or batch <= 0:
            raise CommandError("--days và --batch phải lớn hơn 0.")
        root = Agency.objects.filter(code=province, parent__isnull=True).first()
        if root is None:
            raise CommandError(f"Không có tỉnh mã {province} (chạy seed_demo trước?).")
        with transaction.atomic():
            created = self._agencies(root, agencies)
            children = {a.code: a for a in Agency.objects.filter(parent=root, is_active=True).order_by("code")}
            weights = zipf_weights(list(children), BIGGEST, root.code)
            total = sum(weights.values())
            before = StaffRole.objects.filter(agency__in=children.values()).count()
            appraisers = {}
            for code, agency in children.items():
                share = weights[code] / total
                appraisers[code] = max(1, min(8, round(share * 60)))
                _officers(agency, Role.RECEPTION, 2 if share > 0.03 else 1, active=True)
                _officers(agency, Role.APPRAISER, appraisers[code], active=True)
                leaders = _officers(agency, Role.APPROVER, 2 if share > 0.03 else 1, active=True)
                if agency.head_id is None:
                    Agency.objects.filter(pk=agency.pk).update(head_id=leaders[0], head_title=agency.head_title or (
                        "Giám đốc" if agency.level != AgencyLevel.COMMUNE else "Chủ tịch"))
            staff = StaffRole.objects.filter(agency__in=children.values()).count()
        self.stdout.write(f"Tỉnh {root.code}: {len(children)} cơ quan trực thuộc ({created} mới), "
                          f"{staff} vai trò cán bộ ({staff - before} mới).")
        if count:
            GenerateDossiers(stdout=self.stdout, stderr=self.stderr).generate(
                found=children, count=count, days=days, seed=seed, batch=batch, open_only=open_only,
                spread=Spread(weights=weights, appraisers=appraisers), part=which)
            sizes = (Agency.objects.filter(parent=root).annotate(n=Count("received_dossiers"))
                     .order_by("-n").values_list("code", "n"))
            sizes = list(sizes)
            self.stdout.write("Hồ sơ theo cơ quan (lớn nhất): " + ", ".join(f"{c} {n:,}" for c, n in sizes[:5])
                              + f"; nhỏ nhất: {sizes[-1][0]} {sizes[-1][1]:,}")
        if cluster:
            self._cluster()

    def _cluster(self) -> None:
        """Rewrite the dossier table in reception order. The generator writes dossiers received at random moments
        of --days, so a month's dossiers lie all over the table (correlation of received_at with the physical
        order ≈ 0.07 at 5,000,000) and a month's count reads the whole table; a real one-stop shop writes them as
        they arrive. CLUSTER locks the table while it runs (minutes at millions of rows): a benchmark database only."""
        if connection.vendor != "postgresql":
            self.stdout.write("--cluster: chỉ áp dụng cho PostgreSQL, bỏ qua.")
            return
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # inside a caller's transaction: its checks done first
            cursor.execute("CLUSTER dossiers_dossier USING dossier_received_at")
            cursor.execute("ANALYZE dossiers_dossier")
        seconds = time.perf_counter() - started
        self.stdout.write(f"Đã sắp xếp bảng hồ sơ theo thời điểm tiếp nhận trong {seconds:.0f} s.")

    @staticmethod
    def _agencies(root: Agency, wanted: int) -> int:
        """Add generated departments and communes under `root` up to `wanted` children; returns how many were
        created. A generated code already used by an agency elsewhere stops everything (nothing is written)."""
        departments = [(f"{root.code}.{suffix}", name, short) for suffix, name, short in DEPARTMENTS]
        communes = [(f"{root.code}.{FIRST_COMMUNE + i}", name) for i, name in enumerate(commune_names())]
        generated = {code for code, *_ in departments} | {code for code, _ in communes}
        taken = Agency.objects.filter(code__in=generated).exclude(parent=root).values_list("code", flat=True)
        if taken:
            raise CommandError(f"Mã cơ quan đã dùng ngoài tỉnh {root.code}: {', '.join(sorted(taken))}.")
        others = Agency.objects.filter(parent=root).exclude(code__in=generated)
        own_departments = others.exclude(level=AgencyLevel.COMMUNE).count()
        own_communes = others.filter(level=AgencyLevel.COMMUNE).count()
        n_departments = max(0, min(len(departments), round(wanted * DEPARTMENT_SHARE) - own_departments))
        n_communes = max(0, min(len(communes), wanted - own_departments - own_communes - n_departments))
        province_name = root.name.removeprefix("Ủy ban nhân dân ")
        created = 0
        for code, name, short in departments[:n_departments]:
            _agency, new = Agency.objects.update_or_create(code=code, defaults={
                "parent": root, "name": f"{name} {province_name}", "short_name": short,
                "level": AgencyLevel.DEPARTMENT, "address": f"Phường Quy Nhơn, {province_name}",
                "head_title": "Giám đốc"})
            created += new
        for i, (code, name) in enumerate(communes[:n_communes]):
            kind = "phường" if i % 7 == 0 else "xã"
            _agency, new = Agency.objects.update_or_create(code=code, defaults={
                "parent": root, "name": f"Ủy ban nhân dân {kind} {name}", "short_name": f"UBND {kind} {name}",
                "level": AgencyLevel.COMMUNE, "address": f"{kind.capitalize()} {name}, {province_name}",
                "head_title": "Chủ tịch"})
            created += new
        return created
