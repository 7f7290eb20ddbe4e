"""Demo/seed data of the catalogue: the real procedures in procedures/seed/procedures.json.

The seed flags the versions on the list of procedures received regardless of administrative boundaries
(Decree 118/2025/NĐ-CP, key `anywhere`): civil-status and certification procedures of the communes, and
several province-level ones. The demo province then takes one of them off its own list by a decision of its
People's Committee (an `AnywhereOverride`), as a province may.

The seed leaves the judicial record (3.000333) open to every province-level agency; the demo names its
competent agency (`DEMO_COMPETENT`), the provincial police as the seed's version says, so the desk form
proposes it and the demo's routed dossiers have an agency to go to.
"""

import datetime as dt
import json
from pathlib import Path

from accounts.models import Agency, AgencyLevel

from .models import AnywhereOverride, Procedure, ProcedureVersion, VersionStatus
from .transfer import import_procedures

SEED = Path(__file__).resolve().parent / "seed" / "procedures.json"

# The demo province's decision (an illustrative number): land-change registration needs the land registry's
# records on site, so the province keeps it at the competent agency's desk.
DEMO_OVERRIDE = {"procedure": "1.013831", "receivable": False, "decision_number": "1790/QĐ-UBND",
                 "effective_from": dt.date(2025, 7, 1),
                 "note": "Demo: tỉnh chưa đưa vào danh mục tiếp nhận không phụ thuộc địa giới hành chính; nộp tại "
                         "Văn phòng đăng ký đất đai."}


# Procedure code -> the demo agency competent for its published versions: since 07/2025 the judicial record
# is issued by the provincial police ("Công an cấp tỉnh" in the seed's version), Công an tỉnh Gia Lai.
DEMO_COMPETENT = {"3.000333": "H21.30"}
# Earlier demos pinned Sở Tư pháp as a stand-in; a database seeded then gets the true agency on the next run.
FORMER_STAND_IN = {"3.000333": "H21.11"}


FORMS = SEED.parent / "forms"


def seed_text() -> str:
    """The seed catalogue with the declaration forms of procedures/seed/forms/<code>.json put on their components
    (`documents[].form`, procedures/FORMAT.md): each form file names its procedure and component."""
    data = json.loads(SEED.read_text(encoding="utf-8"))
    forms = {}
    for path in sorted(FORMS.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        forms[(spec["procedure"], spec["document"])] = {k: spec[k] for k in (
            "schema", "layout", "print_template", "official_template") if k in spec}
    for procedure in data["procedures"]:
        for version in procedure["versions"]:
            for document in version.get("documents", []):
                form = forms.get((procedure["code"], document["name"]))
                if form and "form" not in document:
                    document["form"] = form
    return json.dumps(data, ensure_ascii=False, indent=1)


def seed(context: dict) -> None:
    if SEED.exists():
        context["procedures"] = import_procedures(seed_text())
    _pin_competent()
    province = (context.get("agencies") or {}).get("H21") or Agency.objects.filter(
        code="H21", parent__isnull=True, level=AgencyLevel.PROVINCE).first()
    procedure = Procedure.objects.filter(code=DEMO_OVERRIDE["procedure"]).first()
    if province is None or procedure is None:
        return
    spec = {k: v for k, v in DEMO_OVERRIDE.items() if k != "procedure"}
    AnywhereOverride.objects.get_or_create(province=province, procedure=procedure,
                                           effective_from=spec.pop("effective_from"), defaults=spec)


def _pin_competent() -> None:
    """Name the demo's competent agency on the published versions the seed leaves open (never overriding a
    list the catalogue already gives, save the former demo stand-in alone)."""
    for code, agency_code in DEMO_COMPETENT.items():
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            continue
        for version in ProcedureVersion.objects.filter(procedure__code=code, status=VersionStatus.PUBLISHED):
            pinned = set(version.agencies.values_list("code", flat=True))
            if not pinned or pinned == {FORMER_STAND_IN.get(code)}:
                version.agencies.set([agency])
