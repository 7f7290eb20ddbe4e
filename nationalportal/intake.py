"""Dossiers filed on the National Public Service Portal (Cổng Dịch vụ công quốc gia; Decree 118/2025: the
citizens' online channel) arrive here: pushed to the intake endpoint (`views.intake_endpoint`) or pulled
from an integration platform (`pull.pull_intake`). Both call `intake()`.

A request is checked whole before anything is stored:
1. its JSON against `SCHEMA` (JSON Schema, jsonschema): the field is named in the answer;
2. the national code: a request already taken (same fingerprint) answers with the dossier it created and
   creates nothing (retries are safe); the same code with other content is a conflict;
3. the procedure: its national code must belong to a mapped version in force (`VersionMapping`), every file
   must come under a mapped document type (`DocumentTypeMapping`);
4. the agencies: the receiving desk, the competent agency (given, or proposed as at the desk) and the
   returning desk are checked like a desk's route (`routing.check_route`);
5. the files: decoded (inline base64) or fetched (links, only from NATIONAL_PORTAL_FILE_HOSTS), each within
   the size limit and of an accepted type by its content, and of the announced SHA-256 when given.
Then one transaction files the dossier (`dossiers.services.dossier_file_from_national_portal`) and records
the intake. Any refusal is answered with a machine-readable code and logged (`IntakeRefusal`); nothing is
half-stored.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from accounts.models import Agency
from core.errors import DomainError
from dossiers import routing
from dossiers.attachments import check_upload, max_bytes
from dossiers.models import ApplicantKind, Attachment, ReturnChannel
from dossiers.services import dossier_file_from_national_portal, dossier_supplement_from_national_portal
from procedures.selectors import versions_in_force

from .mapping import unmapped_versions
from .models import (
    DocumentTypeMapping,
    IntakeRefusal,
    IntakeVia,
    NationalDossier,
    NationalSupplement,
    VersionMapping,
)

log = logging.getLogger(__name__)
OLDEST_DAYS = 730  # a request filed longer ago than this is refused (a clock or data error, not a dossier)

_TEXT = {"type": "string", "maxLength": 255}
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["national_code", "procedure_code", "filed_at", "receiving_agency_code", "applicant", "files"],
    "properties": {
        "national_code": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": CODE_PATTERN},
        "procedure_code": {"type": "string", "minLength": 1, "maxLength": 40},
        "filed_at": {"type": "string", "minLength": 10, "maxLength": 40},
        "receiving_agency_code": {"type": "string", "minLength": 1, "maxLength": 40},
        "handling_agency_code": {"type": "string", "minLength": 1, "maxLength": 40},
        "returning_agency_code": {"type": "string", "minLength": 1, "maxLength": 40},
        "return_channel": {"enum": ReturnChannel.values},
        "applicant": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": {
                "kind": {"enum": ApplicantKind.values},
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "id_number": {"type": "string", "maxLength": 20},
                "address": _TEXT, "commune": {"type": "string", "maxLength": 120},
                "phone": {"type": "string", "maxLength": 20}, "email": {"type": "string", "maxLength": 254},
                "vneid_verified": {"type": "boolean"},
                "representative": {"type": "object", "additionalProperties": False, "required": ["name"],
                                   "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 255},
                                                  "id_number": {"type": "string", "maxLength": 20}}},
            },
        },
        "cases": {"type": "array", "maxItems": 50, "uniqueItems": True,
                  "items": {"type": "string", "minLength": 1, "maxLength": 60}},
        "fees": {"type": "object", "additionalProperties": False, "required": ["paid"],
                 "properties": {"paid": {"type": "integer", "minimum": 0, "maximum": 10_000_000_000},
                                "reference": {"type": "string", "maxLength": 60}}},
        "files": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object", "additionalProperties": False, "required": ["document_type", "name"],
                "oneOf": [{"required": ["content_base64"]}, {"required": ["url"]}],
                "properties": {
                    "document_type": {"type": "string", "minLength": 1, "maxLength": 60},
                    "name": {"type": "string", "minLength": 1, "maxLength": 255},
                    "content_base64": {"type": "string"},
                    "url": {"type": "string", "minLength": 8, "maxLength": 2000},
                    "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
                },
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)
# Files the citizen adds on the national portal to a dossier that waits for them (POST …/<code>/supplements/).
SUPPLEMENT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["supplement_id", "files"],
    "properties": {
        "supplement_id": {"type": "string", "minLength": 1, "maxLength": 60, "pattern": CODE_PATTERN},
        "message": {"type": "string", "maxLength": 1000},
        "files": SCHEMA["properties"]["files"],
    },
}
_SUPPLEMENT_VALIDATOR = Draft202012Validator(SUPPLEMENT_SCHEMA)


@dataclass
class Outcome:
    record: NationalDossier
    created: bool


def _path(error) -> str:
    return ".".join(str(p) for p in error.absolute_path)


def _schema_message(error) -> tuple[str, str]:
    """A Vietnamese message for the first schema error, and the field it names."""
    field = _path(error)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        field = f"{field}.{missing}" if field else missing
        return _("Thiếu trường bắt buộc “%s”.") % field, field
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _("Trường không được nhận: %s.") % ", ".join(f"{field}.{e}" if field else e for e in extra), field
    if kind == "type":
        names = {"string": _("chuỗi"), "integer": _("số nguyên"), "boolean": _("true/false"), "object": _("đối tượng"),
                 "array": _("danh sách")}
        wanted = names.get(error.validator_value, error.validator_value)
        return _("“%(field)s” phải là %(type)s.") % {"field": field or _("dữ liệu"), "type": wanted}, field
    if kind in ("maxLength", "maxItems", "maximum"):
        return _("“%(field)s” vượt giới hạn %(limit)s.") % {"field": field, "limit": error.validator_value}, field
    if kind in ("minLength", "minItems"):
        return _("“%s” không được để trống.") % field, field
    if kind == "minimum":
        return _("“%s” không được âm.") % field, field
    if kind == "enum":
        return _("“%(field)s” phải là một trong: %(values)s.") % {
            "field": field, "values": ", ".join(map(str, error.validator_value))}, field
    if kind == "oneOf":
        return _("“%s” phải có đúng một trong hai: nội dung (content_base64) hoặc đường dẫn (url).") % field, field
    if kind == "uniqueItems":
        return _("“%s” có giá trị lặp lại.") % field, field
    if kind == "pattern":
        return _("“%s” không đúng định dạng.") % field, field
    return _("“%s” không hợp lệ.") % (field or _("dữ liệu")), field


CODE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._\-]*\Z")  # JSON Schema's "$" would let a final newline through


def validate(data, validator=_VALIDATOR) -> None:
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        message, field = _schema_message(errors[0])
        raise DomainError("invalid", message, field=field or None)
    for field in ("national_code", "supplement_id"):
        if field in data and not CODE.match(data[field]):
            raise DomainError("invalid", _("“%s” chỉ gồm chữ, số và . _ - (bắt đầu bằng chữ hoặc số).") % field,
                              field=field)


def _file_identity(item: dict) -> dict:
    """What a file is, for the fingerprint: its type, name and content hash — not the link it was offered at
    (a national portal may sign its file links with an expiry: a retry's links differ, its files do not)."""
    out = {"document_type": item.get("document_type"), "name": item.get("name"), "sha256": item.get("sha256")}
    if isinstance(item.get("content_base64"), str):
        out["content"] = hashlib.sha256(item["content_base64"].encode()).hexdigest()
    elif not item.get("sha256"):
        out["url"] = item.get("url")  # nothing else says which file it is
    return out


def fingerprint(data: dict) -> str:
    data = {**data, "files": [_file_identity(f) for f in data.get("files", []) if isinstance(f, dict)]}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def parse(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DomainError("invalid_json", _("Nội dung yêu cầu không phải JSON hợp lệ (UTF-8).")) from None
    if not isinstance(data, dict):
        raise DomainError("invalid", _("Nội dung yêu cầu phải là một đối tượng JSON."))
    return data


# -- lookups ------------------------------------------------------------------------------------------


def mapped_version(procedure_code: str, on: dt.date):
    """The version in force on `on` (the filing day) mapped, with all its components, under this national
    procedure code; or a refusal saying whether the code is unknown or known but not (fully) mapped."""
    mapping = (VersionMapping.objects.select_related("version__procedure")
               .filter(national_procedure_code=procedure_code, version__in=versions_in_force(on))
               .exclude(version__in=unmapped_versions(on)).order_by("-version__effective_from", "-pk").first())
    if mapping is not None:
        return mapping.version
    if versions_in_force(on).filter(Q(procedure__code=procedure_code)
                                    | Q(national_mapping__national_procedure_code=procedure_code)).exists():
        raise DomainError("procedure_unmapped", _(
            "Thủ tục %s chưa được ánh xạ với Cổng DVC quốc gia: quản trị viên cần ánh xạ thủ tục và thành phần "
            "hồ sơ trước khi nhận hồ sơ.") % procedure_code, field="procedure_code", http_status=422)
    raise DomainError("unknown_procedure", _("Không có thủ tục mã %s đang có hiệu lực.") % procedure_code,
                      field="procedure_code", http_status=422)


def _agency(code: str, field: str) -> Agency:
    agency = Agency.objects.select_related("parent").filter(code=code, is_active=True).first()
    if agency is None:
        raise DomainError("unknown_agency", _("Không có cơ quan mã %s đang hoạt động.") % code, field=field,
                          http_status=422)
    return agency


def _documents(version) -> dict[str, object]:
    return {m.national_type: m.document for m in DocumentTypeMapping.objects.select_related("document")
            .filter(version=version)}


# -- files ------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A file link is fetched from the registered host itself: a redirect (possibly to another host, an
    internal address) is refused, not followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, "redirect", headers, fp)


