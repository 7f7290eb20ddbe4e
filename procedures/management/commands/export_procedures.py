"""python manage.py export_procedures [--format json|csv] [--output FILE]"""

from django.core.management.base import BaseCommand

from procedures.transfer import export_csv, export_json


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục hành chính (JSON procedures/v1, hoặc CSV phần phẳng)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", help="tệp đích (mặc định: in ra màn hình)")

    def handle(self, *args, format="json", output=None, **options):
        text = export_json() if format == "json" else export_csv()
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            self.stderr.write(f"Đã ghi {output}.")
        else:
            self.stdout.write(text, ending="")
