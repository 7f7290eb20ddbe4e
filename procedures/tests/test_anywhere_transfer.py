"""Import and export of the list of procedures received anywhere in the province (issue #17): the version key
`anywhere` and the top-level `anywhere_overrides` (procedures/FORMAT.md)."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from accounts.models import Agency, AgencyLevel
from procedures.models import AnywhereOverride, Field, Procedure, ProcedureVersion
from procedures.transfer import ImportRejected, export_csv, export_json, import_procedures

from .conftest import SAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def provinces(db):
    province = Agency.objects.create(code="H21", name="UBND tỉnh Gia Lai", level=AgencyLevel.PROVINCE)
    Agency.objects.create(code="H21.11", name="Sở Tư pháp tỉnh Gia Lai", level=AgencyLevel.DEPARTMENT,
                          parent=province)
    Agency.objects.create(code="H38", name="UBND tỉnh Hà Tĩnh", level=AgencyLevel.PROVINCE)
    return province


def _with_list() -> dict:
    """The sample catalogue with two flagged versions and three decisions of two provinces."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["procedures"][0]["versions"][0]["anywhere"] = True            # 1.001193
    data["procedures"][3]["versions"][0]["anywhere"] = True            # 2.000505
    data["anywhere_overrides"] = [
        {"province": "H21", "procedure": "2.000505", "receivable": False, "decision_number": "95/QĐ-UBND",
         "effective_from": "2025-07-01", "note": "Chưa đưa vào danh mục"},
        {"province": "H21", "procedure": "2.000505", "receivable": True, "decision_number": "120/QĐ-UBND",
         "effective_from": "2026-01-01", "note": ""},
        {"province": "H38", "procedure": "1.009994", "receivable": True, "decision_number": "2150/QĐ-UBND",
         "effective_from": "2025-07-01", "note": ""},
    ]
    return data


