from __future__ import annotations

import functools
import json
import logging

from django.conf import settings
from django.core import signing as django_signing
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import DomainError
from dossiers.attachments import download_response
from dossiers.lateness import letters
from dossiers.models import ApologyLetter, Attachment, AttachmentKind, LetterStatus
from dossiers.workflow import RESULT_RELEASED

from . import intake, signing, simulator
from .models import NationalDossier
from .sync import FILE_LINK_DAYS, FILE_LINK_SALT, failed_for, national_status, verify

log = logging.getLogger(__name__)


def sync_panel_context(request, dossier, staff_view: bool) -> dict | None:
    """The dossier page (staff): the status changes that could not be delivered to the national portal."""
    if not staff_view:
        return None
    failed = list(failed_for(dossier).select_related("event"))
    return {"sync_failed": failed} if failed else None


def intake_panel_context(request, dossier, staff_view: bool) -> dict | None:
    """The dossier page (staff): a dossier filed on the national portal, with what that portal vouched for (the
    applicant's identity verified through VNeID, the fees paid there)."""
    record = getattr(dossier, "national_intake", None) if dossier.national_code else None
    if not staff_view or record is None:
        return None
    return {"national_record": record}


@csrf_exempt
@require_POST
def sync_receiver(request):
    """A local stand-in for the national portal's status endpoint (tests, `make run`): checks the
    signature and the payload, answers 204. The last pushes are kept in the cache ("sync-receiver"); with the
    simulator on, a push about one of its dossiers is kept in its books too (`simulator.record_push`)."""
    if not settings.SYNC_RECEIVER_ENABLED:
        raise Http404("Không có trang này.")
    if not verify(request):
        return HttpResponse("Chữ ký không hợp lệ.", status=401)
    try:
        data = json.loads(request.body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not (data.get("dossier_code") or data.get("national_code")) or not data.get(
            "status"):
        return HttpResponse(_("Dữ liệu không hợp lệ: cần một đối tượng JSON có mã hồ sơ (dossier_code hoặc "
                              "national_code) và trạng thái (status)."), status=400)
    received = cache.get("sync-receiver", [])[-99:]
    cache.set("sync-receiver", [*received, data], timeout=3600)
    if simulator.enabled():
        simulator.record_push(data)
    return HttpResponse(status=204)


def api_method(*methods: str):
    """Only these HTTP methods; another one gets a JSON 405 (the API's error body) with an Allow header."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = JsonResponse({"code": "method_not_allowed", "detail": _(
                    "Địa chỉ này chỉ nhận %s.") % ", ".join(methods)}, status=405,
                    json_dumps_params={"ensure_ascii": False})
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


def _error(exc: DomainError) -> JsonResponse:
    body = {"code": exc.code, "detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return JsonResponse(body, status=exc.http_status, json_dumps_params={"ensure_ascii": False})


def intake_answer(record) -> dict:
    dossier = record.dossier
    return {"national_code": record.national_code, "dossier_id": dossier.pk, "dossier_code": dossier.code,
            "status": dossier.status, "national_status": national_status(dossier.status),
            "receiving_agency_code": dossier.receiving_agency.code}


def _refused_unsigned(request, exc: DomainError, data) -> None:
    """A request refused before its signature was checked (too large) is logged for the administrator; one with
    no valid signature only in the server log (anyone can send those: they must not fill the table)."""
    if exc.http_status == 401 or exc.code == "not_configured":
        log.warning("national portal: unsigned request refused (%s) from %s", exc.code, request.META.get("REMOTE_ADDR"))
    else:
        intake.refuse(data, exc)


def _body(request) -> bytes:
    """The raw body of an intake request, up to NATIONAL_PORTAL_MAX_REQUEST_MB (a dossier's files inline can
    exceed the portal's general DATA_UPLOAD_MAX_MEMORY_SIZE); larger: 413, the sender should link the files."""
    limit = int(getattr(settings, "NATIONAL_PORTAL_MAX_REQUEST_MB", 64)) * 1024 * 1024
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise DomainError("request_too_large", _(
            "Yêu cầu nặng quá %d MB: hãy gửi các tệp lớn bằng đường dẫn (url) thay cho nội dung base64.")
            % (limit // 1024 // 1024), http_status=413)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise DomainError("request_too_large", _("Yêu cầu nặng quá %d MB.") % (limit // 1024 // 1024),
                          http_status=413)
    return body


@csrf_exempt
@api_method("POST")
def intake_endpoint(request):
    """POST /api/national-portal/dossiers/: one dossier filed on the national portal (intake.SCHEMA), signed
    (signing.verify). 201 with the dossier it became; 200 with the same answer when it was already taken;
    a refusal answers {"code", "detail", "field"} with 400/401/409/413/422 and stores nothing."""
    try:
        body = _body(request)
        signing.verify_request(request, body)
    except DomainError as exc:
        _refused_unsigned(request, exc, None)
        return _error(exc)
    data = None
    try:
        data = intake.parse(body)
        outcome = intake.intake(data)
    except DomainError as exc:
        if data is None:
            intake.refuse(None, exc)
        return _error(exc)
    return JsonResponse(intake_answer(outcome.record), status=201 if outcome.created else 200,
                        json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@api_method("POST")
def supplement_endpoint(request, national_code: str):
    """POST /api/national-portal/dossiers/<national code>/supplements/: the citizen's files for a dossier that
    waits for them (intake.SUPPLEMENT_SCHEMA), signed. 201 stored (a guided dossier is submitted again), 200
    already taken, 404 unknown dossier, 409 not waiting or another content under the same supplement id."""
    try:
        body = _body(request)
        signing.verify_request(request, body)
    except DomainError as exc:
        _refused_unsigned(request, exc, {"national_code": national_code})
        return _error(exc)
    data = None
    try:
        data = intake.parse(body)
        row, created = intake.supplement(national_code, data)
    except DomainError as exc:
        if data is None:
            intake.refuse({"national_code": national_code}, exc)
        return _error(exc)
    answer = intake_answer(NationalDossier.objects.select_related("dossier__receiving_agency").get(pk=row.record_id))
    answer["supplement_id"] = row.supplement_id
    return JsonResponse(answer, status=201 if created else 200, json_dumps_params={"ensure_ascii": False})


@api_method("GET")
def intake_status(request, national_code: str):
    """GET /api/national-portal/dossiers/<national code>/ (signed, empty body): where the dossier stands."""
    try:
        signing.verify_request(request, b"")
    except DomainError as exc:
        return _error(exc)
    record = NationalDossier.objects.select_related("dossier__receiving_agency").filter(
        national_code=national_code).first()
    if record is None:
        return JsonResponse({"code": "not_found", "detail": _("Không có hồ sơ mã này.")}, status=404,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse(intake_answer(record), json_dumps_params={"ensure_ascii": False})


def _private(response):
    """A bearer link to personal data: never cached, never sent on as a referrer."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@api_method("GET")
def signed_file(request, token: str):
    """A file the national portal fetches by the signed link of a status push (sync.file_link): the released
    result, or an issued apology letter. A bad or expired link is a 404."""
    try:
        data = django_signing.loads(token, salt=FILE_LINK_SALT, max_age=FILE_LINK_DAYS * 86400)
    except django_signing.BadSignature:
        raise Http404(_("Đường dẫn không hợp lệ hoặc đã hết hạn.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise Http404(_("Đường dẫn không hợp lệ hoặc đã hết hạn."))
    if data.get("k") == "result":
        attachment = Attachment.objects.filter(pk=data["id"], kind=AttachmentKind.RESULT, is_active=True,
                                               dossier__status__in=RESULT_RELEASED).first()
        if attachment is None:
            raise Http404(_("Không có tệp này."))
        return _private(download_response(attachment))
    if data.get("k") == "apology":
        letter = ApologyLetter.objects.filter(pk=data["id"], status=LetterStatus.ISSUED).select_related(
            "dossier", "agency").first()
        if letter is None:
            raise Http404(_("Không có tệp này."))
        if not letter.pdf:
            try:
                letters.store_pdf(letter)
            except DomainError as exc:  # the agency's signing key cannot be used: say so, nothing was issued
                return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
        name = f"phieu-xin-loi-{letter.number.replace('/', '-')}.pdf"
        return _private(FileResponse(letter.pdf.open("rb"), filename=name, content_type="application/pdf"))
    raise Http404(_("Không có tệp này."))
