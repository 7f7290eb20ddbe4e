"""The kind of each dossier component is data on the procedure version (#15): handed in (required),
shown for comparison only (present), or handed in only in a stated case (conditional)."""

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps as live_apps

from procedures import services
from procedures.models import Procedure, RequiredDocument, Requirement, VersionStatus, present_from_wording
from procedures.transfer import ImportRejected, export_json, import_procedures

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[1] / "seed" / "procedures.json"
SAMPLE = Path(__file__).resolve().parent / "data" / "sample.json"


def test_the_seed_states_the_kind_of_every_identity_paper():
    data = json.loads(SEED.read_text(encoding="utf-8"))
    docs = [(p["code"], d) for p in data["procedures"] for v in p["versions"] for d in v["documents"]]
    present = [(code, d["name"]) for code, d in docs if d["requirement"] == Requirement.PRESENT]
    assert ("1.001193", "Giấy tờ tùy thân của người đi đăng ký (hộ chiếu, thẻ Căn cước/CCCD)") in present
    assert len(present) == 12
    for code, d in docs:
        # What the published wording says and the kind agree; a copy handed in with its original shown
        # ("Nộp bản chụp thì xuất trình bản chính …") is handed in.
        if d["requirement"] != Requirement.CONDITIONAL:
            assert (d["requirement"] == Requirement.PRESENT) == present_from_wording(d.get("note", "")), (code, d)
        else:
            assert d["condition"], (code, d)
    birth = next(d for code, d in docs if code == "1.001193" and "mang thai hộ" in d["name"])
    assert birth["requirement"] == Requirement.CONDITIONAL


def test_present_kind_round_trips_and_a_conditional_needs_its_case():
    text = SAMPLE.read_text(encoding="utf-8")
    data = json.loads(text)
    birth = next(p for p in data["procedures"] if p["code"] == "1.001193")
    birth["versions"][0]["documents"].append({"name": "Giấy tờ tùy thân", "originals": 0, "copies": 0,
                                              "requirement": "present", "note": "Xuất trình để đối chiếu"})
    import_procedures(json.dumps(data, ensure_ascii=False))
    doc = RequiredDocument.objects.get(name="Giấy tờ tùy thân")
    assert doc.requirement == Requirement.PRESENT and doc.is_present_only
    exported = json.loads(export_json())
    again = next(p for p in exported["procedures"] if p["code"] == "1.001193")["versions"][0]["documents"]
    assert {"name": "Giấy tờ tùy thân", "requirement": "present"}.items() <= again[-1].items()
    bad = json.loads(text)
    bad["procedures"][0]["code"] = "1.999999"
    bad["procedures"][0]["versions"][0]["documents"][0].update(requirement="conditional", condition="")
    bad["procedures"][0]["versions"][0]["documents"].append({"name": "X", "requirement": "shown"})
    with pytest.raises(ImportRejected) as exc:
        import_procedures(json.dumps(bad, ensure_ascii=False))
    messages = str(exc.value)
    assert "thiếu “condition”" in messages and "'shown' không hợp lệ" in messages and "present" in messages
    assert not Procedure.objects.filter(code="1.999999").exists()


def test_a_new_draft_copies_the_kind_and_a_published_version_stays_as_it_was():
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    version = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)
    draft = services.version_new_draft_from(actor=None, version=version, decision_number="99/QĐ-UBND")
    assert list(draft.documents.values_list("name", "requirement", "condition")) == list(
        version.documents.values_list("name", "requirement", "condition"))


def test_the_migration_classifies_existing_rows_from_their_wording():
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    version = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)
    shown = RequiredDocument.objects.create(version=version, order=9, name="CCCD", originals=0, copies=0,
                                            requirement=Requirement.REQUIRED,
                                            note="Xuất trình để đối chiếu hoặc khai thác qua CSDL; không phải nộp")
    copy = RequiredDocument.objects.create(version=version, order=10, name="Bản chụp CCCD", originals=0, copies=1,
                                           requirement=Requirement.REQUIRED,
                                           note="Nộp bản chụp thì xuất trình bản chính để đối chiếu")
    migration = importlib.import_module("procedures.migrations.0004_component_kind")
    migration.classify(live_apps, None)
    shown.refresh_from_db()
    copy.refresh_from_db()
    assert (shown.requirement, copy.requirement) == (Requirement.PRESENT, Requirement.REQUIRED)
    migration.unclassify(live_apps, None)
    shown.refresh_from_db()
    assert shown.requirement == Requirement.REQUIRED
