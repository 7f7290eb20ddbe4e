"""The citizen's store page, downloads, deletion, and the "pick from my store" section of a dossier."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.params import pk_param
from dossiers import policies as dossier_policies
from dossiers import selectors as dossier_selectors
from dossiers.attachments import missing_documents
from dossiers.models import AttachmentKind
from procedures import selectors as procedure_selectors

from . import policies, selectors, services


def reuse_panel_context(request, dossier, staff_view: bool):
    user = request.user
    if not dossier_policies.can_add_attachment(user, dossier, AttachmentKind.COMPONENT):
        return None
    owner = selectors.store_owner(dossier)
    if not policies.can_reuse_from_store(user, dossier, owner):
        return None
    documents = [d for d in selectors.stored_document_list(owner) if d.is_valid]
    if not documents:
        return None
    missing_docs = missing_documents(dossier)
    missing = {d.pk for d in missing_docs}
    components = sorted(procedure_selectors.required_document_list(dossier.procedure_version),
                        key=lambda d: (d.pk not in missing, d.order))
    first = components[0].name if components else ""
    # the document of the same kind as the component chosen by default comes first
    documents.sort(key=lambda d: (d.title != first, d.title not in {c.name for c in missing_docs}))
    return {"store_documents": documents, "components": components, "missing_ids": missing,
            "owner_is_user": owner.pk == user.pk}


@login_required
def store(request):
    documents = selectors.stored_document_page_list(request.user)
    return render(request, "docstore/store.html", {"documents": documents})


@login_required
def download(request, pk: int):
    document = selectors.stored_document_get(pk, deleted=False)
    if document is None:
        raise Http404("Không có giấy tờ này.")
    if not policies.can_manage_document(request.user, document):
        raise Http404("Không có giấy tờ này.")
    return FileResponse(document.file.open("rb"), content_type=document.content_type,
                        filename=document.original_name, as_attachment=False)


@login_required
@require_POST
def delete(request, pk: int):
    document = selectors.stored_document_get(pk)
    if document is None:
        raise Http404("Không có giấy tờ này.")
    try:
        services.document_delete(document=document, actor=request.user)
    except PermissionDenied:
        raise Http404("Không có giấy tờ này.") from None
    messages.success(request, _("Đã xóa “%s” khỏi kho dữ liệu. Các hồ sơ đã dùng giấy tờ này vẫn giữ bản của mình.")
                     % document.title)
    return redirect("docstore:store")


@login_required
@require_POST
def reuse(request, dossier_pk: int):
    dossier = dossier_selectors.access_dossier(request.user, dossier_pk)
    component = procedure_selectors.required_document_of(dossier.procedure_version,
                                                         pk_param(request.POST.get("component")))
    document_id = pk_param(request.POST.get("document"))
    if component is None or not document_id:
        messages.error(request, _("Hãy chọn thành phần hồ sơ và giấy tờ trong kho."))
    else:
        try:
            services.document_reuse(dossier=dossier, component=component, document_id=document_id, actor=request.user)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", None) or str(exc))
        else:
            messages.success(request, _("Đã dùng lại giấy tờ từ kho dữ liệu cho “%s”.") % component.name)
    return redirect(reverse("dossiers:detail", args=[dossier_pk]) + "#tai-lieu")
