"""The administrator's page "Liên thông Cổng DVC quốc gia": what the national portal may file dossiers for
(procedure versions and their components mapped to its codes), what it was refused (nothing it sent is dropped
without a trace) and how many dossiers arrived. Administrators and superusers only (policies)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError, add_to_form

from . import mapping, policies, selectors
from .forms import VersionMappingForm

VERSIONS_PER_PAGE = 25
REFUSALS_PER_PAGE = 20


def _require_administrator(user) -> None:
    if not policies.can_administer_link(user):
        raise PermissionDenied(_("Chỉ quản trị viên mới được quản lý liên thông với Cổng DVC quốc gia."))


@login_required
@require_GET
def index(request):
    _require_administrator(request.user)
    q = request.GET.get("q", "").strip()[:100]
    codes = selectors.refusal_codes()
    code = request.GET.get("ma_loi", "").strip()
    code_error = ""
    if code and code not in {c for c, _n in codes}:
        code_error = _("Không có yêu cầu nào bị từ chối với mã lỗi “%s”; đang hiện tất cả.") % code[:40]
        code = ""
    unmapped = Paginator(selectors.unmapped_list(q), VERSIONS_PER_PAGE).get_page(request.GET.get("trang_chua"))
    mapped = Paginator(selectors.mapped_list(q), VERSIONS_PER_PAGE).get_page(request.GET.get("trang_da"))
    refusals = Paginator(selectors.refusal_list(code), REFUSALS_PER_PAGE).get_page(request.GET.get("trang_tu_choi"))
    refusal_rows = list(refusals.object_list)
    links = selectors.unmapped_by_procedure_code(r.procedure_code for r in refusal_rows if r.procedure_code)
    for refusal in refusal_rows:  # a refusal for a procedure still unmapped links to its mapping form
        refusal.map_pk = links.get(refusal.procedure_code)
    return render(request, "nationalportal/admin_index.html", {
        "counts": selectors.intake_counts(), "q": q,
        "unmapped": unmapped, "unmapped_rows": selectors.what_is_missing(unmapped.object_list),
        "mapped": mapped, "refusals": refusals, "refusal_rows": refusal_rows, "codes": codes, "code": code,
        "code_error": code_error,
        "statuses": selectors.status_rows(), "recent_days": selectors.RECENT_DAYS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def map_version(request, pk: int):
    _require_administrator(request.user)
    version = selectors.version_for_mapping(pk)
    if version is None:
        raise Http404(_("Không có phiên bản thủ tục này, hoặc phiên bản đã hết hiệu lực."))
    rows = mapping.document_types(version)
    form = VersionMappingForm(request.POST or None, version=version, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            mapping.map_version(version, by=request.user, national_code=form.cleaned_data["national_procedure_code"],
                                types=form.types())
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Đã ánh xạ thủ tục %(code)s (phiên bản %(number)s) với Cổng DVC quốc gia.")
                             % {"code": version.procedure.code, "number": version.number})
            return redirect("np_admin:index")
    return render(request, "nationalportal/admin_map.html", {
        "version": version, "form": form, "current": getattr(version, "national_mapping", None),
        "in_force": selectors.is_in_force(version),
    })
