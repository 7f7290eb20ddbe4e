"""Import and export of the catalogue in the `procedures/v1` format (procedures/FORMAT.md).

The importer validates the whole file first and reports every problem with its line number; only
a file without any problem is imported, in one transaction (all or nothing). Importing the same
file again changes nothing (idempotent by procedure code + decision number).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import itertools
import json
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction

from accounts.models import Agency, AgencyLevel
from core.errors import DomainError
from core.exports import csv_text, csv_value_in
from workcalendar.units import ClockPolicy, DurationUnit

from . import services
from .models import (
    PROCEDURE_CODE_RE,
    AnywhereOverride,
    Channel,
    ChannelOption,
    DeclarationForm,
    FeeExemption,
    FeeItem,
    Field,
    InternalStep,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    Requirement,
    ResultKind,
    StepKind,
    VersionStatus,
)

FORMAT = "procedures/v1"


class ImportRejected(Exception):
    """The file was rejected whole; `errors` are (line, message) pairs, in file order."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = sorted(errors)
        super().__init__("\n".join(f"dòng {line}: {message}" for line, message in self.errors))


# -- a JSON reader that remembers where each object starts -----------------------------------

class _Obj(dict):
    start: int = 0
    end: int = 0


def _load(text: str) -> tuple[object, list[int]]:
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None, **kw):
        start = s_and_end[1] - 1
        pairs, end = json.decoder.JSONObject(s_and_end, strict, scan_once, None, lambda p: p, memo)
        obj = _Obj(pairs)
        obj.start, obj.end = start, end
        return obj, end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text), newlines


class _Checker:
    def __init__(self, text: str, newlines: list[int]):
        self.text, self.newlines = text, newlines
        self.errors: list[tuple[int, str]] = []

    def line(self, obj, key: str | None = None) -> int:
        pos = getattr(obj, "start", 0)
        if key is not None and isinstance(obj, _Obj):
            found = self.text.find(f'"{key}"', obj.start, obj.end)
            pos = found if found >= 0 else pos
        return bisect.bisect_left(self.newlines, pos) + 1

    def error(self, obj, key, message: str) -> None:
        self.errors.append((self.line(obj, key), message))

    # typed getters: record an error and return None when the value is unusable
    def text_(self, obj, key, *, required=True, max_length=None, default=""):
        value = obj.get(key, None)
        if value is None or value == "":
            if required:
                self.error(obj, key, f"thiếu “{key}”.")
            return default
        if not isinstance(value, str):
            self.error(obj, key, f"“{key}” phải là chuỗi.")
            return default
        if max_length and len(value) > max_length:
            self.error(obj, key, f"“{key}” dài quá {max_length} ký tự.")
        return value.strip()

    def choice(self, obj, key, choices, *, default=None):
        value = obj.get(key, default)
        if value not in choices:
            self.error(obj, key, f"“{key}” = {value!r} không hợp lệ (chọn một trong: {', '.join(choices)}).")
            return None
        return value

    def date(self, obj, key, *, required=False):
        value = obj.get(key)
        if value in (None, ""):
            if required:
                self.error(obj, key, f"thiếu ngày “{key}”.")
            return None
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.error(obj, key, f"“{key}” = {value!r} không phải ngày dạng YYYY-MM-DD.")
            return None

    def number(self, obj, key, *, minimum=Decimal(0), integer=False, default=None):
        value = obj.get(key, default)
        if isinstance(value, bool) or value is None:
            self.error(obj, key, f"“{key}” phải là số.")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(obj, key, f"“{key}” = {value!r} phải là số.")
            return None
        if number < minimum:
            self.error(obj, key, f"“{key}” = {value} không được nhỏ hơn {minimum}.")
            return None
        if integer and number != number.to_integral_value():
            self.error(obj, key, f"“{key}” = {value} phải là số nguyên.")
            return None
        return number

    def boolean(self, obj, key, default=False):
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.error(obj, key, f"“{key}” phải là true hoặc false.")
            return default
        return value

    def array(self, obj, key, *, required=False):
        value = obj.get(key, [])
        if not isinstance(value, list):
            self.error(obj, key, f"“{key}” phải là một danh sách.")
            return []
        if required and not value:
            self.error(obj, key, f"“{key}” không được rỗng.")
        return value


