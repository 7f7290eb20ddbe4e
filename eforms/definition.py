"""A declaration form as data: a JSON Schema (draft 2020-12) says what the data is, a layout says how it is
asked for on the page and printed.

The schema is standard JSON Schema, with the subset every page can render: an object whose properties are
text, dates, choices, numbers, yes/no, an address (`"format": "vn-address"`: province, commune, street) or a
repeating group (an array of objects of those scalars, e.g. household members). Conditional rules are JSON
Schema's own `allOf: [{"if": {...}, "then": {"required": [...]}}]` with an `if` of the form "field X is one
of these values"; the page shows the fields a rule requires only when the rule applies (one rule, one place:
the page reads it from the schema). Every text has a `maxLength`, the room the printed layout has for it.

The layout (`LAYOUT_SCHEMA`, checked with jsonschema too) lists the sections of the official form and, for each
field, its label (Vietnamese, English where given), help, widget, pre-fill source and choice labels, plus
what the print needs (form number, addressee, the commitment sentence, who signs).

`check(schema, layout)` returns every problem of a definition, each naming the field; `Form(schema, layout)`
is the parsed, checked definition the page, the validation and the print use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

NAME = r"^[a-z][a-z0-9_]{0,39}$"
NAME_RE = re.compile(NAME)
STRING_FORMATS = {"date", "past-date", "vn-citizen-id", "vn-phone", "email"}
MAX_TEXT = 2000
MAX_ROWS = 30
WIDGETS = ("text", "textarea", "date", "select", "radio", "checkbox", "number", "citizen_id", "phone", "email",
           "address", "group")
# The widgets a kind of field may use (the first is the default).
WIDGETS_OF = {
    "text": ("text", "textarea"), "date": ("date",), "choice": ("select", "radio"), "number": ("number",),
    "boolean": ("checkbox",), "citizen_id": ("citizen_id", "text"), "phone": ("phone", "text"),
    "email": ("email", "text"), "address": ("address",), "group": ("group",),
}
PREFILL = re.compile(r"^(account\.(full_name|citizen_id|phone|email|address)|store:[^.]{1,100}\.(title|issuing_agency|"
                     r"issued_on|valid_until))$")

_text = {"type": "string", "maxLength": 500}
_item = {
    "type": "object", "required": ["field", "label"], "additionalProperties": False,
    "properties": {
        "field": {"type": "string", "pattern": NAME}, "label": _text, "label_en": _text,
        "help": _text, "help_en": _text, "widget": {"enum": list(WIDGETS)},
        "prefill": {"type": "string", "maxLength": 120},
        "choices": {"type": "object", "additionalProperties": _text},
        "choices_en": {"type": "object", "additionalProperties": _text},
        "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
        "min_rows": {"type": "integer", "minimum": 0, "maximum": MAX_ROWS},
    },
}
LAYOUT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "required": ["title", "sections"], "additionalProperties": False,
    "properties": {
        "title": _text, "title_en": _text, "form_number": _text, "addressee": _text,
        "addressee_from_dossier": {"type": "boolean"},
        "intro": {"type": "string", "maxLength": 2000}, "intro_en": {"type": "string", "maxLength": 2000},
        "commitment": {"type": "string", "maxLength": 2000}, "signer_title": _text,
        "signer_field": {"type": "string", "pattern": NAME},
        # a conditional component of the dossier whose case the declaration settles ("if household members register,
        # the minutes of their meeting"): it applies when `field` holds one of `values`, and not otherwise
        "cases": {"type": "array", "maxItems": 20, "items": {
            "type": "object", "required": ["document", "field", "values"], "additionalProperties": False,
            "properties": {"document": _text, "field": {"type": "string", "pattern": NAME},
                           "values": {"type": "array", "minItems": 1, "items": {"type": ["string", "boolean"]}}}}},
        "sections": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["title", "items"], "additionalProperties": False,
            "properties": {"title": _text, "title_en": _text,
                           "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}}}}},
    },
    "$defs": {"item": _item},
}


@dataclass
class Field:
    name: str          # the property's name in its object
    path: str          # "ho_ten", "noi_cu_tru", "thanh_vien" (a group), "thanh_vien.ho_ten" (in a group)
    kind: str          # text, date, choice, number, boolean, citizen_id, phone, email, address, group
    schema: dict
    item: dict         # the layout entry
    required: bool = False
    show_if: tuple[str, tuple] | None = None   # (field, values): shown and required only then
    children: list[Field] = field(default_factory=list)

    def _lang(self, key: str) -> str:
        if (get_language() or "vi").startswith("en") and self.item.get(f"{key}_en"):
            return self.item[f"{key}_en"]
        return self.item.get(key, "")

    @property
    def label(self) -> str:
        return self._lang("label")

    @property
    def help(self) -> str:
        return self._lang("help")

    @property
    def widget(self) -> str:
        return self.item.get("widget") or WIDGETS_OF[self.kind][0]

    @property
    def max_length(self) -> int | None:
        return self.schema.get("maxLength")

    @property
    def past_only(self) -> bool:
        return self.schema.get("format") == "past-date"

    def choices(self) -> list[tuple[str, str]]:
        values = self.schema.get("enum") or []
        labels = self.item.get("choices") or {}
        if (get_language() or "vi").startswith("en"):
            labels = {**labels, **(self.item.get("choices_en") or {})}
        return [(str(v), labels.get(str(v), str(v))) for v in values]

    def choice_label(self, value) -> str:
        return dict(self.choices()).get(str(value), str(value))

    @property
    def max_rows(self) -> int:
        return int(self.schema.get("maxItems") or MAX_ROWS)

    @property
    def min_rows(self) -> int:
        return int(self.item.get("min_rows", self.schema.get("minItems") or 0))


@dataclass
class Section:
    title: str
    title_en: str
    fields: list[Field]

    @property
    def label(self) -> str:
        if (get_language() or "vi").startswith("en") and self.title_en:
            return self.title_en
        return self.title


def kind_of(schema: dict) -> str | None:
    """The kind of field a property schema describes, or None when the subset does not cover it."""
    kind = schema.get("type")
    if kind == "string":
        if "enum" in schema:
            return "choice"
        fmt = schema.get("format")
        return {"date": "date", "past-date": "date", "vn-citizen-id": "citizen_id", "vn-phone": "phone",
                "email": "email", None: "text"}.get(fmt)
    if kind == "integer":
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "object" and schema.get("format") == "vn-address":
        return "address"
    if kind == "array" and isinstance(schema.get("items"), dict) and schema["items"].get("type") == "object":
        return "group"
    return None


def _rules(schema: dict, problems: list[str]) -> dict[str, tuple[str, tuple]]:
    """{field: (condition field, values)} from the schema's `allOf` if/then rules."""
    found: dict[str, tuple[str, tuple]] = {}
    for number, rule in enumerate(schema.get("allOf") or [], start=1):
        where = _("schema: điều kiện thứ %s") % number
        condition, then = rule.get("if"), rule.get("then")
        if not isinstance(condition, dict) or not isinstance(then, dict) or set(rule) - {"if", "then"}:
            problems.append(_("%s: mỗi điều kiện phải có dạng {\"if\": …, \"then\": {\"required\": […]}}.") % where)
            continue
        props = condition.get("properties")
        if not isinstance(props, dict) or len(props) != 1:
            problems.append(_("%s: “if” phải nói về đúng một trường (properties với một trường).") % where)
            continue
        (name, test), = props.items()
        values = (test.get("const"),) if isinstance(test, dict) and "const" in test else tuple(
            test.get("enum") or ()) if isinstance(test, dict) else ()
        if not values or set(test) - {"const", "enum"} or condition.get("required") != [name]:
            problems.append(_("%(where)s: điều kiện trên trường “%(name)s” phải là const hoặc enum và có "
                              "\"required\": [\"%(name)s\"].") % {"where": where, "name": name})
            continue
        if name not in (schema.get("properties") or {}):
            problems.append(_("%(where)s: trường “%(name)s” không có trong schema.") % {"where": where, "name": name})
            continue
        required = then.get("required")
        if set(then) != {"required"} or not isinstance(required, list) or not required:
            problems.append(_("%s: “then” chỉ gồm danh sách \"required\" các trường phải điền.") % where)
            continue
        for target in required:
            if target not in (schema.get("properties") or {}):
                problems.append(_("%(where)s: trường “%(name)s” không có trong schema.") % {
                    "where": where, "name": target})
            elif target == name:
                problems.append(_("%(where)s: trường “%(name)s” không thể phụ thuộc chính nó.") % {
                    "where": where, "name": target})
            elif target in found:
                problems.append(_("%(where)s: trường “%(name)s” đã có một điều kiện khác.") % {
                    "where": where, "name": target})
            else:
                found[target] = (name, values)
    return found


