"""python manage.py backtest_forecast [--generate --dossiers 20000 --seed 1] [--cut 2026-06-01]

A benchmark, not a test: how well the lateness risk forecast ranks the dossiers that really went late, against
the current due-soon rule (`dossiers.lateness.backtest`). Prints ROC AUC and precision at the top 5 % side by
side. With --generate, first generates --dossiers dossiers with structured histories (generate_dossiers, four
appraisers per agency; needs seed_demo); without it, uses the data already in the database (the demo data too).
"""

import datetime as dt
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...lateness import backtest
from ...lateness.risk import parse_cut
from ...models import Dossier


def _number(value: float) -> str:
    return "   -  " if value != value else f"{value:6.3f}"  # NaN: not enough data of both kinds


class Command(BaseCommand):
    help = ("Kiểm định dự báo khả năng trễ hẹn trên lịch sử: học từ dữ liệu trước ngày cắt, dự báo tại nhiều "
            "thời điểm sau đó và so với thực tế (ROC AUC, độ chính xác ở 5 % hồ sơ rủi ro cao nhất), bên cạnh "
            "quy tắc “sắp đến hạn” hiện nay.")

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help="sinh dữ liệu trước (generate_dossiers)")
        parser.add_argument("--dossiers", type=int, default=20_000, help="số hồ sơ sinh ra (với --generate)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--days", type=int, default=300, help="số ngày lịch sử sinh ra (với --generate)")
        parser.add_argument("--officers", type=int, default=4, help="chuyên viên mỗi cơ quan (với --generate)")
        parser.add_argument("--cut", help="ngày cắt YYYY-MM-DD (mặc định: 110 ngày trước hôm nay)")
        parser.add_argument("--every", type=int, default=5, help="số ngày làm việc giữa hai thời điểm dự báo")

    def handle(self, *args, generate=False, dossiers=20_000, seed=1, days=300, officers=4, cut=None, every=5,
               **options):
        if generate and not 1 <= dossiers <= 5_000_000:
            raise CommandError("--dossiers phải từ 1 đến 5.000.000.")
        if every < 1:
            raise CommandError("--every phải lớn hơn 0.")
        try:
            cut_at = parse_cut(cut) if cut is not None else timezone.make_aware(
                dt.datetime.combine(timezone.localdate() - dt.timedelta(days=110), dt.time(0)))
        except ValueError as error:
            raise CommandError(str(error)) from None
        if cut_at >= timezone.now():
            raise CommandError("--cut phải là một ngày trong quá khứ.")
        if generate:
            call_command("generate_dossiers", "--count", str(dossiers), "--seed", str(seed), "--days", str(days),
                         "--officers", str(officers), stdout=self.stdout)
        if not Dossier.objects.exists():
            raise CommandError("Chưa có hồ sơ: dùng --generate (sau seed_demo) hoặc tạo dữ liệu trước.")
        moments = backtest.default_moments(cut_at, timezone.now(), every=every)
        if not moments:
            raise CommandError("Không còn thời điểm nào để dự báo sau ngày cắt (ngày cắt quá gần hôm nay).")
        started = time.perf_counter()
        result = backtest.run(cut=cut_at, moments=moments)
        total = Dossier.objects.count()
        self.stdout.write(
            f"\nDữ liệu: {total:,} hồ sơ; học từ lịch sử trước {timezone.localtime(cut_at):%d/%m/%Y} "
            f"({result.samples:,} lần đo bước); {len(moments)} thời điểm dự báo "
            f"({timezone.localtime(moments[0]):%d/%m/%Y} – {timezone.localtime(moments[-1]):%d/%m/%Y}), "
            f"{result.rows:,} lượt hồ sơ đang giải quyết chưa quá hạn, {result.late:,} thực sự trễ hẹn.")
        if not result.rows:
            self.stdout.write("Không có hồ sơ nào để đánh giá.")
            return
        self.stdout.write(f"{'':34}ROC AUC   Precision@5%")
        labels = {"risk": "Dự báo khả năng trễ (forecast)", "due_soon": "Quy tắc sắp đến hạn (rule)",
                  "hours_left": "Số giờ làm việc còn lại (rule)"}
        for name, label in labels.items():
            auc, precision = result.scores[name]
            self.stdout.write(f"{label:34}{_number(auc)}    {_number(precision)}")
        self.stdout.write(f"Tỷ lệ trễ chung: {result.late / result.rows:.3f}; "
                          f"tính trong {time.perf_counter() - started:.1f} s.")
