"""Writes on the citizen's document store: intake from dossiers, reuse in a new dossier, deletion."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from dossiers.attachments import attachment_add
from dossiers.models import Attachment, AttachmentKind, Dossier
from procedures.models import RequiredDocument

from . import policies
from .models import DocumentReuse, Source, StoredDocument
from .selectors import store_owner


def _copy_in(owner: User, attachment: Attachment, *, title: str, source: str, agency: str,
             issued_on: dt.date | None) -> StoredDocument | None:
    if StoredDocument.objects.filter(owner=owner, sha256=attachment.sha256, deleted_at=None).exists():
        return None  # the same file is already in the store (e.g. it came from the store)
    with attachment.file.open("rb") as handle:
        content = handle.read()
    doc = StoredDocument(owner=owner, title=title[:500], source=source, issuing_agency=agency[:255],
                         issued_on=issued_on, original_name=attachment.original_name, size=attachment.size,
                         sha256=attachment.sha256, content_type=attachment.content_type,
                         source_dossier_id=attachment.dossier_id, source_attachment=attachment)
    doc.file.save(attachment.original_name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError:  # a concurrent intake stored the same file
        doc.file.storage.delete(doc.file.name)
        return None
    return doc


def store_intake(*, dossier_id: int, kind: str) -> int:
    """Copy into the owner's store the components verified at reception (`kind="component"`) or the
    electronic result (`kind="result"`). Idempotent: a file already in the store is skipped."""
    dossier = Dossier.objects.select_related("citizen", "receiving_agency", "handling_agency",
                                             "procedure_version__procedure").get(pk=dossier_id)
    owner = store_owner(dossier)
    if owner is None:
        return 0
    stored = 0
    if kind == Source.COMPONENT:
        files = dossier.attachments.filter(is_active=True, kind=AttachmentKind.COMPONENT).exclude(document=None)
        for att in files.select_related("document"):
            day = timezone.localtime(dossier.received_at).date() if dossier.received_at else None
            stored += bool(_copy_in(owner, att, title=att.document.name, source=Source.COMPONENT,
                                    agency=dossier.receiving_agency.name, issued_on=day))
    elif kind == Source.RESULT:
        files = dossier.attachments.filter(is_active=True, kind=AttachmentKind.RESULT, content_type="application/pdf")
        if dossier.e_result_sha256:
            files = files.filter(sha256=dossier.e_result_sha256)
        version = dossier.procedure_version
        title = (version.result or "").strip().split("\n")[0] or _("Kết quả: %s") % version.procedure.name
        for att in files:
            day = timezone.localtime(dossier.e_result_signed_at or dossier.resolved_at or timezone.now()).date()
            stored += bool(_copy_in(owner, att, title=title, source=Source.RESULT,
                                    agency=dossier.handling_agency.name, issued_on=day))
    return stored


@transaction.atomic
def document_reuse(*, dossier: Dossier, component: RequiredDocument, document_id: int, actor: User) -> Attachment:
    """Attach a stored document to a component of `dossier` (a copy: deleting it from the store later
    never takes it away from the dossier) and record the reuse."""
    owner = store_owner(dossier)
    document = StoredDocument.objects.select_for_update().filter(pk=document_id).first()
    if document is None or owner is None or document.owner_id != owner.pk:
        raise DomainError("not_your_document", _("Giấy tờ này không thuộc kho dữ liệu của người nộp hồ sơ."),
                          field="document")
    if not policies.may_use_store_of(actor, dossier, document.owner_id):
        raise PermissionDenied(_("Bạn không được dùng kho dữ liệu của người khác."))
    if document.deleted_at is not None or not document.file:
        raise DomainError("document_deleted", _("Giấy tờ này đã bị xóa khỏi kho dữ liệu; hãy tải tệp lên."),
                          field="document")
    if not document.is_valid:
        raise DomainError("document_expired", _("“%(title)s” đã hết hiệu lực từ %(day)s; hãy nộp bản mới.") % {
            "title": document.title, "day": document.valid_until.strftime("%d/%m/%Y")}, field="document")
    with document.file.open("rb") as handle:
        upload = SimpleUploadedFile(document.original_name, handle.read(), content_type=document.content_type)
    attachment = attachment_add(dossier=dossier, actor=actor, upload=upload, document=component, reused=True)
    DocumentReuse.objects.create(document=document, dossier=dossier, attachment=attachment, actor=actor)
    return attachment


@transaction.atomic
def document_delete(*, document: StoredDocument, actor: User) -> None:
    """The citizen removes a document from the store. Dossiers that used it keep their own copy."""
    document = StoredDocument.objects.select_for_update().get(pk=document.pk)
    if not policies.can_manage_document(actor, document):
        raise PermissionDenied(_("Đây không phải giấy tờ của bạn."))
    if document.deleted_at is not None:
        return
    name = document.file.name
    StoredDocument.objects.filter(pk=document.pk).update(deleted_at=timezone.now(), file="")
    if name:
        transaction.on_commit(lambda: document.file.storage.delete(name))
