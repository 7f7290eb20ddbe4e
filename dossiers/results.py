"""The electronic result of a dossier, signed: the mechanics behind the result services of `services.py`.

Two ways to sign, one outcome (a `signing.IssuedDocument` of kind RESULT, ref `dossier:<pk>:result:<n>`,
linked from `Dossier.e_result_document`, its file stored as the dossier's active result attachment, and
`e_result_sha256` its hash, so the citizen's download and the document store get the signed file):

- on the server, when the head approves and the handling agency has an organisation key: the draft PDF
  is signed incrementally (its bytes stay the first revision) with a stamp at the bottom right of its
  last page that carries the QR code of the verification page (`sign_with_agency_key`);
- by a leader on their own PC with a USB token: `services.result_draft_prepare` reserves the public id
  and adds the QR code and address to the draft (an unsigned incremental update, `ResultDraft`); the
  signed file uploaded back must pass `check_signed_upload` (see there) before anything is written.

A newly signed result replaces the previous one of the dossier (REPLACED, `replaced_by`); a revoked one
stays revoked. Only a signed, not revoked result counts as issued electronically (`stats.E_RESULT`).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import DomainError
from signing import config as signing_config
from signing import pdf as signing_pdf
from signing import services as signing_services
from signing import verify as signing_verify
from signing.models import DocumentKind, IssuedDocument, OfficerCertificate
from signing.verify import SignatureReport

from . import events
from .attachments import attachment_add
from .models import Attachment, AttachmentKind, Dossier, ResultDraft

PDF = "application/pdf"


def ref_prefix(dossier: Dossier) -> str:
    return f"dossier:{dossier.pk}:result:"


def next_ref(dossier: Dossier) -> str:
    """The ref of the dossier's next result document (call under the dossier's lock)."""
    count = IssuedDocument.objects.filter(kind=DocumentKind.RESULT, ref__startswith=ref_prefix(dossier)).count()
    return f"{ref_prefix(dossier)}{count + 1}"


def issued_results(dossier: Dossier):
    return IssuedDocument.objects.filter(kind=DocumentKind.RESULT, ref__startswith=ref_prefix(dossier))


def current_draft(dossier: Dossier) -> Attachment | None:
    """The result PDF waiting to be signed: the latest active result PDF, unless it is itself a signed
    result the portal issued (then there is nothing to sign)."""
    latest = (Attachment.objects.filter(dossier=dossier, kind=AttachmentKind.RESULT, is_active=True, content_type=PDF)
              .order_by("-uploaded_at", "-id").first())
    if latest is None or issued_results(dossier).filter(sha256=latest.sha256).exists():
        return None
    return latest


def open_draft(dossier: Dossier) -> ResultDraft | None:
    """The draft prepared for signing on a PC from the current result PDF (not yet signed and uploaded)."""
    draft = current_draft(dossier)
    if draft is None:
        return None
    return ResultDraft.objects.filter(attachment=draft, document__isnull=True).first()


def agency_has_key(agency) -> bool:
    """Whether the configuration names a signing key for the agency (whether it works is seen when signing)."""
    return agency.code in signing_config.load().agencies


def read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def sign_with_agency_key(*, dossier: Dossier, draft: Attachment) -> IssuedDocument | None:
    """Sign `draft` with the handling agency's organisation certificate (None when it has no key; a key
    that cannot be used raises SigningUnavailable, a DomainError)."""
    agency = dossier.handling_agency
    if not agency_has_key(agency):
        return None
    data = read(draft.file)
    box = signing_pdf.result_box(data)
    return signing_services.document_issue(
        kind=DocumentKind.RESULT, ref=next_ref(dossier), agency=agency, number=dossier.code or "",
        render=lambda url: signing_pdf.Rendered(data, box, qr_url=url),
        reason=_("Kết quả giải quyết thủ tục hành chính"), replaces_prefix=ref_prefix(dossier))


def adopt(*, dossier: Dossier, actor, at, document: IssuedDocument, draft: Attachment, how: str) -> Attachment:
    """The signed file becomes the dossier's result: stored as its active result attachment (the draft it
    was signed from and the results it replaces are kept, inactive), recorded on the dossier (the caller
    saves it) and on the control sheet."""
    stem = draft.original_name.rsplit(".", 1)[0] if "." in draft.original_name else draft.original_name
    upload = SimpleUploadedFile(f"{stem[:200]}-ky-so.pdf", read(document.file), content_type=PDF)
    signed = attachment_add(dossier=dossier, actor=actor, upload=upload, kind=AttachmentKind.RESULT, at=at,
                            system=True)
    # the draft it was signed from and the results it replaces are kept, no longer offered as the result
    earlier = issued_results(dossier).exclude(pk=document.pk).values("sha256")
    (Attachment.objects.filter(dossier=dossier, kind=AttachmentKind.RESULT, is_active=True)
     .filter(Q(pk=draft.pk) | Q(sha256__in=earlier)).exclude(pk=signed.pk).update(is_active=False))
    dossier.e_result_sha256, dossier.e_result_signed_by, dossier.e_result_signed_at = document.sha256, actor, at
    dossier.e_result_document = document
    events.result_signed(dossier=dossier, actor=actor, at=at, document=document, attachment=signed.pk, how=how)
    return signed


def check_signed_upload(*, data: bytes, draft: ResultDraft, actor, at) -> SignatureReport:
    """The signed file a leader uploads, checked before anything is written; returns their signature.

    - a PDF with at least one signature;
    - every signature ok (`signing.verify`: intact, chained to the province's trust list, its certificate
      valid at `at` — now —, covering the whole file);
    - one of them made with one of the uploader's active registered certificates (not another officer's);
    - the signed document is the draft prepared for signing: the upload starts with exactly the prepared
      bytes and that signature's revision covers at least them (signing tools append an incremental update;
      a tool that rewrites the whole file is refused: equal text would not prove equal pages).
    """
    if data[:5] != b"%PDF-":
        raise DomainError("not_a_pdf", _("Tệp tải lên không phải là tệp PDF."), field="file")
    check = signing_verify.check_pdf(data, at=at)
    if check.error:
        raise DomainError("not_a_pdf", check.error, field="file")
    if not check.signed:
        raise DomainError("not_signed", _(
            "Tệp chưa có chữ ký số. Hãy ký số bản dự thảo đã tải về bằng thiết bị ký số của bạn rồi tải lên "
            "tệp đã ký."), field="file")
    bad = [s for s in check.signatures if not s.ok]
    if bad:
        problems = " ".join(p for s in bad for p in s.problems) or _("không kiểm tra được chữ ký.")
        raise DomainError("signature_invalid", _("Chữ ký số không hợp lệ: %s") % problems, field="file")
    mine = set(OfficerCertificate.objects.filter(
        user=actor, is_active=True, fingerprint__in=[s.fingerprint for s in check.signatures])
        .values_list("fingerprint", flat=True))
    own = [s for s in check.signatures if s.fingerprint in mine]
    if not own:
        raise DomainError("not_your_certificate", _(
            "Tệp được ký bằng chứng thư số của “%s”, không phải chứng thư số đã đăng ký của bạn. Chỉ lãnh đạo "
            "phê duyệt ký bằng chứng thư số của mình.") % ", ".join(s.signer_name for s in check.signatures),
            field="file")
    prepared = read(draft.file)
    # Only an append to the prepared bytes is the approved draft: a rewritten file whose text matches can
    # still paint over the page (a white box, an image), so text equality proves nothing.
    same = data.startswith(prepared) and any(s.signed_revision_end >= len(prepared) for s in own)
    if not same:
        raise DomainError("wrong_document", _(
            "Tệp đã ký không phải là bản dự thảo kết quả của hồ sơ này. Hãy ký số đúng bản dự thảo tải về từ "
            "trang hồ sơ này (không sửa nội dung) rồi tải lên."), field="file")
    return own[-1]
