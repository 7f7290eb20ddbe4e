"""Uploading dossier files: type checked by content, size limited, hashed, stored privately.

A failed upload changes nothing (the file written to storage is removed again); an upload never
replaces an earlier file in place, so no earlier file is ever lost.
"""

from __future__ import annotations

import hashlib

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import Role, User
from portal.errors import DomainError
from procedures.models import RequiredDocument

from . import events
from .models import Attachment, AttachmentKind, Dossier
from .workflow import Status

DEFAULT_TYPES = ("pdf", "jpg", "jpeg", "png")
# Aliases: the content says "jpg" for every JPEG; "docx" files are zip containers, etc.
SAME_TYPE = {"jpeg": "jpg", "tif": "tiff"}
CITIZEN_UPLOAD_STATES = {Status.DRAFT, Status.GUIDED, Status.SUPPLEMENT_REQUESTED}


def max_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def _accepted(document: RequiredDocument | None) -> set[str]:
    types = document.file_types.split(",") if document and document.file_types else DEFAULT_TYPES
    return {SAME_TYPE.get(t.strip().lower(), t.strip().lower()) for t in types if t.strip()}


def _may_upload(user: User, dossier: Dossier, kind: str) -> bool:
    if kind == AttachmentKind.RESULT:
        handlers = (Role.APPRAISER, Role.APPROVER)
        return (user.is_superuser or access.has_role(user, Role.RECEPTION, dossier.receiving_agency_id)
                or any(access.has_role(user, role, dossier.handling_agency_id) for role in handlers))
    if dossier.citizen_id == user.pk and dossier.status in CITIZEN_UPLOAD_STATES:
        return True
    return (access.has_role(user, Role.RECEPTION, dossier.receiving_agency_id) or user.is_superuser) and \
        dossier.status not in (Status.RETURNED, Status.WITHDRAWN, Status.STOPPED, Status.REFUSED_AT_RECEPTION)


def attachment_add(*, dossier: Dossier, actor: User, upload, document: RequiredDocument | None = None,
                   kind: str = AttachmentKind.COMPONENT, at=None, scanned: bool = False,
                   reused: bool = False) -> Attachment:
    if kind not in AttachmentKind.values:
        raise DomainError("invalid_kind", _("Loại tệp không hợp lệ."))
    if document is not None and document.version_id != dossier.procedure_version_id:
        raise DomainError("wrong_document", _("Thành phần này không thuộc thủ tục của hồ sơ."), field="document")
    if not _may_upload(actor, dossier, kind):
        raise PermissionDenied(_("Bạn không được tải tệp lên hồ sơ này ở trạng thái hiện tại."))
    size = upload.size
    if size == 0:
        raise DomainError("empty_file", _("Tệp “%s” rỗng.") % upload.name, field="file")
    if size > max_bytes():
        raise DomainError("file_too_large", _("Tệp “%(name)s” nặng %(mb).1f MB, vượt giới hạn %(max)s MB.") % {
            "name": upload.name, "mb": size / 1024 / 1024, "max": max_bytes() // 1024 // 1024}, field="file")
    upload.seek(0)
    head = upload.read(2048)
    guessed = filetype.guess(head)
    kind_found = SAME_TYPE.get(guessed.extension, guessed.extension) if guessed else None
    accepted = _accepted(document)
    if kind_found not in accepted:
        raise DomainError("file_type", _(
            "Tệp “%(name)s” không đúng định dạng: nội dung là %(found)s, chỉ nhận %(accepted)s.") % {
            "name": upload.name, "found": kind_found.upper() if kind_found else _("không xác định"),
            "accepted": ", ".join(sorted(t.upper() for t in accepted))}, field="file")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(dossier=dossier, document=document, kind=kind, original_name=upload.name[:255],
                            size=size, sha256=digest.hexdigest(), content_type=guessed.mime, uploaded_by=actor,
                            scanned_at_reception=scanned, reused=reused)
    attachment.file.save(f"upload.{kind_found}", upload, save=False)
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if not _may_upload(actor, locked, kind):
                raise PermissionDenied(_("Hồ sơ vừa chuyển trạng thái; không tải tệp lên được nữa."))
            attachment.save()
            events.record(dossier=locked, type="attachment_added", actor=actor, from_status=locked.status,
                          to_status=locked.status, at=at or attachment.uploaded_at,
                          payload={"attachment": attachment.pk, "name": attachment.original_name, "kind": kind,
                                   "document": document.name if document else "", "reused": reused})
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)  # nothing half-written
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: User) -> None:
    """The citizen takes a file back while still editing; the file is kept, only marked unused."""
    dossier = Dossier.objects.select_for_update().get(pk=attachment.dossier_id)
    if not (dossier.citizen_id == actor.pk and dossier.status in CITIZEN_UPLOAD_STATES):
        raise PermissionDenied(_("Không thể gỡ tệp ở trạng thái hiện tại của hồ sơ."))
    Attachment.objects.filter(pk=attachment.pk).update(is_active=False)


def missing_documents(dossier: Dossier) -> list[RequiredDocument]:
    """Components this dossier must hold (components.required_documents: never one only shown for
    comparison; a conditional one once its case applies) with no active file."""
    from .components import required_documents

    have = set(dossier.attachments.filter(is_active=True).exclude(document=None).values_list("document_id", flat=True))
    return [d for d in required_documents(dossier) if d.pk not in have]