def _check_property(path: str, schema: dict, problems: list[str], *, in_group: bool = False) -> str | None:
    if not isinstance(schema, dict):
        problems.append(_("schema: trường “%s” phải là một object JSON Schema.") % path)
        return None
    if schema.get("type") == "integer" and schema.get("format") not in (None, "past-year"):
        problems.append(_("schema: trường “%(path)s” dùng định dạng “%(fmt)s” không hỗ trợ (số nguyên: past-year).")
                        % {"path": path, "fmt": schema["format"]})
        return None
    if schema.get("type") == "string" and schema.get("format") and schema["format"] not in STRING_FORMATS:
        problems.append(_("schema: trường “%(path)s” dùng định dạng “%(fmt)s” không hỗ trợ (chỉ: %(ok)s).") % {
            "path": path, "fmt": schema["format"], "ok": ", ".join(sorted(STRING_FORMATS))})
        return None
    kind = kind_of(schema)
    if kind is None:
        problems.append(_("schema: trường “%s” có kiểu không hỗ trợ (chỉ: chuỗi, ngày, lựa chọn, số nguyên, có/không, "
                          "địa chỉ vn-address, nhóm lặp lại).") % path)
        return None
    if schema.get("type") == "string" and kind not in ("choice", "date"):
        limit = schema.get("maxLength")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_TEXT:
            problems.append(_("schema: trường “%(path)s” phải có maxLength (1–%(max)s): số ký tự mẫu in có chỗ.") % {
                "path": path, "max": MAX_TEXT})
    if kind == "address":
        props = schema.get("properties") or {}
        street = props.get("street") or {}
        if set(props) != {"province", "commune", "street"} or not isinstance(street.get("maxLength"), int):
            problems.append(_("schema: địa chỉ “%s” phải có đúng province, commune, street (street có maxLength).")
                            % path)
    if kind == "group":
        if in_group:
            problems.append(_("schema: nhóm “%s” không được nằm trong một nhóm khác.") % path)
            return kind
        rows = schema.get("maxItems")
        if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= MAX_ROWS:
            problems.append(_("schema: nhóm “%(path)s” phải có maxItems (1–%(max)s): số dòng mẫu in có chỗ.") % {
                "path": path, "max": MAX_ROWS})
        items = schema["items"]
        for name, sub in (items.get("properties") or {}).items():
            if not NAME_RE.match(name):
                problems.append(_("schema: tên trường “%s.%s” chỉ gồm chữ thường không dấu, số, “_”.") % (path, name))
            elif kind_of(sub) in ("group", "address"):
                problems.append(_("schema: nhóm “%(path)s” chỉ chứa trường đơn (không địa chỉ, không nhóm): "
                                  "“%(name)s”.") % {"path": path, "name": name})
            else:
                _check_property(f"{path}.{name}", sub, problems, in_group=True)
        for name in items.get("required") or []:
            if name not in (items.get("properties") or {}):
                problems.append(_("schema: nhóm “%(path)s” bắt buộc trường “%(name)s” không có.") % {
                    "path": path, "name": name})
    return kind


