"""python manage.py import_procedures FILE.json  (format: procedures/FORMAT.md)"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.transfer import ImportRejected, import_csv, import_procedures


class Command(BaseCommand):
    help = ("Nhập danh mục thủ tục hành chính từ tệp JSON (procedures/v1) hoặc CSV (phần phẳng: mã, tên, "
            "lĩnh vực, cấp). Tệp lỗi bị từ chối toàn bộ.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"Không tìm thấy tệp {file}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"Tệp {file} không phải văn bản UTF-8.") from None
        as_csv = path.suffix.lower() == ".csv"
        try:
            counts = import_csv(text) if as_csv else import_procedures(text)
        except ImportRejected as exc:
            raise CommandError(f"Tệp {file} bị từ chối, không có gì được nhập:\n{exc}") from None
        if as_csv:
            self.stdout.write(self.style.SUCCESS(
                f"Đã nhập (CSV): {counts['procedures']} thủ tục mới, {counts['updated']} cập nhật, "
                f"{counts['fields']} lĩnh vực mới; {counts['unchanged']} không đổi."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Đã nhập: {counts['procedures']} thủ tục mới, {counts['versions']} phiên bản mới, "
            f"{counts['fields']} lĩnh vực mới, {counts['overrides']} điều chỉnh danh mục tiếp nhận không phụ thuộc "
            f"địa giới hành chính mới; {counts['unchanged']} phiên bản đã có (bỏ qua)."))
