"""The national-portal simulator's pages and API (`simulator`; mounted by `simulator_urls`). Every page and API
answer is a 404 unless NATIONAL_PORTAL_SIMULATOR is on."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError, add_to_form
from core.params import pk_param
from procedures.models import Requirement

from . import signing, simulator
from .simulator_forms import FileForm


def _on() -> None:
    if not simulator.enabled():
        raise Http404(_("Cổng Dịch vụ công quốc gia giả lập không bật."))


@login_required
@require_GET
def home(request):
    """The simulator's dossiers: what was filed, what this portal answered, every status it pushed back."""
    _on()
    return render(request, "nationalportal/simulator.html", {"rows": simulator.book_rows()})


@login_required
@require_http_methods(["GET", "POST"])
def file_page(request):
    """A citizen files a dossier on the national portal (the simulator sends it to this portal's intake)."""
    _on()
    versions = list(simulator.filing_versions())
    wanted = pk_param(request.POST.get("version") or request.GET.get("version"))
    chosen = next((v for v in versions if v.pk == wanted), versions[0] if versions else None)
    desks = simulator.desks_for(chosen) if chosen else []
    components = simulator.components_for(chosen) if chosen else []
    conditional = [row for row in components if row["requirement"] == Requirement.CONDITIONAL]
    user = request.user
    initial = {"version": chosen.pk if chosen else None, "applicant_name": user.full_name,
               "applicant_id_number": user.citizen_id or "", "applicant_phone": user.phone_display,
               "applicant_email": user.email, "fees_paid": 0}
    form = FileForm(request.POST or None, initial=initial, versions=versions, desks=desks, conditional=conditional)
    if request.method == "POST" and chosen is not None and form.is_valid():
        desk = next(a for a in desks if a.code == form.cleaned_data["agency"])
        try:
            row = simulator.file(version=chosen, desk=desk, applicant=form.applicant(),
                                 cases=form.cleaned_data.get("cases") or [], fees_paid=form.cleaned_data["fees_paid"],
                                 by=user)
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            delivered, text = simulator.outcome_message(row)
            (messages.success if delivered else messages.error)(request, text)
            return redirect("nationalportal_simulator:home")
    required = [row for row in components if row["requirement"] == Requirement.REQUIRED]
    return render(request, "nationalportal/simulator_file.html", {
        "form": form, "version": chosen, "required": required, "intake_url": simulator.intake_url()})


# -- the API this portal asks (client.Client) --------------------------------------------------------------


def _error(exc: DomainError) -> JsonResponse:
    body = {"code": exc.code, "detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return JsonResponse(body, status=exc.http_status, json_dumps_params={"ensure_ascii": False})


def _signed_api(view):
    """Simulator on, GET signed like every request of the link (an empty body): else a JSON error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        _on()
        try:
            signing.verify_request(request, b"")
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _error(exc)

    return require_GET(wrapper)


def _answer(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@_signed_api
def api_list(request):
    """GET …/api/dossiers/?since=: the dossiers filed since then, one summary each (what reconciliation compares)."""
    since = simulator.since_param(request.GET.get("since"))
    return _answer({"dossiers": [simulator.summary(row) for row in simulator.filed_since(since)]})


@_signed_api
def api_new(request):
    """GET …/api/dossiers/new/?since=: the full intake requests filed since then (what the pull task takes in)."""
    since = simulator.since_param(request.GET.get("since"))
    return _answer({"dossiers": [simulator.rebuild(row) for row in simulator.filed_since(since)]})


@_signed_api
def api_one(request, national_code: str):
    """GET …/api/dossiers/<national code>/: one intake request, 404 when there is none."""
    row = simulator.book_get(national_code)
    if row is None:
        raise DomainError("not_found", _("Không có hồ sơ mã %s trên Cổng (giả lập).") % national_code[:40],
                          http_status=404)
    return _answer(simulator.rebuild(row))
