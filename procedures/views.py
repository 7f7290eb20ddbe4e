from __future__ import annotations

import functools

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.http import urlencode

from accounts import selectors as agency_selectors
from core.fragments import cached_fragment, cached_fragments, fragment_key

from . import anywhere, selectors
from .models import Level, OnlineLevel, Procedure

PAGE_SIZE = 20
DETAIL = "procedures/_detail.html"  # a procedure's page, kept rendered (procedure_detail)


def procedure_list(request):
    """The catalogue search. Its two parts, the results and the filter lists, are the same for everyone who asks
    the same thing in the same language on the same day: they are kept rendered in the cache under the
    catalogue's generation (CATALOGUE_SEARCH_CACHE_SECONDS), so a repeated search renders and queries nothing
    (issue #21: the page's cost was its templates, the agency list above all)."""
    q = request.GET.get("q", "").strip()[:200]
    field = request.GET.get("field") or None
    level = request.GET.get("level") or None
    if level not in Level.values:
        level = None
    code = request.GET.get("agency") or ""
    anywhere_only = request.GET.get("anywhere") == "1"
    generation = selectors.catalogue_generation()
    seconds = settings.CATALOGUE_SEARCH_CACHE_SECONDS if generation else 0
    # What is kept is keyed by the question as the search understands it, so that made-up values and parameters
    # the page does not read add no entries: an agency not in the list filters nothing (as before), a field not
    # in the list finds nothing, and the pager's links carry only the parameters the page reads.
    choices = selectors.catalogue_filter_choices(generation)
    if code not in {c for c, _name in choices["agencies"]}:
        code = ""
    known_field = field if field in {c for c, _name in choices["fields"]} else ("?" if field else "")
    query_string = urlencode([(name, value) for name, value in (
        ("q", q), ("field", known_field if known_field != "?" else ""), ("level", level or ""), ("agency", code),
        ("anywhere", "1" if anywhere_only else "")) if value])
    try:  # a page past the end, or below 1, shows the last page (procedure_search_page); a non-number the first
        number = min(int(request.GET.get("page") or 1), 1_000_000)
    except ValueError:
        number = 1
    asked = (translation.get_language(), str(timezone.localdate()), q, known_field, level, code, anywhere_only)

    def results() -> str:
        agency = agency_selectors.agency_get(code=code, active_only=True) if code else None
        page = selectors.procedure_search_page(
            page=number, per_page=PAGE_SIZE, q=q, field=field, level=level, agency=agency,
            anywhere=anywhere_only, province=anywhere.portal_province() if anywhere_only else None)
        return render_to_string("procedures/_results.html", {"q": q, "page": page, "query_string": query_string})

    results_key = generation and fragment_key(
        "procedures/_results.html", generation, *asked, number, query_string)
    if request.htmx:
        return HttpResponse(cached_fragment(results_key, seconds, results))

    def filters() -> str:
        return render_to_string("procedures/_filters.html", {
            "fields": choices["fields"], "levels": Level.choices, "agencies": choices["agencies"],
            "selected": {"field": known_field, "level": level or "", "agency": code,
                         "anywhere": "1" if anywhere_only else ""}})

    filters_key = generation and fragment_key(
        "procedures/_filters.html", generation, choices["digest"], asked[0], known_field, level, code, anywhere_only)
    results_html, filters_html = cached_fragments(seconds, [(results_key, results), (filters_key, filters)])
    return render(request, "procedures/list.html", {"q": q, "filters_html": filters_html,
                                                    "results_html": results_html})


def procedure_detail(request, code: str):
    """A procedure's page. What it shows is the same for everyone who opens it in the same language on the same
    day (the version in force, the province's list of procedures received anywhere): kept rendered in the cache
    under the catalogue's generation, as the search is (issue #21: the public page the load test opens most after
    the search, 14 ms of CPU each). A code with no procedure is a 404, and nothing is kept for it."""
    generation = selectors.catalogue_generation()
    seconds = settings.CATALOGUE_SEARCH_CACHE_SECONDS if generation else 0
    asked = (translation.get_language(), str(timezone.localdate()), code)

    @functools.cache
    def context() -> dict:
        try:
            procedure, version = selectors.procedure_detail(code)
        except Procedure.DoesNotExist:
            raise Http404("Không tìm thấy thủ tục.") from None
        return {
            "procedure": procedure, "version": version,
            "history": selectors.procedure_version_history(procedure),
            "online": version is not None and version.online_level != OnlineLevel.NONE,
            # Decree 118/2025: on the province's list, the dossier may be handed in at any one-stop desk of it.
            "anywhere": version is not None and anywhere.receivable_anywhere(version, anywhere.portal_province()),
            "submit_url": _submit_url(procedure.code),
        }

    title, body = cached_fragments(seconds, [
        (generation and fragment_key(DETAIL, generation, "title", *asked),
         lambda: conditional_escape(context()["procedure"].name)),
        (generation and fragment_key(DETAIL, generation, *asked), lambda: render_to_string(DETAIL, context())),
    ])
    return render(request, "procedures/detail.html", {"title": title, "body_html": body})


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
