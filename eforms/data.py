"""Filling a form: what was typed (`raw`, the page's POST as a dict of strings) → the data (typed JSON), then the
data checked against the schema with every error on its field, in Vietnamese.

Field names on the page: `f-<field>`, `f-<address>-province|commune|street`, `f-<group>-<row>-<field>` and
`f-<group>-rows` (how many rows the page showed). A draft keeps `raw` as typed; only a finished declaration
keeps `data`, and only when it is valid whole.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker

from accounts.validators import validate_citizen_id, validate_phone

from .definition import MAX_ROWS, Field, Form
from .models import AdministrativeUnit, UnitLevel

PREFIX = "f-"
RAW_LIMIT = 20000  # characters in all of a draft: more than any printed form holds
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FormatProblem(ValueError):
    pass


def parse_date(text: str) -> dt.date:
    """'2026-03-05' (the date input) or '05/03/2026' (typed): a date, or ValueError."""
    text = text.strip()
    found = _DMY.match(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
        return dt.date(year, month, day)
    if _ISO.match(text):
        return dt.date.fromisoformat(text)
    raise ValueError(text)


def _check_date(value) -> bool:
    if not isinstance(value, str) or not _ISO.match(value):
        raise FormatProblem(_("không phải một ngày (ngày/tháng/năm)"))
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise FormatProblem(_("không phải một ngày có thật")) from exc
    return True


EARLIEST = dt.date(1900, 1, 1)  # no one alive, no record still asked for, is older


def _check_past(value) -> bool:
    _check_date(value)
    day = dt.date.fromisoformat(value)
    if day > timezone.localdate():
        raise FormatProblem(_("không được sau ngày hôm nay"))
    if day < EARLIEST:
        raise FormatProblem(_("không được trước năm %s") % EARLIEST.year)
    return True


def _check_past_year(value) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True  # a wrong type is a `type` error of its own
    if value > timezone.localdate().year:
        raise FormatProblem(_("không được sau năm nay"))
    if value < EARLIEST.year:
        raise FormatProblem(_("không được trước năm %s") % EARLIEST.year)
    return True


def _django(validator):
    def check(value) -> bool:
        if not isinstance(value, str):
            return True
        try:
            validator(value)
        except ValidationError as exc:
            raise FormatProblem(" ".join(str(m) for m in exc.messages).rstrip(".")) from exc
        return True
    return check


COMMUNE_NAME_MAX = 100


def _check_address(value) -> bool:
    """The province and commune of an address: a commune of the list must be of the chosen province; where the
    list has no commune of that province yet (the official list not loaded for it), the commune's name as
    typed is accepted (`f-<address>-commune_name`)."""
    if not isinstance(value, dict):
        return True
    if value.get("province") and not AdministrativeUnit.objects.filter(
            code=value["province"], level=UnitLevel.PROVINCE, is_active=True).exists():
        raise FormatProblem(_("tỉnh, thành phố không có trong danh mục đơn vị hành chính"))
    if not value.get("province") or not value.get("commune"):
        return True  # missing parts are `required` errors of their own
    commune = AdministrativeUnit.objects.filter(
        code=value["commune"], level=UnitLevel.COMMUNE, is_active=True).values_list("parent__code", flat=True).first()
    if commune is None:
        listed = AdministrativeUnit.objects.filter(parent__code=value["province"], is_active=True).exists()
        if listed:
            raise FormatProblem(_("hãy chọn xã, phường trong danh sách của tỉnh, thành phố đã chọn"))
        if len(value["commune"]) > COMMUNE_NAME_MAX:
            raise FormatProblem(_("tên xã, phường dài quá %s ký tự") % COMMUNE_NAME_MAX)
        return True  # the province's communes are not loaded yet: the name as typed
    if commune != value["province"]:
        raise FormatProblem(_("xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn"))
    return True


def format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("date", raises=FormatProblem)(_check_date)
    checker.checks("past-date", raises=FormatProblem)(_check_past)
    checker.checks("past-year", raises=FormatProblem)(_check_past_year)
    checker.checks("vn-citizen-id", raises=FormatProblem)(_django(validate_citizen_id))
    checker.checks("vn-phone", raises=FormatProblem)(_django(validate_phone))
    checker.checks("email", raises=FormatProblem)(_django(validate_email))
    checker.checks("vn-address", raises=FormatProblem)(_check_address)
    return checker


# -- raw → data ------------------------------------------------------------------------------------------

def _scalar(f: Field, text: str | None, errors: dict, key: str):
    """The typed value of one scalar field, None when empty; a conversion error goes to `errors[key]`."""
    if f.kind == "boolean":
        return (text or "").strip().lower() in ("on", "1", "true", "yes", "co")
    text = (text or "").strip()
    if not text:
        return None
    if f.kind == "date":
        try:
            return parse_date(text).isoformat()
        except ValueError:
            errors[key] = _("“%s”: không phải một ngày (ngày/tháng/năm, ví dụ 05/03/2026).") % f.label
            return None
    if f.kind == "number":
        if re.fullmatch(r"-?\d{1,3}(?:[.\u00a0 ]\d{3})+", text):  # 150.000.000, 150 000 000: thousands apart
            text = re.sub(r"[.\u00a0 ]", "", text)
        if not re.fullmatch(r"-?\d{1,15}", text):
            errors[key] = _("“%s”: phải là một số nguyên (ví dụ 150000000 hoặc 150.000.000).") % f.label
            return None
        return int(text)
    if f.kind in ("citizen_id", "phone"):
        return re.sub(r"[\s.\-]", "", text) if f.kind == "citizen_id" else text
    return text


def row_count(form_field: Field, raw: dict) -> int:
    """How many rows of a group the page holds: what it said it showed, at least the rows typed in."""
    prefix = f"{PREFIX}{form_field.name}-"
    try:
        shown = int(raw.get(f"{prefix}rows") or 0)
    except (TypeError, ValueError):
        shown = 0
    typed = 0
    for key in raw:
        rest = key[len(prefix):] if key.startswith(prefix) else ""
        head = rest.split("-", 1)[0]
        if head.isdigit():
            typed = max(typed, int(head) + 1)
    return max(0, min(max(shown, typed, form_field.min_rows), form_field.max_rows, MAX_ROWS))


def coerce(form: Form, raw: dict) -> tuple[dict, dict[str, str]]:
    """(data, conversion errors by field path)."""
    data, errors, _kept = _coerce(form, raw)
    return data, errors


def _coerce(form: Form, raw: dict) -> tuple[dict, dict[str, str], dict[str, list[int]]]:
    """(data, conversion errors by field path, for each group the page's number of each row kept in the data:
    an empty row is dropped, so the data's second row may be the page's third)."""
    data: dict = {}
    errors: dict[str, str] = {}
    kept: dict[str, list[int]] = {}
    for f in form.fields():
        key = f"{PREFIX}{f.name}"
        if f.kind == "address":
            parts = {part: (raw.get(f"{key}-{part}") or "").strip() for part in ("province", "commune", "street")}
            if not parts["commune"]:
                parts["commune"] = " ".join((raw.get(f"{key}-commune_name") or "").split())
            parts = {k: v for k, v in parts.items() if v}
            if parts:
                data[f.name] = parts
        elif f.kind == "group":
            rows = []
            for number in range(row_count(f, raw)):
                row = {}
                for child in f.children:
                    value = _scalar(child, raw.get(f"{key}-{number}-{child.name}"), errors,
                                    f"{f.name}.{number}.{child.name}")
                    if value is not None and not (child.kind == "boolean" and value is False):
                        row[child.name] = value
                if row:
                    rows.append(row)
                    kept.setdefault(f.name, []).append(number)
            if rows:
                data[f.name] = rows
        else:
            value = _scalar(f, raw.get(key), errors, f.path)
            if value is not None:
                data[f.name] = value
    return data, errors, kept


def raw_from(form: Form, data: dict) -> dict:
    """The page's fields for stored data (to show a finished declaration again, or pre-filled values)."""
    raw: dict[str, str] = {}
    for f in form.fields():
        key = f"{PREFIX}{f.name}"
        value = data.get(f.name)
        if value is None:
            continue
        if f.kind == "address" and isinstance(value, dict):
            for part in ("province", "commune", "street"):
                if value.get(part):
                    raw[f"{key}-{part}"] = str(value[part])
            commune = value.get("commune")
            if commune and not AdministrativeUnit.objects.filter(code=commune, level=UnitLevel.COMMUNE).exists():
                raw[f"{key}-commune_name"] = str(commune)  # a name typed for a province whose list is not loaded
        elif f.kind == "group" and isinstance(value, list):
            raw[f"{key}-rows"] = str(len(value))
            for number, row in enumerate(value):
                for child in f.children:
                    if isinstance(row, dict) and row.get(child.name) not in (None, ""):
                        raw[f"{key}-{number}-{child.name}"] = _shown(child, row[child.name])
        else:
            raw[key] = _shown(f, value)
    return raw


