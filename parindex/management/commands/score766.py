"""python manage.py score766 --input counts.json [--config VERSION]: the Decision-766 score of one
agency and period from a flat JSON object of aggregated counts (see parindex/score766.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from parindex.score766 import CONFIGS, DEFAULT_CONFIG, CountsError, score


class Command(BaseCommand):
    help = "Tính điểm Bộ chỉ số 766 từ tệp JSON số liệu tổng hợp của một đơn vị, một kỳ."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True,
                            help="Tệp JSON phẳng: {\"dossiers_received\": 120, …} ('-': đọc từ stdin).")
        parser.add_argument("--config", default=DEFAULT_CONFIG,
                            help=f"Phiên bản cấu hình ({', '.join(CONFIGS)}); mặc định {DEFAULT_CONFIG}.")

    def handle(self, *args, **options):
        config = CONFIGS.get(options["config"])
        if config is None:
            raise CommandError(f"Không có cấu hình “{options['config']}”. Có: {', '.join(CONFIGS)}.")
        path = options["input"]
        try:
            if path == "-":
                import sys

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
