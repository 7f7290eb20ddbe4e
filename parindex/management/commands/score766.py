"""python manage.py score766 --input counts.json [--config VERSION]: the Decision-766 score of one
agency and period from a flat JSON object of aggregated counts (see parindex/score766.py)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from parindex.models import IndexConfig, IndexKind
from parindex.score766 import CONFIGS, DEFAULT_CONFIG, CountsError, score
from parindex.scoring import config_766


def load_config(version: str):
    """A version stored as data (copied and edited by an administrator) wins over the built-in one."""
    stored = IndexConfig.objects.filter(kind=IndexKind.QD766, version=version).first()
    if stored is not None:
        return config_766(stored)
    return CONFIGS.get(version)


class Command(BaseCommand):
    help = "Tính điểm Bộ chỉ số 766 từ tệp JSON số liệu tổng hợp của một đơn vị, một kỳ."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True,
                            help="Tệp JSON phẳng: {\"dossiers_received\": 120, …} ('-': đọc từ stdin).")
        parser.add_argument("--config", default=DEFAULT_CONFIG,
                            help=f"Phiên bản cấu hình 766 (bộ chỉ số đã lưu); mặc định {DEFAULT_CONFIG}.")

    def handle(self, *args, **options):
        config = load_config(options["config"])
        if config is None:
            known = sorted({*CONFIGS, *IndexConfig.objects.filter(kind=IndexKind.QD766).values_list("version",
                                                                                                    flat=True)})
            raise CommandError(f"Không có cấu hình “{options['config']}”. Có: {', '.join(known)}.")
        path = options["input"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}.") from None
        try:
            counts = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"Tệp {path} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}).") from None
        try:
            result = score(counts, config)
        except CountsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
