"""The signed result on the dossier page: the draft a leader downloads to sign on their own PC, the signed
file uploaded back, signing again with the agency's certificate, revoking. Every write is a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from signing.models import DocumentStatus
from signing.services import verify_url

from . import attachments, policies, results, selectors, services
from .models import Dossier
from .workflow import Status


def result_context(user, dossier: Dossier, staff_view: bool) -> dict:
    """What the result section of the dossier page shows and offers this user."""
    if not staff_view:
        return {"e_result": None}
    document = dossier.e_result_document
    can_sign = policies.can_sign_result(user, dossier)
    draft = results.current_draft(dossier) if can_sign else None
    return {"e_result": {
        "document": document,
        "verify_url": verify_url(document.public_id) if document else "",
        "can_sign": can_sign and draft is not None,
        "approves": dossier.status == Status.AWAITING_APPROVAL,
        "can_sign_on_server": can_sign and draft is not None and dossier.status == Status.APPROVED
        and results.agency_has_key(dossier.handling_agency),
        "can_revoke": document is not None and document.status == DocumentStatus.VALID
        and policies.can_revoke_result(user, dossier),
    }}


def _back(pk: int):
    return redirect(reverse("dossiers:detail", args=[pk]) + "#ket-qua")


@login_required
@require_GET
def result_draft_download(request, pk: int):
    """The result to sign on a PC: prepared once per result file (the same bytes every time)."""
    dossier = selectors.access_dossier(request.user, pk)
    try:
        draft = services.result_draft_prepare(dossier=dossier, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(pk)
    selectors.log_personal_data_access(request, dossier, "download", _("bản dự thảo kết quả để ký số"))
    response = FileResponse(draft.file.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=f"{dossier.code or dossier.pk}-du-thao-ky-so.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def result_signed_upload(request, pk: int):
    dossier = selectors.access_dossier(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp kết quả đã ký số."))
        return _back(pk)
    if upload.size > attachments.max_bytes():
        messages.error(request, _("Tệp nặng hơn %s MB.") % (attachments.max_bytes() // 1024 // 1024))
        return _back(pk)
    try:
        done = services.result_signed_upload(dossier=dossier, actor=request.user, data=upload.read(),
                                             expected_status=request.POST.get("expected_status") or None)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(pk)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
        return _back(pk)
    if dossier.status == Status.AWAITING_APPROVAL and done.status == Status.APPROVED:
        messages.success(request, _("Đã nhận kết quả đã ký số và phê duyệt hồ sơ."))
    else:
        messages.success(request, _("Đã nhận kết quả đã ký số; kết quả trước đó được thay thế."))
    return _back(pk)


@login_required
@require_POST
def result_sign(request, pk: int):
    dossier = selectors.access_dossier(request.user, pk)
    try:
        services.result_sign(dossier=dossier, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
    else:
        messages.success(request, _("Đã ký số kết quả bằng chứng thư số của cơ quan."))
    return _back(pk)


@login_required
@require_POST
def result_revoke(request, pk: int):
    dossier = selectors.access_dossier(request.user, pk)
    try:
        services.result_revoke(dossier=dossier, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
    else:
        messages.success(request, _("Đã thu hồi kết quả điện tử."))
    return _back(pk)