_OPENER = urllib.request.build_opener(_NoRedirect)


def _allowed(url: str) -> bool:
    """A link to a registered file host, over HTTPS (plain HTTP only where NATIONAL_PORTAL_FILE_ALLOW_HTTP, the
    default with DEBUG), with no user name, no odd port and nothing urllib would read differently."""
    if "\\" in url or any(ord(c) < 33 for c in url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    schemes = ("https", "http") if getattr(settings, "NATIONAL_PORTAL_FILE_ALLOW_HTTP", False) else ("https",)
    hosts = {h.lower() for h in getattr(settings, "NATIONAL_PORTAL_FILE_HOSTS", [])}
    return (parts.scheme in schemes and bool(parts.hostname) and parts.hostname.lower() in hosts
            and parts.username is None and parts.password is None)


def _fetch(url: str, field: str, limit: int, deadline: float) -> bytes:
    if not _allowed(url):
        raise DomainError("file_url_not_allowed", _(
            "Không lấy tệp từ địa chỉ này: chỉ nhận đường dẫn HTTPS tới máy chủ tệp đã đăng ký của Cổng DVC quốc "
            "gia."), field=field, http_status=422)
    left = deadline - time.monotonic()
    if left <= 0:
        raise DomainError("file_fetch_failed", _("Quá thời gian tải các tệp của hồ sơ."), field=field,
                          http_status=422)
    request = urllib.request.Request(url, method="GET")
    try:
        with _OPENER.open(request, timeout=min(20, left)) as response:  # a registered host; no redirect followed
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise DomainError("file_too_large", _("Tệp vượt giới hạn %s MB.") % (limit // 1024 // 1024),
                                  field=field, http_status=413)
            content = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        # 4xx (gone, forbidden, a redirect refused): the link will not work on a retry either; 5xx and 429 may.
        code = "file_fetch_failed" if exc.code >= 500 or exc.code == 429 else "file_unavailable"
        raise DomainError(code, _("Không tải được tệp (HTTP %s).") % exc.code, field=field,
                          http_status=422) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
        raise DomainError("file_fetch_failed", _("Không tải được tệp: %s.") % getattr(exc, "reason", exc),
                          field=field, http_status=422) from None
    if time.monotonic() > deadline:
        raise DomainError("file_fetch_failed", _("Quá thời gian tải các tệp của hồ sơ."), field=field,
                          http_status=422)
    if len(content) > limit:
        raise DomainError("file_too_large", _("Tệp vượt giới hạn %s MB.") % (limit // 1024 // 1024), field=field,
                          http_status=413)
    return content


def _content(item: dict, field: str, limit: int, deadline: float) -> bytes:
    if "content_base64" in item:
        text = item["content_base64"]
        if len(text) * 3 // 4 > limit + 3:
            raise DomainError("file_too_large", _("Tệp “%(name)s” vượt giới hạn %(max)s MB.") % {
                "name": item["name"], "max": limit // 1024 // 1024}, field=field, http_status=413)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError("invalid_base64", _("Nội dung tệp “%s” không phải base64 hợp lệ.") % item["name"],
                              field=field) from None
    return _fetch(item["url"], field, limit, deadline)


def _files(items: list[dict], documents: dict) -> list[tuple]:
    """(RequiredDocument, upload) per file, every check done; nothing stored."""
    if len(items) > int(getattr(settings, "NATIONAL_PORTAL_MAX_FILES", 30)):
        raise DomainError("too_many_files", _("Quá nhiều tệp trong một hồ sơ (tối đa %s).")
                          % settings.NATIONAL_PORTAL_MAX_FILES, field="files")
    for index, item in enumerate(items):  # every type mapped before any download
        if item["document_type"] not in documents:
            raise DomainError("unmapped_document", _(
                "Thành phần mã “%s” chưa được ánh xạ với thành phần hồ sơ của thủ tục.") % item["document_type"],
                field=f"files.{index}.document_type", http_status=422)
    limit = max_bytes()
    deadline = time.monotonic() + int(getattr(settings, "NATIONAL_PORTAL_FETCH_SECONDS", 120))
    out = []
    for index, item in enumerate(items):
        field = f"files.{index}"
        content = _content(item, field, limit, deadline)
        if item.get("sha256") and hashlib.sha256(content).hexdigest() != item["sha256"].lower():
            raise DomainError("file_hash_mismatch", _("Tệp “%s” không khớp mã SHA-256 đã gửi kèm.") % item["name"],
                              field=field, http_status=422)
        upload = SimpleUploadedFile(item["name"][:255], content)
        document = documents[item["document_type"]]
        try:
            check_upload(upload, document, field=field)
        except DomainError as exc:
            if exc.code == "file_too_large":
                exc.http_status = 413
            raise
        out.append((document, upload))
    return out


# -- the intake itself ------------------------------------------------------------------------------


def _applicant(data: dict) -> dict:
    person = data["applicant"]
    representative = person.get("representative") or {}
    fields = {
        "applicant_kind": person.get("kind", ApplicantKind.PERSON), "applicant_name": person["name"],
        "applicant_id_number": person.get("id_number", ""), "applicant_address": person.get("address", ""),
        "applicant_commune": person.get("commune", ""), "applicant_phone": person.get("phone", ""),
        "applicant_email": person.get("email", ""), "representative_name": representative.get("name", ""),
        "representative_id_number": representative.get("id_number", ""),
    }
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}


def existing(data: dict, digest: str) -> NationalDossier | None:
    record = NationalDossier.objects.select_related("dossier").filter(national_code=data["national_code"]).first()
    if record is not None and record.fingerprint != digest:
        raise DomainError("national_code_conflict", _(
            "Mã hồ sơ %s đã được nhận với nội dung khác; không nhận lần hai.") % data["national_code"],
            field="national_code", http_status=409)
    return record


def intake(data, *, via: str = IntakeVia.PUSH, now: dt.datetime | None = None) -> Outcome:
    """File one national-portal dossier (see the module's docstring). Raises DomainError, logged as an
    `IntakeRefusal`, when anything is wrong."""
    try:
        return _intake(data, via=via, now=now or timezone.now())
    except DomainError as exc:
        refuse(data, exc, via=via)
        raise


def refuse(data, exc: DomainError, *, via: str = IntakeVia.PUSH) -> None:
    data = data if isinstance(data, dict) else {}
    code = data.get("national_code") if isinstance(data.get("national_code"), str) else ""
    procedure = data.get("procedure_code") if isinstance(data.get("procedure_code"), str) else ""
    IntakeRefusal.objects.create(at=timezone.now(), national_code=code[:40], procedure_code=procedure[:40],
                                 code=exc.code[:40], message=exc.message[:500], field=(exc.field or "")[:120], via=via)


def _intake(data, *, via: str, now: dt.datetime) -> Outcome:
    validate(data)
    digest = fingerprint(data)
    record = existing(data, digest)
    if record is not None:
        return Outcome(record, False)
    try:
        filed_at = parse_datetime(data["filed_at"])
    except ValueError:  # the right shape, not a real moment (30 February, +25:00)
        filed_at = None
    if filed_at is None or timezone.is_naive(filed_at):
        raise DomainError("invalid", _("“filed_at” phải là thời điểm ISO 8601 có múi giờ."), field="filed_at")
    if filed_at > now + dt.timedelta(minutes=5):
        raise DomainError("invalid", _("“filed_at” ở tương lai."), field="filed_at")
    if filed_at < now - dt.timedelta(days=OLDEST_DAYS):
        raise DomainError("invalid", _("“filed_at” quá cũ (hơn %d ngày trước).") % OLDEST_DAYS, field="filed_at")
    version = mapped_version(data["procedure_code"], timezone.localdate(filed_at))
    documents = _documents(version)
    receiving = _agency(data["receiving_agency_code"], "receiving_agency_code")
    applicant = _applicant(data)
    if data.get("handling_agency_code"):
        handling = _agency(data["handling_agency_code"], "handling_agency_code")
    else:
        handling = routing.propose_competent(version, receiving, applicant["applicant_commune"])
        if handling is None:
            raise DomainError("no_competent_agency", _(
                "Không xác định được cơ quan có thẩm quyền giải quyết: hãy gửi kèm handling_agency_code."),
                field="handling_agency_code", http_status=422)
    return_channel = data.get("return_channel", ReturnChannel.DESK)
    if data.get("returning_agency_code"):
        returning = _agency(data["returning_agency_code"], "returning_agency_code")
    else:
        returning = receiving if return_channel == ReturnChannel.DESK else handling
    cases = []
    for index, national_type in enumerate(data.get("cases", [])):
        if national_type not in documents:
            raise DomainError("unmapped_document", _("Thành phần mã “%s” chưa được ánh xạ.") % national_type,
                              field=f"cases.{index}", http_status=422)
        cases.append(documents[national_type].pk)
    files = _files(data["files"], documents)  # downloads happen here, before any transaction
    fees = data.get("fees") or {}
    try:
        with transaction.atomic():
            dossier = dossier_file_from_national_portal(  # deletes the files it stored if it fails
                national_code=data["national_code"], version=version, agency=receiving, handling_agency=handling,
                returning_agency=returning, return_channel=return_channel, files=files, at=now, cases=cases,
                **applicant)
            stored = list(Attachment.objects.filter(dossier=dossier).values_list("file", flat=True))
            try:
                with transaction.atomic():
                    record = NationalDossier.objects.create(
                        national_code=data["national_code"], dossier=dossier, fingerprint=digest, via=via,
                        filed_at=filed_at, received_at=now,
                        vneid_verified=bool(data["applicant"].get("vneid_verified")),
                        fees_paid=fees.get("paid", 0), payment_reference=fees.get("reference", ""))
            except BaseException:
                for name in stored:  # the dossier rolls back: its files must go too
                    default_storage.delete(name)
                raise
    except IntegrityError:
        # The same dossier arrived twice at once: the other request stored it first.
        record = existing(data, digest)
        if record is None:
            raise DomainError("national_code_conflict", _("Mã hồ sơ %s đã có trong hệ thống.")
                              % data["national_code"], field="national_code", http_status=409) from None
        return Outcome(record, False)
    log.info("national portal intake %s -> dossier %s", record.national_code, dossier.pk)
    return Outcome(record, True)


# -- supplements ------------------------------------------------------------------------------------------


def supplement(national_code: str, data, *, now: dt.datetime | None = None) -> tuple[NationalSupplement, bool]:
    """The citizen's files for a dossier filed on the national portal that waits for them (see
    `dossiers.services.dossier_supplement_from_national_portal`); idempotent by (national code, supplement
    id). Returns (row, created); refusals are DomainErrors, logged like an intake's."""
    try:
        return _supplement(national_code, data, now=now or timezone.now())
    except DomainError as exc:
        refuse({**(data if isinstance(data, dict) else {}), "national_code": national_code}, exc)
        raise


def _supplement_taken(record: NationalDossier, data: dict, digest: str) -> NationalSupplement | None:
    """The supplement already taken under this id (the same content), None if new; another content: 409."""
    done = NationalSupplement.objects.filter(record=record, supplement_id=data["supplement_id"]).first()
    if done is not None and done.fingerprint != digest:
        raise DomainError("supplement_conflict", _("Lần bổ sung %s đã được nhận với nội dung khác.")
                          % data["supplement_id"], field="supplement_id", http_status=409)
    return done


def _supplement(national_code: str, data, *, now: dt.datetime) -> tuple[NationalSupplement, bool]:
    validate(data, _SUPPLEMENT_VALIDATOR)
    record = NationalDossier.objects.select_related("dossier").filter(national_code=national_code).first()
    if record is None:
        raise DomainError("not_found", _("Không có hồ sơ mã %s.") % national_code, http_status=404)
    digest = fingerprint(data)
    done = _supplement_taken(record, data, digest)
    if done is not None:
        return done, False
    dossier = record.dossier
    files = _files(data["files"], _documents(dossier.procedure_version))
    with transaction.atomic():
        # One supplement of a dossier at a time: a retry that came in meanwhile waits here, then finds it.
        NationalDossier.objects.select_for_update().filter(pk=record.pk).first()
        done = _supplement_taken(record, data, digest)
        if done is not None:
            return done, False
        before = set(Attachment.objects.filter(dossier=dossier).values_list("pk", flat=True))
        dossier_supplement_from_national_portal(dossier=dossier, files=files, message=data.get("message", ""), at=now)
        stored = list(Attachment.objects.filter(dossier=dossier).exclude(pk__in=before).values_list("file", flat=True))
        try:
            with transaction.atomic():
                row = NationalSupplement.objects.create(record=record, supplement_id=data["supplement_id"],
                                                        fingerprint=digest, received_at=now, files=len(files))
        except BaseException:
            for name in stored:  # the supplement rolls back: its files must go too
                default_storage.delete(name)
            raise
    return row, True
