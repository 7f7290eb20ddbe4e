"""A declaration form definition: standard JSON Schema + a layout, checked whole, every problem naming the field."""

import copy
import json
from pathlib import Path

import pytest

from eforms.definition import Form, case_problems, check

SEED = Path(__file__).resolve().parents[2] / "procedures" / "seed" / "forms"


def birth():
    spec = json.loads((SEED / "1.001193.json").read_text(encoding="utf-8"))
    return spec["schema"], spec["layout"]


def small():
    schema = {
        "type": "object",
        "properties": {
            "ho_ten": {"type": "string", "maxLength": 40},
            "ngay_sinh": {"type": "string", "format": "past-date"},
            "la_dai_dien": {"type": "boolean"},
            "nguoi_dai_dien": {"type": "string", "maxLength": 40},
            "thanh_vien": {"type": "array", "maxItems": 5, "items": {
                "type": "object", "properties": {"ten": {"type": "string", "maxLength": 30},
                                                 "nam_sinh": {"type": "integer"}},
                "required": ["ten"]}},
        },
        "required": ["ho_ten"],
        "allOf": [{"if": {"properties": {"la_dai_dien": {"const": True}}, "required": ["la_dai_dien"]},
                   "then": {"required": ["nguoi_dai_dien"]}}],
    }
    layout = {"title": "Đơn", "sections": [{"title": "A", "items": [
        {"field": "ho_ten", "label": "Họ tên"}, {"field": "ngay_sinh", "label": "Ngày sinh"},
        {"field": "la_dai_dien", "label": "Nộp thay"}, {"field": "nguoi_dai_dien", "label": "Người đại diện"},
        {"field": "thanh_vien", "label": "Thành viên", "items": [{"field": "ten", "label": "Tên"},
                                                                 {"field": "nam_sinh", "label": "Năm sinh"}]}]}]}
    return schema, layout


def test_the_seed_birth_declaration_is_a_valid_definition():
    schema, layout = birth()
    assert check(schema, layout) == []


def test_a_small_definition_parses_into_kinds_rules_and_groups():
    schema, layout = small()
    assert check(schema, layout) == []
    form = Form(schema, layout)
    kinds = {f.path: f.kind for f in form.fields()}
    assert kinds == {"ho_ten": "text", "ngay_sinh": "date", "la_dai_dien": "boolean", "nguoi_dai_dien": "text",
                     "thanh_vien": "group"}
    assert form.by_path["nguoi_dai_dien"].show_if == ("la_dai_dien", (True,))
    assert [c.path for c in form.by_path["thanh_vien"].children] == ["thanh_vien.ten", "thanh_vien.nam_sinh"]
    assert form.by_path["thanh_vien.ten"].required and not form.by_path["thanh_vien.nam_sinh"].required


def test_not_json_schema_is_refused_with_where():
    schema, layout = small()
    schema["properties"]["ho_ten"]["maxLength"] = "bốn mươi"
    problems = check(schema, layout)
    assert len(problems) == 1 and "không phải JSON Schema hợp lệ" in problems[0] and "ho_ten" in problems[0]


