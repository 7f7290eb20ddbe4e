"""Issuing a document (render, sign, store, once), revoking one, registering a leader's certificate."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from . import pdf
from .models import DocumentStatus, IssuedDocument, OfficerCertificate, SignatureState


def verify_url(public_id: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("signing:verify", args=[public_id])


def document_issue(*, kind: str, ref: str, agency, render: Callable[[str], pdf.Rendered], number: str = "",
                   reason: str = "", signer_title: str = "", replaces_prefix: str = "",
                   sign: bool = True) -> IssuedDocument:
    """Issue a document once per (kind, ref): render it with the QR code of its verification page (the
    callable gets that page's address), sign it with the agency's key, store the file and its hash. Asked
    again for the same (kind, ref), it returns what was issued — the same file, never a second one.
    `replaces_prefix`: earlier documents of this kind whose ref starts so are marked replaced by this one
    (a control sheet printed again after more steps)."""
    existing = IssuedDocument.objects.filter(kind=kind, ref=ref).first()
    if existing is not None:
        return existing
    doc = IssuedDocument(kind=kind, ref=ref, agency=agency, number=number, issued_at=timezone.now(),
                         signer_title=signer_title)
    rendered = render(verify_url(doc.public_id))
    signed = pdf.sign(rendered, agency_code=agency.code, reason=reason or doc.get_kind_display(),
                      location=agency.name) if sign else None
    if signed is not None:
        data = signed.pdf
        doc.signature, doc.signer_name, doc.demo = SignatureState.AGENCY, signed.signer_name, signed.demo
        doc.cert_subject, doc.cert_issuer, doc.cert_serial = signed.subject, signed.issuer, signed.serial
        doc.issued_at = signed.signed_at
    else:
        data = rendered.pdf
        doc.signature, doc.signer_name = SignatureState.UNSIGNED, agency.name
    doc.sha256, doc.size = hashlib.sha256(data).hexdigest(), len(data)
    doc.file.save(f"{doc.public_id}.pdf", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            doc.save()
            if replaces_prefix:
                (IssuedDocument.objects.filter(kind=kind, ref__startswith=replaces_prefix, status=DocumentStatus.VALID)
                 .exclude(pk=doc.pk).update(status=DocumentStatus.REPLACED, replaced_by=doc))
    except IntegrityError:  # issued meanwhile by a concurrent request: that one stands
        doc.file.delete(save=False)
        return IssuedDocument.objects.get(kind=kind, ref=ref)
    return doc


@transaction.atomic
def document_revoke(*, document: IssuedDocument, actor, reason: str) -> IssuedDocument:
    """The issuing agency withdraws a document: its verification page says so from now on."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Hãy nêu lý do thu hồi."), field="reason")
    document = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if document.status == DocumentStatus.REVOKED:
        raise DomainError("already_revoked", _("Văn bản này đã bị thu hồi."), http_status=409)
    document.status, document.revoked_at, document.revoked_by = DocumentStatus.REVOKED, timezone.now(), actor
    document.revoked_reason = reason[:500]
    document.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason"])
    return document


def _load_certificate(data: bytes) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise DomainError("certificate_unreadable", _(
            "Tệp không phải là chứng thư số (X.509, dạng .cer/.crt/.pem)."), field="certificate") from exc


@transaction.atomic
def officer_certificate_add(*, user, data: bytes, actor=None) -> OfficerCertificate:
    """Register a leader's personal certificate (the public part only: .cer / .crt / .pem)."""
    cert = _load_certificate(data)
    der = cert.public_bytes(Encoding.DER)
    fingerprint = hashlib.sha256(der).hexdigest()
    if OfficerCertificate.objects.filter(fingerprint=fingerprint).exists():
        raise DomainError("certificate_taken", _("Chứng thư này đã được đăng ký."), field="certificate",
                          http_status=409)
    if cert.not_valid_after_utc < timezone.now():
        raise DomainError("certificate_expired", _("Chứng thư này đã hết hiệu lực ngày %s.")
                          % timezone.localtime(cert.not_valid_after_utc).strftime("%d/%m/%Y"), field="certificate")
    return OfficerCertificate.objects.create(
        user=user, der=der, fingerprint=fingerprint, subject=cert.subject.rfc4514_string()[:500],
        issuer=cert.issuer.rfc4514_string()[:500], serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, added_by=actor)


@transaction.atomic
def document_register(*, kind: str, ref: str, agency, data: bytes, public_id: str, signature: str, signer_name: str,
                      signer_title: str = "", cert_subject: str = "", cert_issuer: str = "", cert_serial: str = "",
                      number: str = "", issued_at=None, replaces_prefix: str = "") -> IssuedDocument:
    """Register a document signed elsewhere (a result a leader signed on their own PC and uploaded), under
    the public id its QR code already carries. Unlike `document_issue` it is not idempotent: the caller has
    checked the file and holds the lock of what the document belongs to. `replaces_prefix` as there."""
    if IssuedDocument.objects.filter(kind=kind, ref=ref).exists():
        raise DomainError("already_issued", _("Văn bản này đã được ban hành."), http_status=409)
    doc = IssuedDocument(public_id=public_id, kind=kind, ref=ref, agency=agency, number=number,
                         issued_at=issued_at or timezone.now(), signature=signature, signer_name=signer_name[:255],
                         signer_title=signer_title[:100], cert_subject=cert_subject[:500],
                         cert_issuer=cert_issuer[:500], cert_serial=cert_serial[:80],
                         sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    doc.file.save(f"{doc.public_id}.pdf", ContentFile(data), save=False)
    name = doc.file.name
    try:
        with transaction.atomic():
            doc.save()
            if replaces_prefix:
                (IssuedDocument.objects.filter(kind=kind, ref__startswith=replaces_prefix, status=DocumentStatus.VALID)
                 .exclude(pk=doc.pk).update(status=DocumentStatus.REPLACED, replaced_by=doc))
    except BaseException:
        doc.file.storage.delete(name)
        raise
    return doc
