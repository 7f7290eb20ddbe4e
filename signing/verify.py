"""Checking the signatures a PDF carries: who signed, whether each signature is intact, made with a
certificate the province trusts that was valid when it signed, and whether it covers the whole file.
Offline: nothing is fetched (revocation lists are not reachable from every desk), so a revoked certificate
is caught only when its revocation information is embedded in the file."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from . import config
from .loops import outside_event_loop
from .pdf import cert_name


@dataclass
class SignatureReport:
    field: str
    signer_name: str = ""
    organisation: str = ""
    subject: str = ""
    issuer: str = ""
    serial: str = ""
    fingerprint: str = ""  # SHA-256 of the signer's certificate (DER)
    signed_at: datetime | None = None
    timestamped: bool = False
    intact: bool = False
    trusted: bool = False
    in_validity: bool = False
    whole_file: bool = False
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    signed_revision_end: int = 0  # bytes of the file this signature covers (its revision)

    def as_dict(self) -> dict:
        return {"field": self.field, "signer_name": self.signer_name, "organisation": self.organisation,
                "subject": self.subject, "issuer": self.issuer, "serial": self.serial,
                "fingerprint": self.fingerprint,
                "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "timestamped": self.timestamped, "intact": self.intact, "trusted": self.trusted,
                "in_validity": self.in_validity, "whole_file": self.whole_file, "ok": self.ok,
                "problems": self.problems}


@dataclass
class PdfCheck:
    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""  # the file could not be read as a PDF

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def all_ok(self) -> bool:
        return self.signed and all(s.ok for s in self.signatures)

    @property
    def state(self) -> str:
        """none (no signature) / valid / invalid / unreadable."""
        if self.error:
            return "unreadable"
        if not self.signatures:
            return "none"
        return "valid" if self.all_ok else "invalid"

    def as_dict(self) -> dict:
        return {"sha256": self.sha256, "state": self.state, "error": self.error,
                "signatures": [s.as_dict() for s in self.signatures]}


def _moment(embedded, at: datetime | None) -> tuple[datetime, bool]:
    """When to judge the certificate: the given moment, else the time an RFC 3161 token proves, else the
    time the signer claims (said so on the page: without a timestamp, the signing time is the signer's word).
    The token itself is checked afterwards (`timestamp_validity`)."""
    from . import hanko as h  # pyHanko is heavy to import (see hanko.py)

    if at is not None:
        return at, False
    try:
        for tst in h.extract_tst_data_iter(embedded.signer_info, signed=False):
            return tst["encap_content_info"]["content"].parsed["gen_time"].native, True
    except (KeyError, ValueError, TypeError, AttributeError):
        pass
    claimed = embedded.self_reported_timestamp
    return (claimed or timezone.now()), False


@outside_event_loop
def check_pdf(data: bytes, *, at: datetime | None = None) -> PdfCheck:
    """Every signature of the file, judged. `at`: judge the certificates at this moment (an upload made
    just now) instead of at each signature's own signing time."""
    from . import hanko as h  # pyHanko is heavy to import: loaded by the first check (see hanko.py)

    result = PdfCheck(sha256=hashlib.sha256(data).hexdigest())
    try:
        reader = h.PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (h.PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError) as exc:
        result.error = _("Không đọc được tệp PDF: %s") % exc
        return result
    roots = list(config.trust_roots())
    for sig in embedded:
        report = SignatureReport(field=sig.field_name or "")
        result.signatures.append(report)
        try:
            cert = sig.signer_cert
        except (ValueError, KeyError, TypeError, AttributeError):
            cert = None
        if cert is not None:
            report.signer_name = cert_name(cert)
            report.organisation = cert.subject.native.get("organization_name") or ""
            report.subject, report.issuer = cert.subject.human_friendly, cert.issuer.human_friendly
            report.serial = format(cert.serial_number, "X")
            report.fingerprint = hashlib.sha256(cert.dump()).hexdigest()
        moment, report.timestamped = _moment(sig, at)
        report.signed_at = moment if report.timestamped else sig.self_reported_timestamp
        try:
            byte_range = [int(v) for v in sig.byte_range]
            report.signed_revision_end = byte_range[2] + byte_range[3]
        except (TypeError, IndexError, ValueError, AttributeError):
            report.signed_revision_end = 0
        if cert is None:
            report.problems.append(_("Chữ ký không kèm chứng thư của người ký."))
            continue
        nb, na = cert.not_valid_before, cert.not_valid_after
        report.in_validity = nb <= moment <= na
        if not report.in_validity:
            report.problems.append(
                _("Chứng thư chỉ có hiệu lực từ %(start)s đến %(end)s, không có hiệu lực lúc ký (%(when)s).") % {
                    "start": timezone.localtime(nb).strftime("%d/%m/%Y"),
                    "end": timezone.localtime(na).strftime("%d/%m/%Y"),
                    "when": timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")})
        context = h.ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment,
                                    revocation_mode="soft-fail")
        try:
            status = h.validate_pdf_signature(sig, context)
        except (h.SignatureValidationError, ValueError, KeyError, TypeError, AttributeError) as exc:
            report.problems.append(_("Không kiểm tra được chữ ký: %s") % exc)
            continue
        tst = status.timestamp_validity
        if report.timestamped and not (tst is not None and tst.intact and tst.valid and tst.trusted):
            report.timestamped = False
            report.problems.append(_("Dấu thời gian kèm chữ ký không hợp lệ hoặc do đơn vị không tin cậy cấp."))
            report.ok = False
            continue
        report.intact = bool(status.intact and status.valid)
        report.trusted = bool(status.trusted)
        if not report.intact:
            report.problems.append(_("Nội dung đã bị thay đổi sau khi ký: chữ ký không còn khớp với tệp."))
        if not report.trusted and report.in_validity:
            report.problems.append(_(
                "Chứng thư do tổ chức không có trong danh sách tin cậy của tỉnh cấp (%s), hoặc chuỗi chứng thư "
                "không hợp lệ.") % report.issuer)
        coverage, level = status.coverage, status.modification_level
        if coverage == h.SignatureCoverageLevel.ENTIRE_FILE:
            report.whole_file = True
        elif coverage == h.SignatureCoverageLevel.ENTIRE_REVISION and level is not None \
                and level <= h.ModificationLevel.FORM_FILLING and status.docmdp_ok:
            report.whole_file = True  # only signatures or validation data were added after it
        else:
            report.problems.append(_(
                "Chữ ký không bao trùm toàn bộ tệp: tệp đã bị sửa hoặc thêm nội dung sau khi ký."))
        report.ok = report.intact and report.trusted and report.in_validity and report.whole_file
    return result