def check(schema, layout) -> list[str]:
    """Every problem of a definition (empty: usable), each naming the field or the place."""
    problems: list[str] = []
    if not isinstance(schema, dict):
        return [_("schema phải là một object JSON.")]
    if not isinstance(layout, dict):
        return [_("layout phải là một object JSON.")]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "schema"
        return [_("schema không phải JSON Schema hợp lệ (%(where)s): %(msg)s") % {"where": where, "msg": exc.message}]
    for error in Draft202012Validator(LAYOUT_SCHEMA).iter_errors(layout):
        where = "/".join(str(p) for p in error.absolute_path) or "layout"
        problems.append(_("layout không hợp lệ (%(where)s): %(msg)s") % {"where": where, "msg": error.message})
    if problems:
        return problems
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict) or not schema["properties"]:
        return [_("schema phải là \"type\": \"object\" với ít nhất một trường trong \"properties\".")]
    extra = set(schema) - {"$schema", "$id", "title", "description", "type", "properties", "required", "allOf",
                           "additionalProperties"}
    if extra:
        problems.append(_("schema: không hỗ trợ khóa %s ở cấp ngoài cùng.") % ", ".join(sorted(extra)))
    kinds = {}
    for name, sub in schema["properties"].items():
        if not NAME_RE.match(name):
            problems.append(_("schema: tên trường “%s” chỉ gồm chữ thường không dấu, số, “_” (tối đa 40).") % name)
            continue
        kinds[name] = _check_property(name, sub, problems)
    for name in schema.get("required") or []:
        if name not in schema["properties"]:
            problems.append(_("schema: trường bắt buộc “%s” không có trong properties.") % name)
    rules = _rules(schema, problems)
    for target, (name, _values) in rules.items():
        if kinds.get(name) not in ("choice", "boolean"):
            problems.append(_("schema: điều kiện trên “%s” chỉ dùng được với trường lựa chọn hoặc có/không.") % name)
        if target in (schema.get("required") or []):
            problems.append(_("schema: trường “%s” vừa luôn bắt buộc vừa bắt buộc theo điều kiện.") % target)
    # the layout names each field of the schema exactly once, with a widget its kind can use
    seen: dict[str, int] = {}

    def walk(items, props: dict, prefix: str):
        for item in items:
            name = item["field"]
            path = f"{prefix}{name}"
            seen[path] = seen.get(path, 0) + 1
            if name not in props:
                problems.append(_("layout: trường “%s” không có trong schema.") % path)
                continue
            kind = kind_of(props[name])
            if kind and item.get("widget") and item["widget"] not in WIDGETS_OF[kind]:
                problems.append(_("layout: trường “%(path)s” không dùng được kiểu nhập “%(widget)s”.") % {
                    "path": path, "widget": item["widget"]})
            if item.get("prefill") and not PREFILL.match(item["prefill"]):
                problems.append(_("layout: trường “%(path)s” có nguồn điền sẵn “%(src)s” không hỗ trợ.") % {
                    "path": path, "src": item["prefill"]})
            if kind == "choice":
                unknown = set(item.get("choices") or {}) - {str(v) for v in props[name].get("enum") or []}
                if unknown:
                    problems.append(_("layout: trường “%(path)s” đặt nhãn cho lựa chọn không có: %(v)s.") % {
                        "path": path, "v": ", ".join(sorted(unknown))})
            if kind == "group":
                sub_props = props[name]["items"].get("properties") or {}
                if not item.get("items"):
                    problems.append(_("layout: nhóm “%s” phải liệt kê các trường của mỗi dòng (items).") % path)
                else:
                    walk(item["items"], sub_props, f"{path}.")
                    for sub in sub_props:
                        if f"{path}.{sub}" not in seen:
                            problems.append(_("layout: trường “%s.%s” của schema không có trên mẫu.") % (path, sub))
            elif item.get("items"):
                problems.append(_("layout: trường “%s” không phải nhóm nên không có items.") % path)

    for section in layout["sections"]:
        walk(section["items"], schema["properties"], "")
    for path, count in seen.items():
        if count > 1:
            problems.append(_("layout: trường “%s” xuất hiện nhiều lần.") % path)
    for name in schema["properties"]:
        if name not in seen:
            problems.append(_("layout: trường “%s” của schema không có trên mẫu.") % name)
    signer = layout.get("signer_field")
    if signer and kinds.get(signer) != "text":
        problems.append(_("layout: signer_field “%s” phải là một trường chữ của schema.") % signer)
    for case in layout.get("cases") or []:
        name = case["field"]
        if kinds.get(name) not in ("choice", "boolean"):
            problems.append(_("layout: cases — “%s” phải là một trường lựa chọn hoặc có/không của schema.") % name)
            continue
        allowed = [True, False] if kinds[name] == "boolean" else schema["properties"][name].get("enum") or []
        unknown = [v for v in case["values"] if v not in allowed or isinstance(v, bool) != (kinds[name] == "boolean")]
        if unknown:
            problems.append(_("layout: cases — trường “%(field)s” không có giá trị %(v)s.") % {
                "field": name, "v": ", ".join(str(v) for v in unknown)})
    return problems