@pytest.mark.parametrize("change, expected", [
    (lambda s, lay: lay["sections"][0]["items"].append({"field": "khong_co", "label": "X"}),
     "layout: trường “khong_co” không có trong schema."),
    (lambda s, lay: lay["sections"][0]["items"].pop(0), "layout: trường “ho_ten” của schema không có trên mẫu."),
    (lambda s, lay: lay["sections"][0]["items"].append({"field": "ho_ten", "label": "Lần hai"}),
     "layout: trường “ho_ten” xuất hiện nhiều lần."),
    (lambda s, lay: s["properties"]["ho_ten"].pop("maxLength"), "schema: trường “ho_ten” phải có maxLength"),
    (lambda s, lay: s["properties"]["thanh_vien"].pop("maxItems"), "schema: nhóm “thanh_vien” phải có maxItems"),
    (lambda s, lay: s["required"].append("tuoi"), "schema: trường bắt buộc “tuoi” không có trong properties."),
    (lambda s, lay: s["properties"].update(anh={"type": "string", "format": "binary", "maxLength": 9}),
     "định dạng “binary” không hỗ trợ"),
    (lambda s, lay: s["properties"].update(so={"type": "number"}), "schema: trường “so” có kiểu không hỗ trợ"),
    (lambda s, lay: s["allOf"][0]["then"].update(required=["khong_co"]), "trường “khong_co” không có trong schema"),
    (lambda s, lay: s["allOf"][0]["if"]["properties"]["la_dai_dien"].update(minimum=1), "phải là const hoặc enum"),
    (lambda s, lay: s["required"].append("nguoi_dai_dien"), "vừa luôn bắt buộc vừa bắt buộc theo điều kiện"),
    (lambda s, lay: lay["sections"][0]["items"][0].update(widget="date"),
     "trường “ho_ten” không dùng được kiểu nhập “date”"),
    (lambda s, lay: lay["sections"][0]["items"][0].update(prefill="account.password"), "nguồn điền sẵn"),
    (lambda s, lay: lay["sections"][0]["items"][4]["items"].pop(), "trường “thanh_vien.nam_sinh” của schema không"),
    (lambda s, lay: lay.pop("title"), "layout không hợp lệ"),
    (lambda s, lay: lay.update(signer_field="ngay_sinh"), "signer_field “ngay_sinh”"),
    # a case the declaration settles: on a yes/no or choice field of the schema, with values it can hold
    (lambda s, lay: lay.update(cases=[{"document": "Giấy ủy quyền", "field": "ho_ten", "values": ["x"]}]),
     "cases — “ho_ten” phải là một trường lựa chọn hoặc có/không"),
    (lambda s, lay: lay.update(cases=[{"document": "Giấy ủy quyền", "field": "khong_co", "values": [True]}]),
     "cases — “khong_co” phải là một trường lựa chọn hoặc có/không"),
    (lambda s, lay: lay.update(cases=[{"document": "Giấy ủy quyền", "field": "la_dai_dien", "values": ["co"]}]),
     "cases — trường “la_dai_dien” không có giá trị co"),
    (lambda s, lay: lay.update(cases=[{"document": "Giấy ủy quyền", "field": "la_dai_dien", "values": []}]),
     "layout không hợp lệ (cases/0/values)"),
])
def test_each_problem_is_named(change, expected):
    schema, layout = small()
    schema, layout = copy.deepcopy(schema), copy.deepcopy(layout)
    change(schema, layout)
    problems = check(schema, layout)
    assert any(expected in p for p in problems), problems


def test_a_case_names_another_conditional_component_of_the_version():
    schema, layout = small()
    layout["cases"] = [{"document": "Giấy ủy quyền", "field": "la_dai_dien", "values": [True]}]
    assert check(schema, layout) == []
    own = "Đơn"
    assert case_problems(layout, {"Đơn": "required", "Giấy ủy quyền": "conditional"}, own) == []
    assert case_problems(layout, {"Đơn": "required"}, own) == [
        "layout: cases — thành phần hồ sơ “Giấy ủy quyền” không có trong phiên bản thủ tục này."]
    assert case_problems(layout, {"Đơn": "required", "Giấy ủy quyền": "required"}, own) == [
        "layout: cases — “Giấy ủy quyền” không phải thành phần nộp theo điều kiện."]
    layout["cases"][0]["document"] = own
    assert case_problems(layout, {"Đơn": "conditional"}, own) == [
        "layout: cases — thành phần hồ sơ “Đơn” không có trong phiên bản thủ tục này."]


def test_not_objects_are_refused():
    assert check([], {}) == ["schema phải là một object JSON."]
    assert check({"type": "object", "properties": {}}, []) == ["layout phải là một object JSON."]
    assert "ít nhất một trường" in check({"type": "object", "properties": {}}, {"title": "x", "sections": [
        {"title": "a", "items": [{"field": "a", "label": "a"}]}]})[0]