def _check_file(text: str):
    try:
        data, newlines = _load(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected([(exc.lineno, f"JSON không hợp lệ: {exc.msg} (cột {exc.colno}).")]) from None
    c = _Checker(text, newlines)
    if not isinstance(data, _Obj):
        raise ImportRejected([(1, "tệp phải là một đối tượng JSON có “format”, “fields”, “procedures”.")])
    if data.get("format") != FORMAT:
        c.error(data, "format", f"“format” phải là {FORMAT!r}.")
    fields: dict[str, str] = dict(Field.objects.values_list("code", "name"))
    for item in c.array(data, "fields"):
        if not isinstance(item, _Obj):
            c.errors.append((c.line(data, "fields"), "mỗi lĩnh vực phải là một đối tượng."))
            continue
        code = c.text_(item, "code", max_length=20)
        name = c.text_(item, "name", max_length=200)
        if code and not re.fullmatch(r"[A-Z0-9][A-Z0-9.\-]{0,19}", code):
            c.error(item, "code", f"mã lĩnh vực {code!r} không hợp lệ.")
        if code:
            fields[code] = name
    agencies = set(Agency.objects.values_list("code", flat=True))
    plan = []
    seen_codes: set[str] = set()
    for proc in c.array(data, "procedures", required=True):
        if not isinstance(proc, _Obj):
            c.errors.append((c.line(data, "procedures"), "mỗi thủ tục phải là một đối tượng."))
            continue
        code = c.text_(proc, "code", max_length=24)
        if code and not re.fullmatch(PROCEDURE_CODE_RE, code):
            c.error(proc, "code", f"mã thủ tục {code!r} không hợp lệ (dạng 1.000948 hoặc 1.000948.H38).")
        if code in seen_codes:
            c.error(proc, "code", f"mã thủ tục {code} xuất hiện hai lần trong tệp.")
        seen_codes.add(code)
        field = c.text_(proc, "field")
        if field and field not in fields:
            c.error(proc, "field", f"lĩnh vực {field!r} không có trong “fields” hay trong cơ sở dữ liệu.")
        keywords = proc.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            c.error(proc, "keywords", "“keywords” phải là danh sách chuỗi.")
            keywords = []
        entry = {
            "line": c.line(proc), "code": code, "name": c.text_(proc, "name", max_length=500), "field": field,
            "level": c.choice(proc, "level", Level.values), "keywords": ", ".join(keywords), "versions": [],
        }
        decisions: set[str] = set()
        for ver in c.array(proc, "versions", required=True):
            if not isinstance(ver, _Obj):
                c.error(proc, "versions", "mỗi phiên bản phải là một đối tượng.")
                continue
            entry["versions"].append(_check_version(c, ver, decisions, agencies))
        ranges = sorted(((v["data"]["effective_from"], v["data"]["effective_to"], v["line"]) for v in entry["versions"]
                         if v["status"] != VersionStatus.DRAFT and v["data"]["effective_from"]),
                        key=lambda r: (r[0], r[2]))
        for (a_from, a_to, _line), (b_from, _b_to, b_line) in itertools.pairwise(ranges):
            if a_to is None or a_to >= b_from:
                c.errors.append((b_line, f"hiệu lực từ {b_from:%d/%m/%Y} chồng lên phiên bản hiệu lực từ "
                                         f"{a_from:%d/%m/%Y}."))
        plan.append(entry)
    overrides = _check_overrides(c, data, seen_codes)
    return plan, fields, overrides, c.errors


def _check_overrides(c: _Checker, data: _Obj, codes_in_file: set[str]) -> list[dict]:
    """The top-level `anywhere_overrides`: the province's decisions on its list of procedures received
    regardless of administrative boundaries. Each names a province (a root agency of level "province", by
    code) and a procedure (of this file or already in the catalogue). A row already imported with the same
    values is left alone (idempotent); one that differs from the stored row of the same key is refused."""
    items = c.array(data, "anywhere_overrides")
    if not items:
        return []
    agencies = {a["code"]: a for a in Agency.objects.filter(
        code__in=[i.get("province") for i in items if isinstance(i, _Obj) and isinstance(i.get("province"), str)])
        .values("pk", "code", "name", "level", "parent_id")}
    wanted = {i.get("procedure") for i in items if isinstance(i, _Obj) and isinstance(i.get("procedure"), str)}
    known = codes_in_file | set(Procedure.objects.filter(code__in=wanted).values_list("code", flat=True))
    stored = {(o.province.code, o.procedure.code, o.effective_from): o for o in AnywhereOverride.objects.filter(
        procedure__code__in=wanted).select_related("province", "procedure")}
    out, seen = [], {}
    for item in items:
        if not isinstance(item, _Obj):
            c.errors.append((c.line(data, "anywhere_overrides"), "mỗi điều chỉnh danh mục phải là một đối tượng."))
            continue
        province = c.text_(item, "province", max_length=32)
        procedure = c.text_(item, "procedure", max_length=24)
        if "receivable" not in item:
            c.error(item, None, "thiếu “receivable” (true: trong danh mục, false: đưa ra khỏi danh mục).")
        receivable = c.boolean(item, "receivable")
        decision = " ".join(c.text_(item, "decision_number", max_length=100).split())
        effective_from = c.date(item, "effective_from", required=True)
        note = c.text_(item, "note", required=False)
        agency = agencies.get(province)
        if province and agency is None:
            c.error(item, "province", f"không có cơ quan mã {province!r} trên cổng.")
        elif agency and (agency["parent_id"] is not None or agency["level"] != AgencyLevel.PROVINCE):
            c.error(item, "province", f"cơ quan {province} ({agency['name']}) không phải UBND tỉnh: danh mục "
                                      "tiếp nhận không phụ thuộc địa giới hành chính do tỉnh ban hành.")
        if procedure and procedure not in known:
            c.error(item, "procedure", f"không có thủ tục mã {procedure} trong tệp hay trong danh mục.")
        key = (province, procedure, effective_from)
        if province and procedure and effective_from:
            if key in seen:
                c.error(item, "effective_from", f"điều chỉnh của {province} cho thủ tục {procedure} từ "
                                                f"{effective_from:%d/%m/%Y} lặp lại (dòng {seen[key]}).")
                continue
            seen[key] = c.line(item)
        values = {"receivable": receivable, "decision_number": decision, "note": note}
        old = stored.get(key)
        if old is not None and {"receivable": old.receivable, "decision_number": old.decision_number,
                                "note": old.note} != values:
            c.error(item, "effective_from", f"đã có điều chỉnh của {province} cho thủ tục {procedure} từ "
                                            f"{effective_from:%d/%m/%Y} theo {old.decision_number}, khác dòng này: "
                                            "một quyết định mới là một dòng với ngày hiệu lực mới.")
        out.append({"line": c.line(item), "province": agency["pk"] if agency else None, "procedure": procedure,
                    "effective_from": effective_from, "exists": old is not None, **values})
    return out


def _check_version(c: _Checker, ver, decisions: set[str], agencies: set[str]) -> dict:
    decision = c.text_(ver, "decision_number", max_length=100)
    if decision.upper() in decisions:
        c.error(ver, "decision_number", f"quyết định {decision} lặp lại trong cùng thủ tục.")
    decisions.add(decision.upper())
    status = c.choice(ver, "status", VersionStatus.values, default=VersionStatus.PUBLISHED)
    data = {
        "decision_number": decision,
        "decision_date": c.date(ver, "decision_date"),
        "effective_from": c.date(ver, "effective_from", required=status != VersionStatus.DRAFT),
        "effective_to": c.date(ver, "effective_to"),
        "steps": c.text_(ver, "steps", required=False),
        "applicants": c.text_(ver, "applicants", required=False),
        "conditions": c.text_(ver, "conditions", required=False),
        "result": c.text_(ver, "result", required=False),
        "result_kind": c.choice(ver, "result_kind", ResultKind.values, default=ResultKind.PAPER),
        "competent_agency": c.text_(ver, "competent_agency", required=False, max_length=500),
        "implementing_agencies": c.text_(ver, "implementing_agencies", required=False, max_length=500),
        "coordinating_agencies": c.text_(ver, "coordinating_agencies", required=False, max_length=500),
        "legal_bases": [],
        "online_level": c.choice(ver, "online_level", OnlineLevel.values, default=OnlineLevel.NONE),
        "postal_submission": c.boolean(ver, "postal_submission"),
        "postal_return": c.boolean(ver, "postal_return"),
        "supplement_policy": c.choice(ver, "supplement_policy", ClockPolicy.values, default=ClockPolicy.RESTART),
        "extension_allowed": c.boolean(ver, "extension_allowed", default=True),
        "anywhere": c.boolean(ver, "anywhere"),
        "source": c.text_(ver, "source", required=False),
    }
    if status == VersionStatus.RETIRED and not data["effective_to"]:
        c.error(ver, "status", "phiên bản “retired” cần có “effective_to”.")
    if data["effective_from"] and data["effective_to"] and data["effective_to"] < data["effective_from"]:
        c.error(ver, "effective_to", "ngày hết hiệu lực trước ngày bắt đầu hiệu lực.")
    for basis in c.array(ver, "legal_bases"):
        if not isinstance(basis, _Obj):
            c.error(ver, "legal_bases", "mỗi căn cứ pháp lý phải là một đối tượng.")
            continue
        date = c.date(basis, "date")
        data["legal_bases"].append({"number": c.text_(basis, "number"), "date": date.isoformat() if date else "",
                                    "title": c.text_(basis, "title")})
    codes = ver.get("agency_codes", [])
    if not isinstance(codes, list):
        c.error(ver, "agency_codes", "“agency_codes” phải là danh sách.")
        codes = []
    for code in codes:
        if code not in agencies:
            c.error(ver, "agency_codes", f"không có cơ quan mã {code!r} trên cổng.")
    channels, seen = [], set()
    for ch in c.array(ver, "channels", required=status != VersionStatus.DRAFT):
        if not isinstance(ch, _Obj):
            c.error(ver, "channels", "mỗi cách thức phải là một đối tượng.")
            continue
        kind = c.choice(ch, "channel", Channel.values)
        if kind in seen:
            c.error(ch, "channel", f"cách thức {kind} lặp lại.")
        seen.add(kind)
        unit = c.choice(ch, "unit", DurationUnit.values, default=DurationUnit.WORKING_DAYS)
        limit = c.number(ch, "time_limit", integer=unit != DurationUnit.WORKING_HOURS)
        fees = []
        for fee in c.array(ch, "fees"):
            if isinstance(fee, _Obj):
                amount = c.number(fee, "amount", integer=True, default=0)
                codes = [str(x) for x in c.array(fee, "exemption_codes")]
                unknown = set(codes) - set(FeeExemption.objects.filter(code__in=codes).values_list("code", flat=True))
                if unknown:
                    c.error(fee, "exemption_codes",
                            "không có đối tượng miễn, giảm mã " + ", ".join(sorted(unknown)) + ".")
                fees.append({"name": c.text_(fee, "name", max_length=300), "amount": int(amount or 0),
                             "description": c.text_(fee, "description", required=False),
                             "exemptions": c.text_(fee, "exemptions", required=False),
                             "refundable": c.boolean(fee, "refundable", default=True), "exemption_codes": codes})
        steps, orders = [], set()
        for step in c.array(ch, "steps"):
            if not isinstance(step, _Obj):
                continue
            order = c.number(step, "order", minimum=Decimal(1), integer=True)
            if order in orders:
                c.error(step, "order", f"thứ tự bước {order} lặp lại.")
            orders.add(order)
            hours = c.number(step, "hours", minimum=Decimal("0.25"))
            if hours is not None and (hours * 4) != (hours * 4).to_integral_value():
                c.error(step, "hours", "số giờ phải là bội số của 0,25 giờ.")
            steps.append({"order": int(order or 0), "step": c.choice(step, "step", StepKind.values),
                          "name": c.text_(step, "name", required=False, max_length=300),
                          "responsible": c.text_(step, "responsible", required=False, max_length=300),
                          "hours": hours})
        if limit is not None and unit and all(s["hours"] is not None for s in steps):
            problem = services.allotment_error(limit, unit, [s["hours"] for s in steps])
            if problem:
                c.error(ch, "steps", problem)
        channels.append({"channel": kind, "time_limit": limit, "unit": unit, "fees": fees, "steps": steps,
                         "time_limit_text": c.text_(ch, "time_limit_text", required=False, max_length=500),
                         "description": c.text_(ch, "description", required=False)})
    documents = []
    listed = [doc for doc in c.array(ver, "documents", required=status != VersionStatus.DRAFT) if isinstance(doc, _Obj)]
    # {name: requirement} of the version's components: what a form's `cases` may name
    named = {doc.get("name"): doc.get("requirement", Requirement.REQUIRED) for doc in listed
             if isinstance(doc.get("name"), str)}  # a name of another type is refused on its own line below
    for index, doc in enumerate(listed, start=1):
        requirement = c.choice(doc, "requirement", Requirement.values, default=Requirement.REQUIRED)
        condition = c.text_(doc, "condition", required=requirement == Requirement.CONDITIONAL, max_length=500)
        file_types = doc.get("file_types", ["pdf", "jpg", "jpeg", "png"])
        if not isinstance(file_types, list) or not all(isinstance(t, str) and t.isalnum() for t in file_types):
            c.error(doc, "file_types", "“file_types” phải là danh sách đuôi tệp, ví dụ [\"pdf\", \"jpg\"].")
            file_types = ["pdf"]
        documents.append({
            "order": index, "name": c.text_(doc, "name", max_length=500),
            "template_name": c.text_(doc, "template_name", required=False, max_length=300),
            "originals": int(c.number(doc, "originals", integer=True, default=1) or 0),
            "copies": int(c.number(doc, "copies", integer=True, default=0) or 0),
            "requirement": requirement, "condition": condition, "file_types": ",".join(t.lower() for t in file_types),
            "note": c.text_(doc, "note", required=False),
            "form": _check_form(c, doc, named),
        })
    return {"line": c.line(ver), "status": status, "data": data, "agency_codes": codes, "channels": channels,
            "documents": documents}


FORM_KEYS = {"schema", "layout", "print_template", "official_template"}


def _check_form(c: _Checker, doc, documents: dict[str, str]) -> dict | None:
    """A component's declaration form (`documents[].form`): its definition checked like the admin editor does
    (eforms.definition), every problem on the line of the component; the conditional components its `cases` name
    must be among the version's `documents` ({name: requirement})."""
    form = doc.get("form")
    if form is None:
        return None
    if not isinstance(form, dict) or not {"schema", "layout"} <= set(form) or set(form) - FORM_KEYS:
        c.error(doc, "form", "“form” phải là object gồm schema, layout và có thể có print_template, official_template.")
        return None
    plain = json.loads(json.dumps(form))
    template = plain.get("print_template") or "generic"
    if not isinstance(template, str) or not isinstance(plain.get("official_template", ""), str):
        c.error(doc, "form", "“form”: print_template và official_template phải là chuỗi.")
        return None
    for problem in services.declaration_form_problems(schema=plain["schema"], layout=plain["layout"],
                                                      print_template=template, documents=documents,
                                                      own=doc.get("name", "")):
        c.error(doc, "form", f"tờ khai “{doc.get('name', '')}”: {problem}")
    return {"schema": plain["schema"], "layout": plain["layout"], "print_template": template,
            "official_template": (plain.get("official_template") or "")[:300]}


def import_procedures(text: str, *, actor=None) -> dict[str, int]:
    """Validate then import; raises ImportRejected (nothing written) on any problem."""
    plan, fields, overrides, errors = _check_file(text)
    if errors:
        raise ImportRejected(errors)
    counts = {"fields": 0, "procedures": 0, "versions": 0, "unchanged": 0, "overrides": 0}
    try:
        with transaction.atomic():
            for code, name in fields.items():
                _, created = Field.objects.get_or_create(code=code, defaults={"name": name})
                counts["fields"] += created
            for entry in plan:
                _import_procedure(entry, actor, counts)
            _import_overrides(overrides, actor, counts)
    except DomainError as exc:
        raise ImportRejected([(getattr(exc, "line", 1), exc.message)]) from None
    return counts


def _import_procedure(entry: dict, actor, counts: dict) -> None:
    field = Field.objects.get(code=entry["field"])
    procedure = Procedure.objects.filter(code=entry["code"]).first()
    try:
        if procedure is None:
            procedure = services.procedure_create(actor=actor, code=entry["code"], name=entry["name"], field=field,
                                                  level=entry["level"], keywords=entry["keywords"])
            counts["procedures"] += 1
        elif (procedure.name, procedure.field_id, procedure.level, procedure.keywords) != (
                entry["name"], field.pk, entry["level"], entry["keywords"]):
            services.procedure_update(actor=actor, procedure=procedure, name=entry["name"], field=field,
                                      level=entry["level"], keywords=entry["keywords"])
    except DomainError as exc:
        exc.line = entry["line"]
        raise
    existing = {d.upper() for d in procedure.versions.values_list("decision_number", flat=True)}
    for ver in sorted(entry["versions"], key=lambda v: (v["data"]["effective_from"] or dt.date.max)):
        if ver["data"]["decision_number"].upper() in existing:
            counts["unchanged"] += 1
            continue
        try:
            _import_version(procedure, ver, actor)
        except DomainError as exc:
            exc.line = ver["line"]
            raise
        counts["versions"] += 1


def _import_overrides(overrides: list[dict], actor, counts: dict) -> None:
    new = [o for o in overrides if not o["exists"]]
    procedures = Procedure.objects.in_bulk({o["procedure"] for o in new}, field_name="code")
    provinces = Agency.objects.in_bulk({o["province"] for o in new})
    for o in new:
        try:
            services.anywhere_override_create(
                actor=actor, province=provinces[o["province"]], procedure=procedures[o["procedure"]],
                receivable=o["receivable"], decision_number=o["decision_number"],
                effective_from=o["effective_from"], note=o["note"])
        except DomainError as exc:
            exc.line = o["line"]
            raise
        counts["overrides"] += 1


def _import_version(procedure: Procedure, ver: dict, actor) -> None:
    data = dict(ver["data"])
    effective_to = None
    if ver["status"] != VersionStatus.DRAFT:
        effective_to, data["effective_to"] = data["effective_to"], None  # set by retiring after publication
    version = services.version_create_draft(actor=actor, procedure=procedure, **data)
    if ver["agency_codes"]:
        version.agencies.set(Agency.objects.filter(code__in=ver["agency_codes"]))
    for ch in ver["channels"]:
        channel = ChannelOption.objects.create(version=version, channel=ch["channel"], time_limit=ch["time_limit"],
                                               unit=ch["unit"], time_limit_text=ch["time_limit_text"],
                                               description=ch["description"])
        for fee in ch["fees"]:
            codes = fee.pop("exemption_codes")
            item = FeeItem.objects.create(channel=channel, **fee)
            if codes:
                item.allowed_exemptions.set(FeeExemption.objects.filter(code__in=codes))
        InternalStep.objects.bulk_create([InternalStep(channel=channel, **step) for step in ch["steps"]])
    for doc in ver["documents"]:
        doc = dict(doc)
        form = doc.pop("form", None)
        document = RequiredDocument.objects.create(version=version, **doc)
        if form:  # part of the version as published: written before it is published
            DeclarationForm.objects.create(document=document, **form)
    if ver["status"] == VersionStatus.DRAFT:
        return
    services.version_publish(actor=actor, version=version)
    if effective_to is not None:
        services.version_retire(actor=actor, version=version, effective_to=effective_to)


# -- export -----------------------------------------------------------------------------------

def _version_dict(v: ProcedureVersion) -> dict:
    return {
        "decision_number": v.decision_number,
        "decision_date": v.decision_date.isoformat() if v.decision_date else None,
        "effective_from": v.effective_from.isoformat() if v.effective_from else None,
        "effective_to": v.effective_to.isoformat() if v.effective_to else None,
        "status": v.status, "steps": v.steps, "applicants": v.applicants, "conditions": v.conditions,
        "result": v.result, "result_kind": v.result_kind, "competent_agency": v.competent_agency,
        "implementing_agencies": v.implementing_agencies, "coordinating_agencies": v.coordinating_agencies,
        "agency_codes": sorted(a.code for a in v.agencies.all()), "legal_bases": v.legal_bases,
        "online_level": v.online_level, "postal_submission": v.postal_submission, "postal_return": v.postal_return,
        "supplement_policy": v.supplement_policy, "extension_allowed": v.extension_allowed, "anywhere": v.anywhere,
        "source": v.source,
        "channels": [{
            "channel": c.channel, "time_limit": _num(c.time_limit), "unit": c.unit,
            "time_limit_text": c.time_limit_text, "description": c.description,
            "fees": [{"name": f.name, "amount": f.amount, "description": f.description, "exemptions": f.exemptions,
                      "refundable": f.refundable,
                      "exemption_codes": sorted(e.code for e in f.allowed_exemptions.all())}
                     for f in c.fees.all()],
            "steps": [{"order": s.order, "step": s.step, "name": s.name, "responsible": s.responsible,
                       "hours": _num(s.hours)} for s in c.steps.all()],
        } for c in v.channels.all()],
        "documents": [{
            "name": d.name, "template_name": d.template_name, "originals": d.originals, "copies": d.copies,
            "requirement": d.requirement, "condition": d.condition,
            "file_types": [t for t in d.file_types.split(",") if t], "note": d.note,
            **({"form": {"schema": d.eform.schema, "layout": d.eform.layout, "print_template": d.eform.print_template,
                         "official_template": d.eform.official_template}} if hasattr(d, "eform") else {}),
        } for d in v.documents.all()],
    }


def _num(value: Decimal):
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _procedures():
    return Procedure.objects.select_related("field").order_by("code").prefetch_related(
        "versions__agencies", "versions__channels__fees__allowed_exemptions", "versions__channels__steps",
        "versions__documents__eform")


def export_json() -> str:
    procedures = list(_procedures())
    used = sorted({p.field for p in procedures}, key=lambda f: f.code)
    data = {
        "format": FORMAT,
        "fields": [{"code": f.code, "name": f.name} for f in used],
        "procedures": [{
            "code": p.code, "name": p.name, "field": p.field.code, "level": p.level,
            "keywords": [k.strip() for k in p.keywords.split(",") if k.strip()],
            "versions": [_version_dict(v) for v in sorted(p.versions.all(), key=lambda v: v.number)],
        } for p in procedures],
        "anywhere_overrides": [{
            "province": o.province.code, "procedure": o.procedure.code, "receivable": o.receivable,
            "decision_number": o.decision_number, "effective_from": o.effective_from.isoformat(), "note": o.note,
        } for o in AnywhereOverride.objects.select_related("province", "procedure").order_by(
            "province__code", "procedure__code", "effective_from")],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ["code", "name", "field_code", "field_name", "level", "keywords", "version", "status", "decision_number",
               "effective_from", "effective_to", "online_level", "channel", "time_limit", "unit", "total_fee_vnd",
               "anywhere"]


def _iso(day) -> str:
    return day.isoformat() if day else ""  # the catalogue file keeps ISO dates (FORMAT.md)


def export_csv() -> str:
    """Text that a spreadsheet would run as a formula is written with a leading apostrophe (core.exports);
    `import_csv` drops it again, so the file round-trips."""
    rows = []
    for p in _procedures():
        for v in sorted(p.versions.all(), key=lambda v: v.number):
            for c in v.channels.all() or [None]:
                rows.append([
                    p.code, p.name, p.field.code, p.field.name, p.level, p.keywords, v.number, v.status,
                    v.decision_number, _iso(v.effective_from), _iso(v.effective_to), v.online_level,
                    c.channel if c else "", _num(c.time_limit) if c else "", c.unit if c else "",
                    sum(f.amount for f in c.fees.all()) if c else "", "true" if v.anywhere else "false",
                ])
    return csv_text(CSV_COLUMNS, rows)


# -- CSV: the flat parts (procedure code, name, field, level, keywords) -----------------------

CSV_REQUIRED = ["code", "name", "field_code", "level"]


def import_csv(text: str, *, actor=None) -> dict[str, int]:
    """Create or update procedures' flat data from CSV (the columns of export_csv; extra columns are
    ignored, one procedure may span several rows if they agree). Versions are not touched: a new
    procedure appears in the public catalogue only once a version is published."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected([(1, f"thiếu cột: {', '.join(missing)} (cần {', '.join(CSV_REQUIRED)}).")])
    errors: list[tuple[int, str]] = []
    rows: dict[str, tuple[int, dict]] = {}
    fields = dict(Field.objects.values_list("code", "name"))
    for raw in reader:
        line = reader.line_num
        row = {key: csv_value_in(value) if isinstance(value, str) else value for key, value in raw.items()}
        code = (row.get("code") or "").strip()
        data = {"name": " ".join((row.get("name") or "").split()), "field": (row.get("field_code") or "").strip(),
                "field_name": (row.get("field_name") or "").strip(), "level": (row.get("level") or "").strip(),
                "keywords": (row.get("keywords") or "").strip()}
        if not re.fullmatch(PROCEDURE_CODE_RE, code):
            errors.append((line, f"mã thủ tục {code!r} không hợp lệ (dạng 1.000948 hoặc 1.000948.H38)."))
            continue
        if not data["name"]:
            errors.append((line, f"{code}: thiếu tên thủ tục."))
        if data["level"] not in Level.values:
            errors.append((line, f"{code}: cấp thực hiện {data['level']!r} không hợp lệ ({', '.join(Level.values)})."))
        if data["field"] not in fields:
            if data["field_name"] and re.fullmatch(r"[A-Z0-9][A-Z0-9.\-]{0,19}", data["field"]):
                fields[data["field"]] = data["field_name"]
            else:
                errors.append((line, f"{code}: lĩnh vực {data['field']!r} không có; thêm cột field_name để tạo mới."))
        if code in rows:
            first_line, first = rows[code]
            if {k: v for k, v in first.items() if k != "keywords"} != {k: v for k, v in data.items()
                                                                      if k != "keywords"}:
                errors.append((line, f"{code}: khác với dòng {first_line} của cùng thủ tục."))
            continue
        rows[code] = (line, data)
    if errors:
        raise ImportRejected(errors)
    counts = {"fields": 0, "procedures": 0, "updated": 0, "unchanged": 0}
    try:
        with transaction.atomic():
            for code, name in fields.items():
                counts["fields"] += Field.objects.get_or_create(code=code, defaults={"name": name})[1]
            for code, (line, data) in rows.items():
                field = Field.objects.get(code=data["field"])
                procedure = Procedure.objects.filter(code=code).first()
                try:
                    if procedure is None:
                        services.procedure_create(actor=actor, code=code, name=data["name"], field=field,
                                                  level=data["level"], keywords=data["keywords"])
                        counts["procedures"] += 1
                    elif (procedure.name, procedure.field_id, procedure.level) != (data["name"], field.pk,
                                                                                   data["level"]):
                        services.procedure_update(actor=actor, procedure=procedure, name=data["name"], field=field,
                                                  level=data["level"])
                        counts["updated"] += 1
                    else:
                        counts["unchanged"] += 1
                except DomainError as exc:
                    exc.line = line
                    raise
    except DomainError as exc:
        raise ImportRejected([(getattr(exc, "line", 1), exc.message)]) from None
    return counts
