"""python manage.py import_admin_units FILE.csv

Load the official list of administrative units (two tiers since 1 July 2025) for the address fields of
declarations. CSV with a header row: `code,name,level,province_code` (level `province` or `commune`;
`province_code` empty for a province). UTF-8, with or without BOM. The file is checked whole first: an error
on any row rejects it with the row's number and nothing changes. Loading it again changes nothing; a unit
absent from a new list is kept but no longer offered (`is_active` false), since old declarations name it.
"""

import csv
import io

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from eforms.models import AdministrativeUnit, UnitLevel

HEADER = ["code", "name", "level", "province_code"]


class Command(BaseCommand):
    help = "Nạp danh mục đơn vị hành chính (CSV: code,name,level,province_code)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--deactivate-missing", action="store_true",
                            help="Ngừng đưa ra lựa chọn các đơn vị không có trong tệp.")

    def handle(self, *args, path, deactivate_missing=False, **options):
        try:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from exc
        rows, errors = self.check(text)
        if errors:
            raise CommandError("Tệp bị từ chối, không nạp gì:\n" + "\n".join(errors[:50]))
        with transaction.atomic():
            created = updated = 0
            codes = {r["code"] for r in rows}
            provinces = {}
            for row in sorted(rows, key=lambda r: r["level"] != UnitLevel.PROVINCE):
                parent = None
                if row["level"] == UnitLevel.COMMUNE:
                    parent = provinces.get(row["province_code"]) or AdministrativeUnit.objects.get(
                        code=row["province_code"], level=UnitLevel.PROVINCE)
                unit, made = AdministrativeUnit.objects.update_or_create(code=row["code"], defaults={
                    "name": row["name"], "level": row["level"], "parent": parent, "is_active": True})
                if row["level"] == UnitLevel.PROVINCE:
                    provinces[unit.code] = unit
                created += made
                updated += not made
            gone = 0
            if deactivate_missing:
                gone = AdministrativeUnit.objects.exclude(code__in=codes).update(is_active=False)
        self.stdout.write(f"Đã nạp {created} đơn vị mới, cập nhật {updated}, ngừng sử dụng {gone}.")

    def check(self, text: str):
        reader = csv.reader(io.StringIO(text))
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            return [], ["Tệp rỗng."]
        if header[:4] != HEADER:
            return [], [f"dòng 1: tiêu đề phải là {','.join(HEADER)}"]
        rows, errors, seen = [], [], set()
        known_provinces = set(
            AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).values_list("code", flat=True))
        parsed = list(enumerate(reader, start=2))
        file_provinces = {r[0].strip() for _n, r in parsed if len(r) >= 3 and r[2].strip() == UnitLevel.PROVINCE}
        for number, row in parsed:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < 4:
                errors.append(f"dòng {number}: cần 4 cột")
                continue
            code, name, level, parent = (cell.strip() for cell in row[:4])
            if not code or len(code) > 12 or not code.replace("-", "").isalnum():
                errors.append(f"dòng {number}: mã “{code}” không hợp lệ (tối đa 12 chữ, số)")
            if code in seen:
                errors.append(f"dòng {number}: mã “{code}” lặp lại")
            seen.add(code)
            if not name or len(name) > 150:
                errors.append(f"dòng {number}: tên trống hoặc dài quá 150 ký tự")
            if level not in UnitLevel.values:
                errors.append(f"dòng {number}: cấp “{level}” phải là province hoặc commune")
            elif level == UnitLevel.PROVINCE and parent:
                errors.append(f"dòng {number}: tỉnh không có province_code")
            elif level == UnitLevel.COMMUNE and parent not in known_provinces | file_provinces:
                errors.append(f"dòng {number}: tỉnh “{parent}” của xã không có")
            rows.append({"code": code, "name": name, "level": level, "province_code": parent})
        return rows, errors
