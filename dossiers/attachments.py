"""Uploading dossier files: type checked by content, size limited, hashed, stored privately.

A failed upload changes nothing (the file written to storage is removed again); an upload never
replaces an earlier file in place, so no earlier file is ever lost.
"""

from __future__ import annotations

import hashlib
import logging

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.files import download_name, extension_for
from procedures.models import RequiredDocument
from signing.verify import check_pdf

from . import events, policies
from .components import required_documents
from .models import Attachment, AttachmentKind, Dossier, SignatureCheckState
from .workflow import Status

DEFAULT_TYPES = ("pdf", "jpg", "jpeg", "png")
# Aliases: the content says "jpg" for every JPEG; "docx" files are zip containers, etc.
SAME_TYPE = {"jpeg": "jpg", "tif": "tiff"}

log = logging.getLogger(__name__)

def check_add(user: User, dossier: Dossier, kind: str) -> None:
    """`policies.can_add_attachment`, or the reason why not: 403 for someone who never adds this kind, 409
    for the wrong state."""
    if kind not in AttachmentKind.values:
        raise DomainError("invalid_kind", _("Loại tệp không hợp lệ."), field="kind")
    if policies.can_add_attachment(user, dossier, kind):
        return
    label = AttachmentKind(kind).label
    if not policies.adds_attachments_of(user, dossier, kind):
        raise DomainError("upload_forbidden", _("Bạn không được tải lên “%s” cho hồ sơ này.") % label,
                          field="file", http_status=403)
    raise DomainError("upload_not_allowed_now", _(
        "Không thể tải lên “%(kind)s” khi hồ sơ đang ở trạng thái “%(status)s”.") % {
        "kind": label, "status": Status(dossier.status).label}, field="file", http_status=409)


def max_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def _accepted(document: RequiredDocument | None) -> set[str]:
    types = document.file_types.split(",") if document and document.file_types else DEFAULT_TYPES
    return {SAME_TYPE.get(t.strip().lower(), t.strip().lower()) for t in types if t.strip()}


def check_upload(upload, document: RequiredDocument | None, *, field: str = "file") -> tuple[str, str]:
    """The size and the type read from the content (not the name) of a file for `document`: (extension, MIME
    type), or a DomainError naming the file."""
    size = upload.size
    if size == 0:
        raise DomainError("empty_file", _("Tệp “%s” rỗng.") % upload.name, field=field)
    if size > max_bytes():
        raise DomainError("file_too_large", _("Tệp “%(name)s” nặng %(mb).1f MB, vượt giới hạn %(max)s MB.") % {
            "name": upload.name, "mb": size / 1024 / 1024, "max": max_bytes() // 1024 // 1024}, field=field)
    upload.seek(0)
    head = upload.read(2048)
    guessed = filetype.guess(head)
    kind_found = SAME_TYPE.get(guessed.extension, guessed.extension) if guessed else None
    accepted = _accepted(document)
    if kind_found not in accepted:
        raise DomainError("file_type", _(
            "Tệp “%(name)s” không đúng định dạng: nội dung là %(found)s, chỉ nhận %(accepted)s.") % {
            "name": upload.name, "found": kind_found.upper() if kind_found else _("không xác định"),
            "accepted": ", ".join(sorted(t.upper() for t in accepted))}, field=field)
    return kind_found, guessed.mime


def signature_check(data: bytes) -> tuple[str, list[dict]]:
    """(state, signatures) of the digital signatures a PDF carries, each judged at its own signing time
    (signing.verify.check_pdf). Never raises: the check informs the desk, it never refuses a file, so a PDF
    the checker cannot read (or any failure of the checker) is "unreadable" and the file is stored as before."""
    try:
        check = check_pdf(data)
        return check.state, [s.as_dict() for s in check.signatures]
    except Exception:  # an untrusted file through a third-party parser: nothing may escape
        log.warning("signature check failed on an uploaded PDF", exc_info=True)
        return SignatureCheckState.UNREADABLE, []


def attachment_add(*, dossier: Dossier, actor: User, upload, document: RequiredDocument | None = None,
                   kind: str = AttachmentKind.COMPONENT, at=None, scanned: bool = False,
                   reused: bool = False, system: bool = False) -> Attachment:
    """`system`: the portal itself stores the file (a dossier filed on the national portal, inside the service
    that files it): no person's permission is checked, the type and size checks stay."""
    if not system:
        check_add(actor, Dossier.objects.get(pk=dossier.pk), kind)  # the state as stored, not as last seen
    if document is not None and document.version_id != dossier.procedure_version_id:
        raise DomainError("wrong_document", _("Thành phần này không thuộc thủ tục của hồ sơ."), field="document")
    kind_found, mime = check_upload(upload, document)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    state, report = "", []
    if kind_found == "pdf":  # checked before any lock is taken: a large file takes a moment
        state, report = signature_check(upload.read())
        upload.seek(0)
    attachment = Attachment(dossier=dossier, document=document, kind=kind, original_name=upload.name[:255],
                            size=upload.size, sha256=digest.hexdigest(), content_type=mime, uploaded_by=actor,
                            scanned_at_reception=scanned, reused=reused, signature_state=state,
                            signature_report=report)
    attachment.file.save(f"upload.{kind_found}", upload, save=False)
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if not system:
                check_add(actor, locked, kind)  # again under the lock: a transition may have happened meanwhile
            attachment.save()
            events.attachment_added(dossier=locked, actor=actor, at=at or attachment.uploaded_at,
                                    attachment=attachment.pk, name=attachment.original_name, kind=kind,
                                    document=document.name if document else "", reused=reused)
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)  # nothing half-written
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: User) -> None:
    """The citizen takes a file back while still editing; the file is kept, only marked unused."""
    dossier = Dossier.objects.select_for_update().get(pk=attachment.dossier_id)
    if not policies.can_remove_attachment(actor, dossier, attachment):
        raise PermissionDenied(_("Không thể gỡ tệp ở trạng thái hiện tại của hồ sơ."))
    Attachment.objects.filter(pk=attachment.pk).update(is_active=False)
    # on the record: a reused document taken back changes the month's counts (parindex.services.touched_agencies)
    events.attachment_removed(dossier=dossier, actor=actor, at=timezone.now(), attachment=attachment.pk,
                              name=attachment.original_name, reused=attachment.reused)


def missing_documents(dossier: Dossier) -> list[RequiredDocument]:
    """Components this dossier must hold (components.required_documents: never one only shown for
    comparison; a conditional one once its case applies) with no active file."""
    have = set(dossier.attachments.filter(is_active=True).exclude(document=None).values_list("document_id", flat=True))
    return [d for d in required_documents(dossier) if d.pk not in have]


def download_response(attachment: Attachment) -> FileResponse:
    """The file as a download, under its original name with the extension of the type detected at upload
    (a PDF uploaded as "x.html" downloads as "x.pdf"), with that type and nosniff."""
    stored = attachment.file.name.rsplit(".", 1)[-1].lower() if "." in attachment.file.name else ""
    name = download_name(attachment.original_name, extension_for(attachment.content_type) or stored,
                         default_stem="tep")
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=name,
                            content_type=attachment.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response
