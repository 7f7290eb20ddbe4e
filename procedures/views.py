from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import selectors as agency_selectors

from . import anywhere, selectors
from .models import Level, OnlineLevel, Procedure

PAGE_SIZE = 20


def procedure_list(request):
    q = request.GET.get("q", "").strip()[:200]
    field = request.GET.get("field") or None
    level = request.GET.get("level") or None
    if level not in Level.values:
        level = None
    code = request.GET.get("agency") or ""
    agency = agency_selectors.agency_get(code=code, active_only=True) if code else None
    anywhere_only = request.GET.get("anywhere") == "1"
    page = selectors.procedure_search_page(
        page=request.GET.get("page"), per_page=PAGE_SIZE, q=q, field=field, level=level, agency=agency,
        anywhere=anywhere_only, province=anywhere.portal_province() if anywhere_only else None)
    params = request.GET.copy()
    params.pop("page", None)
    choices = selectors.catalogue_filter_choices() if not request.htmx else {}
    context = {
        "q": q, "page": page, "query_string": params.urlencode(), "fields": choices.get("fields", []),
        "levels": Level.choices, "agencies": choices.get("agencies", []),
        "selected": {"field": field or "", "level": level or "", "agency": agency.code if agency else "",
                     "anywhere": "1" if anywhere_only else ""},
    }
    template = "procedures/_results.html" if request.htmx else "procedures/list.html"
    return render(request, template, context)


def procedure_detail(request, code: str):
    try:
        procedure, version = selectors.procedure_detail(code)
    except Procedure.DoesNotExist:
        raise Http404("Không tìm thấy thủ tục.") from None
    history = selectors.procedure_version_history(procedure)
    return render(request, "procedures/detail.html", {
        "procedure": procedure, "version": version, "history": history, "today": timezone.localdate(),
        "online": version is not None and version.online_level != OnlineLevel.NONE,
        # Decree 118/2025: on the province's list, the dossier may be handed in at any one-stop desk of it.
        "anywhere": version is not None and anywhere.receivable_anywhere(version, anywhere.portal_province()),
        "submit_url": _submit_url(procedure.code),
    })


def _submit_url(code: str) -> str | None:
    """The dossiers app provides online submission; the catalogue works without it."""
    try:
        return reverse("dossiers:start", args=[code])
    except NoReverseMatch:
        return None


def template_download(request, pk: int):
    """Dossier templates (mẫu đơn, tờ khai) are public: anyone may download them."""
    document = selectors.required_document_get(pk)
    if document is None:
        raise Http404("Không tìm thấy thành phần hồ sơ.")
    if not document.template_file:
        raise Http404("Thành phần này không có tệp mẫu.")
    return FileResponse(document.template_file.open("rb"), as_attachment=True,
                        filename=document.template_file.name.rsplit("/", 1)[-1])
