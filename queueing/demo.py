"""Demo desk floors: services (grouped from the catalogue's fields, procedures.Field) and counters for the
provincial centre (Trung tâm PVHCC tỉnh, H21.50) and one ward (UBND phường Pleiku, H21.65). Idempotent:
keyed on the service code and the counter number of each centre; a field missing from the catalogue (the
demo loaded without it) is simply not linked."""

from __future__ import annotations

from importlib import import_module

from accounts.models import Agency
from procedures.models import Field

from .models import Counter, PriorityGroup, Service

# The priority groups the migration seeds (a test database flushed after a transactional test lost them).
PRIORITY_GROUPS = import_module("queueing.migrations.0002_priority_groups").GROUPS

# agency code -> [(service code, name, field codes)], [(counter number, service codes)]
FLOORS = {
    "H21.50": (
        [("1", "Đất đai, xây dựng", ["DD", "XD"]),
         ("2", "Doanh nghiệp, hộ kinh doanh, đầu tư", ["DN", "HKD", "ANTT", "TM"]),
         ("3", "Tư pháp, lý lịch tư pháp, xuất nhập cảnh", ["LLTP", "XNC"]),
         ("4", "Lao động, xã hội, y tế, giáo dục", ["LD", "BTXH", "YT", "GD", "ATTP"]),
         ("5", "Giao thông, giấy phép lái xe, môi trường, văn hóa", ["GPLX", "MT", "VH"])],
        [(1, ["1"]), (2, ["1", "2"]), (3, ["2"]), (4, ["3"]), (5, ["4"]), (6, ["5", "4"])],
    ),
    "H21.65": (
        [("1", "Hộ tịch", ["HT"]),
         ("2", "Chứng thực", ["CT"]),
         ("3", "Đất đai, xây dựng", ["DD", "XD"]),
         ("4", "Cư trú, bảo trợ xã hội, hộ kinh doanh", ["CU", "BTXH", "HKD", "VH"])],
        [(1, ["1", "2"]), (2, ["1", "2"]), (3, ["3"]), (4, ["4", "2"])],
    ),
}


def seed(context: dict) -> None:
    for code, name, rank, note in PRIORITY_GROUPS:
        PriorityGroup.objects.get_or_create(code=code, defaults={"name": name, "rank": rank, "note": note})
    made = 0
    fields = {f.code: f for f in Field.objects.all()}
    for agency_code, (services, counters) in FLOORS.items():
        agency = (context.get("agencies") or {}).get(agency_code) or Agency.objects.filter(code=agency_code).first()
        if agency is None:
            continue
        by_code = {}
        for order, (code, name, field_codes) in enumerate(services, start=1):
            service, created = Service.objects.get_or_create(agency=agency, code=code,
                                                             defaults={"name": name, "order": order})
            linked = [fields[c] for c in field_codes if c in fields]
            if linked:
                service.fields.add(*linked)
            by_code[code] = service
            made += created
        for number, codes in counters:
            counter, created = Counter.objects.get_or_create(agency=agency, number=number)
            if created:
                counter.services.set([by_code[c] for c in codes])
            made += created
    context["queueing"] = made
