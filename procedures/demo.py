"""Demo/seed data of the catalogue: the real procedures in procedures/seed/procedures.json.

The seed flags the versions on the list of procedures received regardless of administrative boundaries
(Decree 118/2025/NĐ-CP, key `anywhere`): civil-status and certification procedures of the communes, and
several province-level ones. The demo province then takes one of them off its own list by a decision of its
People's Committee (an `AnywhereOverride`), as a province may.
"""

import datetime as dt
from pathlib import Path

from accounts.models import Agency, AgencyLevel

from .models import AnywhereOverride, Procedure
from .transfer import import_procedures

SEED = Path(__file__).resolve().parent / "seed" / "procedures.json"

# The demo province's decision (an illustrative number): land-change registration needs the land registry's
# records on site, so the province keeps it at the competent agency's desk.
DEMO_OVERRIDE = {"procedure": "1.013831", "receivable": False, "decision_number": "1790/QĐ-UBND",
                 "effective_from": dt.date(2025, 7, 1),
                 "note": "Demo: tỉnh chưa đưa vào danh mục tiếp nhận không phụ thuộc địa giới hành chính; nộp tại "
                         "Văn phòng đăng ký đất đai."}


def seed(context: dict) -> None:
    if SEED.exists():
        context["procedures"] = import_procedures(SEED.read_text(encoding="utf-8"))
    province = (context.get("agencies") or {}).get("H21") or Agency.objects.filter(
        code="H21", parent__isnull=True, level=AgencyLevel.PROVINCE).first()
    procedure = Procedure.objects.filter(code=DEMO_OVERRIDE["procedure"]).first()
    if province is None or procedure is None:
        return
    spec = {k: v for k, v in DEMO_OVERRIDE.items() if k != "procedure"}
    AnywhereOverride.objects.get_or_create(province=province, procedure=procedure,
                                           effective_from=spec.pop("effective_from"), defaults=spec)