def _shown(f: Field, value) -> str:
    if f.kind == "boolean":
        return "on" if value else ""
    return str(value)


MAX_TEXT_FIELD = 4000
_ROW_KEY = re.compile(r"^(0|[1-9]\d{0,2})-([a-z][a-z0-9_]{0,39})$")
# NUL (which PostgreSQL refuses in text and JSON) and the other control characters but tab and line breaks
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_form_key(form: Form, key: str) -> bool:
    """Whether `key` is a name one of the form's inputs has on the page (see the module's docstring)."""
    if not key.startswith(PREFIX) or len(key) > 120:
        return False
    rest = key[len(PREFIX):]
    f = form.by_path.get(rest)
    if f is not None and "." not in f.path:
        return f.kind not in ("group", "address")
    name, _sep, tail = rest.partition("-")
    f = form.by_path.get(name)
    if f is None or not tail:
        return False
    if f.kind == "address":
        return tail in ("province", "commune", "commune_name", "street")
    if f.kind == "group":
        if tail == "rows":
            return True
        found = _ROW_KEY.match(tail)
        return bool(found and int(found.group(1)) < min(f.max_rows, MAX_ROWS)
                    and any(c.name == found.group(2) for c in f.children))
    return False


def clean_raw(form: Form, post) -> dict:
    """The form's own inputs of a POST (nothing else is stored: unknown names are dropped), each value a bounded
    string without control characters."""
    raw = {}
    total = 0
    for key in post:
        if not is_form_key(form, key):
            continue
        value = _CONTROL.sub("", str(post.get(key) or ""))[:MAX_TEXT_FIELD]
        total += len(value)
        if total > RAW_LIMIT:
            break
        raw[key] = value
    return raw