def _text(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _nothing_imported():
    assert Procedure.objects.count() == 0 and Field.objects.count() == 0
    assert AnywhereOverride.objects.count() == 0


def test_an_old_file_without_the_key_imports_with_the_flag_off(provinces):
    counts = import_procedures(SAMPLE.read_text(encoding="utf-8"))
    assert counts["overrides"] == 0
    assert not ProcedureVersion.objects.filter(anywhere=True).exists()
    assert json.loads(export_json())["anywhere_overrides"] == []


def test_round_trip_and_idempotence(provinces):
    counts = import_procedures(_text(_with_list()))
    assert counts["overrides"] == 3
    assert set(ProcedureVersion.objects.filter(anywhere=True).values_list("procedure__code", flat=True)) == {
        "1.001193", "2.000505"}
    override = AnywhereOverride.objects.get(decision_number="95/QĐ-UBND")
    assert (override.province.code, override.procedure.code, override.receivable, override.effective_from,
            override.note) == ("H21", "2.000505", False, dt.date(2025, 7, 1), "Chưa đưa vào danh mục")
    exported = export_json()
    data = json.loads(exported)
    assert [(o["province"], o["procedure"], o["effective_from"]) for o in data["anywhere_overrides"]] == [
        ("H21", "2.000505", "2025-07-01"), ("H21", "2.000505", "2026-01-01"), ("H38", "1.009994", "2025-07-01")]
    assert data["procedures"][0]["versions"][0]["anywhere"] is True
    # Importing the export again changes nothing.
    again = import_procedures(exported)
    assert again["overrides"] == 0 and again["versions"] == 0 and AnywhereOverride.objects.count() == 3
    # Into an empty catalogue (the agencies stay: they are not part of the catalogue): the same export.
    AnywhereOverride.objects.all().delete()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()
    assert import_procedures(exported)["overrides"] == 3
    assert export_json() == exported


def test_an_override_may_name_a_procedure_already_in_the_catalogue(provinces, catalogue):
    data = {"format": "procedures/v1", "fields": [], "procedures": [],
            "anywhere_overrides": [{"province": "H21", "procedure": "1.001193", "receivable": True,
                                    "decision_number": "95/QĐ-UBND", "effective_from": "2025-07-01"}]}
    # "procedures" may not be empty: a file of overrides alone still lists a procedure (unchanged)
    data["procedures"] = json.loads(SAMPLE.read_text(encoding="utf-8"))["procedures"][:1]
    assert import_procedures(_text(data))["overrides"] == 1
    assert AnywhereOverride.objects.get().note == ""


def test_the_csv_has_the_flag(provinces):
    import_procedures(_text(_with_list()))
    rows = export_csv().splitlines()
    assert rows[0].endswith(",total_fee_vnd,anywhere")
    assert all(r.endswith(",true") for r in rows[1:] if r.startswith(("1.001193,", "2.000505,")))
    assert all(r.endswith(",false") for r in rows[1:] if r.startswith("1.009994,"))


def test_the_commands_carry_the_list(provinces, tmp_path, capsys):
    source = tmp_path / "in.json"
    source.write_text(_text(_with_list()), encoding="utf-8")
    call_command("import_procedures", str(source))
    assert "3 điều chỉnh danh mục" in capsys.readouterr().out
    out = tmp_path / "out.json"
    call_command("export_procedures", "--output", str(out))
    assert len(json.loads(out.read_text(encoding="utf-8"))["anywhere_overrides"]) == 3


BAD = {
    "unknown province": (lambda o: o.update(province="H99"), "không có cơ quan mã 'H99'", '"province": "H99"'),
    "not a province": (lambda o: o.update(province="H21.11"), "không phải UBND tỉnh", '"province": "H21.11"'),
    "unknown procedure": (lambda o: o.update(procedure="1.999999"), "không có thủ tục mã 1.999999",
                          '"procedure": "1.999999"'),
    "bad date": (lambda o: o.update(effective_from="01/07/2025"), "không phải ngày dạng YYYY-MM-DD",
                 '"effective_from": "01/07/2025"'),
    "no date": (lambda o: o.pop("effective_from"), "thiếu ngày “effective_from”", "{"),  # the object's line
    "not a bool": (lambda o: o.update(receivable="có"), "“receivable” phải là true hoặc false",
                   '"receivable": "có"'),
    "no receivable": (lambda o: o.pop("receivable"), "thiếu “receivable”", "{"),
    "no decision": (lambda o: o.update(decision_number=""), "thiếu “decision_number”", '"decision_number": ""'),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_override_is_refused_with_its_line_and_nothing_imported(provinces, case):
    change, message, line_holds = BAD[case]
    data = _with_list()
    change(data["anywhere_overrides"][0])
    text = _text(data)
    with pytest.raises(ImportRejected) as err:
        import_procedures(text)
    hits = [(line, m) for line, m in err.value.errors if message in m]
    assert hits, err.value.errors
    assert line_holds in text.splitlines()[hits[0][0] - 1]
    _nothing_imported()


def test_a_duplicate_in_the_file_is_refused(provinces):
    data = _with_list()
    data["anywhere_overrides"].append(dict(data["anywhere_overrides"][0], receivable=True))
    with pytest.raises(ImportRejected, match="lặp lại") as err:
        import_procedures(_text(data))
    assert len(err.value.errors) == 1
    _nothing_imported()


def test_a_version_flag_that_is_not_a_bool_is_refused(provinces):
    data = _with_list()
    data["procedures"][0]["versions"][0]["anywhere"] = "yes"
    text = _text(data)
    with pytest.raises(ImportRejected) as err:
        import_procedures(text)
    line, message = err.value.errors[0]
    assert "“anywhere” phải là true hoặc false" in message and '"anywhere": "yes"' in text.splitlines()[line - 1]
    _nothing_imported()


def test_a_decision_that_contradicts_the_stored_one_is_refused(provinces):
    import_procedures(_text(_with_list()))
    data = _with_list()
    data["anywhere_overrides"][0]["receivable"] = True  # same key, another answer
    data["anywhere_overrides"].append({"province": "H38", "procedure": "1.001193", "receivable": True,
                                       "decision_number": "7/QĐ-UBND", "effective_from": "2025-08-01"})
    with pytest.raises(ImportRejected, match="một quyết định mới là một dòng với ngày hiệu lực mới"):
        import_procedures(_text(data))
    assert AnywhereOverride.objects.count() == 3  # the valid new row was not imported either
    assert AnywhereOverride.objects.get(decision_number="95/QĐ-UBND").receivable is False
