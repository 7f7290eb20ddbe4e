from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Agency

from . import selectors
from .models import Field, Level, OnlineLevel, Procedure, RequiredDocument, VersionStatus

PAGE_SIZE = 20


def procedure_list(request):
    q = request.GET.get("q", "").strip()[:200]
    field = request.GET.get("field") or None
    level = request.GET.get("level") or None
    if level not in Level.values:
        level = None
    agency = Agency.objects.filter(code=request.GET.get("agency") or "", is_active=True).first()
    results = selectors.procedure_search(q=q, field=field, level=level, agency=agency)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "q": q, "page": page, "query_string": params.urlencode(), "fields": Field.objects.all(),
        "levels": Level.choices, "agencies": Agency.objects.filter(is_active=True).order_by("level", "name"),
        "selected": {"field": field or "", "level": level or "", "agency": agency.code if agency else ""},
    }
    template = "procedures/_results.html" if request.htmx else "procedures/list.html"
    return render(request, template, context)


def procedure_detail(request, code: str):
    try:
        procedure, version = selectors.procedure_detail(code)
    except Procedure.DoesNotExist:
        raise Http404("Không tìm thấy thủ tục.") from None
    history = procedure.versions.exclude(status=VersionStatus.DRAFT).order_by("-number")
    return render(request, "procedures/detail.html", {
        "procedure": procedure, "version": version, "history": history, "today": timezone.localdate(),
        "online": version is not None and version.online_level != OnlineLevel.NONE,
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
    document = get_object_or_404(RequiredDocument.objects.exclude(version__status=VersionStatus.DRAFT), pk=pk)
    if not document.template_file:
        raise Http404("Thành phần này không có tệp mẫu.")
    return FileResponse(document.template_file.open("rb"), as_attachment=True,
                        filename=document.template_file.name.rsplit("/", 1)[-1])