def case_problems(layout: dict, documents: dict[str, str], own: str) -> list[str]:
    """The layout's `cases` against the components of the procedure version the form belongs to ({name:
    requirement}; `own`: the name of the form's own component): each must name another conditional component."""
    problems = []
    for case in (layout.get("cases") if isinstance(layout, dict) else None) or []:
        name = case.get("document") if isinstance(case, dict) else None
        if name not in documents or name == own:
            problems.append(_("layout: cases — thành phần hồ sơ “%s” không có trong phiên bản thủ tục này.") % name)
        elif documents[name] != "conditional":
            problems.append(_("layout: cases — “%s” không phải thành phần nộp theo điều kiện.") % name)
    return problems


class Form:
    """A checked definition, parsed into sections and fields for the page, the validation and the print."""

    def __init__(self, schema: dict, layout: dict):
        self.schema = schema
        self.layout = layout

    @cached_property
    def sections(self) -> list[Section]:
        props = self.schema["properties"]
        required = set(self.schema.get("required") or [])
        problems: list[str] = []
        rules = _rules(self.schema, problems)
        sections = []
        for section in self.layout["sections"]:
            fields = []
            for item in section["items"]:
                name = item["field"]
                prop = props[name]
                f = Field(name=name, path=name, kind=kind_of(prop), schema=prop, item=item,
                          required=name in required, show_if=rules.get(name))
                if f.kind == "group":
                    inner = prop["items"]
                    for sub in item["items"]:
                        sub_schema = inner["properties"][sub["field"]]
                        f.children.append(Field(
                            name=sub["field"], path=f"{name}.{sub['field']}", kind=kind_of(sub_schema),
                            schema=sub_schema, item=sub,
                            required=sub["field"] in (inner.get("required") or [])))
                fields.append(f)
            sections.append(Section(title=section["title"], title_en=section.get("title_en", ""), fields=fields))
        return sections

    @cached_property
    def by_path(self) -> dict[str, Field]:
        found = {}
        for section in self.sections:
            for f in section.fields:
                found[f.path] = f
                for child in f.children:
                    found[child.path] = child
        return found

    @property
    def title(self) -> str:
        if (get_language() or "vi").startswith("en") and self.layout.get("title_en"):
            return self.layout["title_en"]
        return self.layout["title"]

    def fields(self):
        for section in self.sections:
            yield from section.fields