# -- data → errors ----------------------------------------------------------------------------------------

ADDRESS_PARTS = {"province": lambda: _("tỉnh, thành phố"), "commune": lambda: _("xã, phường, đặc khu"),
                 "street": lambda: _("số nhà, đường, thôn, tổ")}


def _path(error) -> list:
    return list(error.absolute_path)


def _key(parts: list) -> str:
    return ".".join(str(p) for p in parts)


def _field_for(form: Form, parts: list) -> Field | None:
    names = [p for p in parts if not isinstance(p, int)]
    return form.by_path.get(".".join(names[:2])) or form.by_path.get(names[0]) if names else None


def _message(form: Form, error, parts: list) -> str:
    f = _field_for(form, parts)
    label = f.label if f else _key(parts)
    if f is not None and f.kind == "address" and parts and parts[-1] in ADDRESS_PARTS:
        label = f"{label} – {ADDRESS_PARTS[parts[-1]]()}"
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        return _("Chưa điền “%s”.") % label
    if kind == "maxLength":
        return _("“%(label)s” dài quá %(n)s ký tự: mẫu in chỉ có chỗ cho %(n)s ký tự.") % {"label": label, "n": value}
    if kind == "minLength":
        return _("“%(label)s” phải có ít nhất %(n)s ký tự.") % {"label": label, "n": value}
    if kind == "format":
        reason = error.cause.args[0] if error.cause and error.cause.args else _("không đúng định dạng")
        return _("“%(label)s”: %(reason)s.") % {"label": label, "reason": reason}
    if kind == "enum":
        return _("“%s”: hãy chọn một trong các lựa chọn của mẫu.") % label
    if kind == "const":
        return _("“%s”: giá trị không đúng.") % label
    if kind == "pattern":  # the rule is the field's help (a regular expression says nothing to a citizen)
        return (_("“%(label)s”: không đúng định dạng. %(help)s") % {"label": label, "help": f.help}
                if f is not None and f.help else _("“%s”: không đúng định dạng.") % label)
    if kind == "minimum":
        return _("“%(label)s” không được nhỏ hơn %(n)s.") % {"label": label, "n": value}
    if kind == "maximum":
        return _("“%(label)s” không được lớn hơn %(n)s.") % {"label": label, "n": value}
    if kind == "maxItems":
        return _("“%(label)s”: tối đa %(n)s dòng.") % {"label": label, "n": value}
    if kind == "minItems":
        return _("“%(label)s”: cần ít nhất %(n)s dòng.") % {"label": label, "n": value}
    if kind == "additionalProperties":
        return _("Tờ khai có trường không thuộc mẫu.")
    if kind == "type":
        return _("“%s”: giá trị không đúng kiểu.") % label
    if f is not None and f.help:  # a rule across rows (contains, minContains …): the help says it in words
        return _("“%(label)s”: chưa đúng yêu cầu của mẫu. %(help)s") % {"label": label, "help": f.help}
    return _("“%s”: không hợp lệ.") % label


