"""Checking the signatures a PDF carries: who signed, whether each signature is intact, made with a
certificate the province trusts that was valid when it signed, and whether it covers the whole file.
Offline: nothing is fetched (revocation lists are not reachable from every desk), so a revoked certificate
is caught only when its revocation information is embedded in the file."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from . import config
from .loops import outside_event_loop
from .pdf import cert_name
from .problems import problem_text

logger = logging.getLogger(__name__)
MAX_SIGNATURES = 12  # a real document carries a few; beyond, the check's cost grows quadratically
MAX_REVISIONS = 40


def _date(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y") if moment else ""


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
    issues: list[tuple[str, dict]] = field(default_factory=list)
    signed_revision_end: int = 0  # bytes of the file this signature covers (its revision)
    form_filled_after: bool = False  # only form filling (fields, signatures) happened after it

    def add(self, code: str, **params) -> None:
        self.issues.append((code, params))

    @property
    def problems(self) -> list[str]:
        return [problem_text(code, params) for code, params in self.issues]

    def as_dict(self) -> dict:
        return {"field": self.field, "signer_name": self.signer_name, "organisation": self.organisation,
                "subject": self.subject, "issuer": self.issuer, "serial": self.serial,
                "fingerprint": self.fingerprint,
                "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "timestamped": self.timestamped, "intact": self.intact, "trusted": self.trusted,
                "in_validity": self.in_validity, "whole_file": self.whole_file, "ok": self.ok,
                "issues": [{"code": c, "params": p} for c, p in self.issues], "problems": self.problems}


@dataclass
class PdfCheck:
    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""  # the file could not be read as a PDF (or is too costly to check)

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
        revisions = reader.xrefs.total_revisions
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 -- an untrusted file: any parser failure (even RecursionError) means "unreadable"
        logger.info("unreadable PDF %s: %r", result.sha256, exc)
        result.error = _("Không đọc được tệp PDF: %s") % (str(exc)[:200] or type(exc).__name__)
        return result
    if len(embedded) > MAX_SIGNATURES or revisions > MAX_REVISIONS:
        # checking is quadratic in the number of signatures and revisions: a small crafted file could hold a
        # worker for minutes
        result.error = _("Tệp có quá nhiều chữ ký (%(n)d) hoặc quá nhiều lần sửa đổi (%(r)d): không kiểm tra "
                         "được.") % {"n": len(embedded), "r": revisions}
        return result
    roots = list(config.trust_roots())
    for sig in embedded:
        report = SignatureReport(field=sig.field_name or "")
        result.signatures.append(report)
        try:
            _judge(sig, report, roots, at, h)
        except Exception as exc:  # noqa: BLE001 -- an untrusted file: a failure is that signature's verdict, never a 500
            logger.info("signature check failed on %s: %r", result.sha256, exc)
            report.ok = False
            report.add("unverifiable", detail=str(exc)[:200] or type(exc).__name__)
    # A signature followed only by form filling (another signature's field, a filled-in value) covers the
    # file only when the last signature, which covers everything after it, is itself valid and whole.
    def judged_ok(report: SignatureReport) -> bool:
        return report.intact and report.trusted and report.in_validity and report.whole_file \
            and not any(code in ("unverifiable", "bad_timestamp") for code, _p in report.issues)

    last = max(result.signatures, key=lambda r: r.signed_revision_end, default=None)
    last_ok = last is not None and not last.form_filled_after and judged_ok(last)
    for report in result.signatures:
        if report.form_filled_after:
            if last_ok and last is not report:
                report.whole_file = True
            else:
                report.add("form_changed")
        report.ok = judged_ok(report)
    return result


def _judge(sig, report: SignatureReport, roots, at, h) -> None:
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
        report.add("no_certificate")
        return
    nb, na = cert.not_valid_before, cert.not_valid_after
    report.in_validity = nb <= moment <= na
    if not report.in_validity:
        report.add("not_in_validity", start=_date(nb), end=_date(na),
                   when=timezone.localtime(moment).strftime("%d/%m/%Y %H:%M"))
    context = h.ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment, revocation_mode="soft-fail")
    status = h.validate_pdf_signature(sig, context)
    tst = status.timestamp_validity
    if report.timestamped and not (tst is not None and tst.intact and tst.valid and tst.trusted):
        report.timestamped = False
        report.add("bad_timestamp")
        return
    report.intact = bool(status.intact and status.valid)
    report.trusted = bool(status.trusted)
    if not report.intact:
        report.add("modified")  # pyHanko does not judge the chain of a broken signature: say only this
        return
    if not report.trusted and report.in_validity:
        report.add("untrusted", issuer=report.issuer)
    coverage, level = status.coverage, status.modification_level
    if coverage == h.SignatureCoverageLevel.ENTIRE_FILE:
        report.whole_file = True
    elif coverage == h.SignatureCoverageLevel.ENTIRE_REVISION and level is not None and status.docmdp_ok \
            and level <= h.ModificationLevel.LTA_UPDATES:
        report.whole_file = True  # only validation data (DSS, document timestamps) were added after it
    elif coverage == h.SignatureCoverageLevel.ENTIRE_REVISION and level is not None and status.docmdp_ok \
            and level <= h.ModificationLevel.FORM_FILLING:
        report.form_filled_after = True  # decided once every signature is judged (check_pdf)
    else:
        report.add("not_whole_file")
