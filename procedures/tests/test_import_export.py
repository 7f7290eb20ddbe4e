import json

import pytest
from django.core.management import CommandError, call_command

from procedures.models import Field, Procedure, ProcedureVersion
from procedures.transfer import ImportRejected, export_csv, export_json, import_procedures

from .conftest import SAMPLE

pytestmark = pytest.mark.django_db


def test_round_trip(catalogue):
    exported = export_json()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()
    counts = import_procedures(exported)
    assert counts["procedures"] == 4 and counts["versions"] == 5
    assert export_json() == exported


def test_import_is_idempotent(catalogue):
    before = (Procedure.objects.count(), ProcedureVersion.objects.count())
    counts = import_procedures(SAMPLE.read_text(encoding="utf-8"))
    assert counts == {"fields": 0, "procedures": 0, "versions": 0, "unchanged": 5, "overrides": 0}
    assert (Procedure.objects.count(), ProcedureVersion.objects.count()) == before


def _broken() -> str:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["procedures"][0]["code"] = "KS-01"                                        # bad code
    data["procedures"][1]["versions"][1]["channels"][0]["time_limit"] = -2          # negative limit
    data["procedures"][2]["field"] = "KHONGCO"                                      # unknown field
    data["procedures"][3]["versions"][0]["channels"][0]["steps"] = [
        {"order": 1, "step": "reception", "hours": 5}]                              # does not add up
    return json.dumps(data, ensure_ascii=False, indent=2)


def test_bad_file_is_rejected_whole_with_line_numbers(db):
    text = _broken()
    lines = text.splitlines()
    with pytest.raises(ImportRejected) as err:
        import_procedures(text)
    errors = err.value.errors
    messages = " | ".join(m for _, m in errors)
    assert "mã thủ tục 'KS-01' không hợp lệ" in messages
    assert "không được nhỏ hơn 0" in messages
    assert "lĩnh vực 'KHONGCO'" in messages
    assert "phải bằng thời hạn 10 ngày làm việc" in messages
    for line, message in errors:  # each error points at the line that holds the offending key
        if "KS-01" in message:
            assert '"KS-01"' in lines[line - 1]
        if "KHONGCO" in message:
            assert '"KHONGCO"' in lines[line - 1]
        if "nhỏ hơn 0" in message:
            assert '"time_limit": -2' in lines[line - 1]
    assert Procedure.objects.count() == 0 and Field.objects.count() == 0


def test_syntax_error_reports_its_line(db):
    text = SAMPLE.read_text(encoding="utf-8").replace('"level": "province"', '"level": "province",,', 1)
    with pytest.raises(ImportRejected) as err:
        import_procedures(text)
    line, message = err.value.errors[0]
    assert "JSON không hợp lệ" in message and '"level": "province",,' in text.splitlines()[line - 1]


def test_service_level_problem_rolls_back_everything(db):
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    versions = data["procedures"][1]["versions"]
    versions[1]["effective_from"] = "2021-09-21"  # same start as the retired version: overlap
    with pytest.raises(ImportRejected, match="chồng lên"):
        import_procedures(json.dumps(data, ensure_ascii=False))
    assert Procedure.objects.count() == 0


def test_commands_and_csv(catalogue, tmp_path):
    out = tmp_path / "export.json"
    call_command("export_procedures", "--output", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "procedures/v1"
    call_command("import_procedures", str(out))
    bad = tmp_path / "bad.json"
    bad.write_text(_broken(), encoding="utf-8")
    with pytest.raises(CommandError, match="bị từ chối, không có gì được nhập"):
        call_command("import_procedures", str(bad))
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_procedures", str(tmp_path / "missing.json"))
    rows = export_csv().splitlines()
    assert rows[0].startswith("code,name,field_code")
    assert any(r.startswith("2.000505,") and ",postal,10,working_days,230000" in r for r in rows)


def test_csv_round_trip_of_the_flat_parts(catalogue, tmp_path):
    from procedures.transfer import import_csv

    text = export_csv()
    assert import_csv(text) == {"fields": 0, "procedures": 0, "updated": 0, "unchanged": 4}
    changed = text.replace("Thủ tục đăng ký khai sinh", "Đăng ký khai sinh (tên mới)")
    new_row = "1.444444,Thủ tục thử nghiệm,MOI,Lĩnh vực mới,province,thu nghiem,,,,,,,,,,\n"
    counts = import_csv(changed + new_row)
    assert counts == {"fields": 1, "procedures": 1, "updated": 1, "unchanged": 3}
    assert Procedure.objects.get(code="1.001193").name == "Đăng ký khai sinh (tên mới)"
    assert Procedure.objects.get(code="1.444444").field.name == "Lĩnh vực mới"
    path = tmp_path / "list.csv"
    path.write_text(changed, encoding="utf-8")
    call_command("import_procedures", str(path))


def test_bad_csv_rejected_whole_with_line_numbers(catalogue):
    from procedures.transfer import import_csv

    text = ("code,name,field_code,level\n"
            "1.555555,Thủ tục A,HT,commune\n"
            "ABC,Thủ tục B,HT,commune\n"
            "1.666666,,HT,district\n"
            "1.777777,Thủ tục C,KHONGCO,commune\n")
    with pytest.raises(ImportRejected) as err:
        import_csv(text)
    lines = {line for line, _ in err.value.errors}
    assert lines == {3, 4, 5}
    assert not Procedure.objects.filter(code="1.555555").exists()
    with pytest.raises(ImportRejected, match="thiếu cột"):
        import_csv("ma,ten\n1.555555,A\n")