def _closed(schema: dict) -> dict:
    """The schema with no other properties allowed (at the top, in each group row and address)."""
    schema = {**schema, "additionalProperties": False, "properties": dict(schema["properties"])}
    for name, prop in schema["properties"].items():
        if prop.get("type") == "object":
            schema["properties"][name] = {**prop, "additionalProperties": False}
        elif prop.get("type") == "array":
            schema["properties"][name] = {**prop, "items": {**prop["items"], "additionalProperties": False}}
    return schema


def validate(form: Form, data: dict) -> dict[str, str]:
    """Errors of `data` by field path ("ho_ten", "noi_cu_tru.commune", "thanh_vien.1.ngay_sinh"); {} when valid."""
    errors: dict[str, str] = {}
    validator = Draft202012Validator(_closed(form.schema), format_checker=format_checker())
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        parts = _path(error)
        if error.validator == "required":
            instance = error.instance if isinstance(error.instance, dict) else {}
            for missing in error.validator_value:
                if missing not in instance:
                    errors.setdefault(_key([*parts, missing]), _message(form, error, [*parts, missing]))
            continue
        errors.setdefault(_key(parts) or "__all__", _message(form, error, parts))
    return errors


def page_key(path: str) -> str:
    """The page's input name for an error path: "thanh_vien.1.ngay_sinh" → "f-thanh_vien-1-ngay_sinh"."""
    return PREFIX + path.replace(".", "-")


def _on_page(form: Form, path: str, kept: dict[str, list[int]]) -> str:
    """An error's path in the data → the path of the input on the page ("thanh_vien.1.ten" → "thanh_vien.2.ten"
    when the page's second row was empty and dropped)."""
    parts = path.split(".")
    rows = kept.get(parts[0])
    if rows and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
        parts[1] = str(rows[int(parts[1])])
    return ".".join(parts)


def check_raw(form: Form, raw: dict) -> tuple[dict, dict[str, str]]:
    """What a finished declaration goes through: (data, errors by page input name); data only when no error."""
    data, errors, kept = _coerce(form, raw)
    problems = {page_key(k): v for k, v in errors.items()}
    for path, message in validate(form, data).items():
        path = _on_page(form, path, kept)
        if path.replace(".", "-") not in {k[len(PREFIX):] for k in problems}:
            problems.setdefault(page_key(path), message)
    return (data if not problems else {}), problems
