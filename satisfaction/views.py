"""Survey pages (the link, the desk kiosk) and the staff pages (results, follow-ups)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import access
from core import ratelimit
from core.errors import DomainError
from core.periods import period_from
from dossiers import idempotency
from dossiers import policies as dossier_policies
from dossiers import selectors as dossier_selectors
from dossiers.printing import qr_svg, render_pdf

from . import policies, selectors, services
from .models import SCALE, Element, FollowUpStatus

LINK_LIMIT = 20  # refused answers from one address per 10 minutes (office Wi-Fi shares one address)
KIOSK_LIMIT = 120  # a desk tablet serves many citizens


def _budget(request, kind: str, limit: int) -> ratelimit.Budget:
    return ratelimit.Budget(ratelimit.key_for(f"survey-{kind}", request.META.get("REMOTE_ADDR", "")),
                            limit=limit, window=600)


def _flooded(request, kind: str, limit: int) -> bool:
    """Counts this request (atomically); True once the address spent its budget."""
    return not _budget(request, kind, limit).reserve()


def _questions(kiosk: bool):
    questionnaire = services.published_questionnaire()
    return questionnaire, selectors.question_list(questionnaire, kiosk=kiosk)


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    """The citizen's survey: one screen, five faces per question, no login (the token is the key)."""
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as exc:
        return render(request, "satisfaction/survey_closed.html", {"message": exc.message}, status=404)
    response = getattr(invitation, "response", None) if invitation.answered_at else None
    error, values, comment = "", {}, ""
    if request.method == "POST" and response is None:
        values = {e: request.POST.get(e, "") for e in Element.values}
        comment = request.POST.get("comment", "")
        refused = _budget(request, "link-refused", LINK_LIMIT)  # only refused answers count
        if not refused.reserve():
            error = _("Có quá nhiều lượt gửi từ địa chỉ này. Vui lòng thử lại sau 10 phút.")
        else:
            try:
                done = idempotency.form_once(
                    request, scope="survey", url=lambda _response: reverse("satisfaction:survey", args=[token]),
                    action=lambda: services.response_submit(invitation=invitation, values=values, comment=comment))
            except DomainError as exc:
                error = exc.message
            else:
                refused.refund()
                return redirect(done.result["url"])
    if response is None and timezone.now() > invitation.expires_at:
        return render(request, "satisfaction/survey_closed.html", {
            "message": services.expired_message()}, status=410)
    try:
        _questionnaire, questions = _questions(kiosk=False)
    except DomainError as exc:
        return render(request, "satisfaction/survey_closed.html", {"message": exc.message}, status=503)
    return render(request, "satisfaction/survey.html", {
        "invitation": invitation, "dossier": invitation.dossier, "response": response,
        "follow_up": getattr(response, "follow_up", None) if response else None,
        "questions": questions, "scale": SCALE, "error": error, "values": values, "comment": comment,
    }, status=400 if error else 200)


def _parse_scan(text: str) -> tuple[str, str]:
    """What the QR scanner typed: the tracking URL (…?code=…&pin=…) or "CODE PIN"."""
    text = (text or "").strip()
    if "code=" in text:
        query = parse_qs(urlparse(text).query or text.split("?", 1)[-1])
        return (query.get("code") or [""])[0], (query.get("pin") or [""])[0]
    parts = text.replace(",", " ").split()
    return (parts[0], parts[1]) if len(parts) >= 2 else (text, "")


@require_http_methods(["GET", "POST"])
def kiosk(request):
    """The rating tablet at the desk (Decree 61/2018 Art. 29): scan the receipt, tap the officer's
    rating, tap the service's rating, send; the page resets itself."""
    stage, error, notice, dossier, officer = "scan", "", "", None, None
    if request.method == "POST":
        code, pin = _parse_scan(request.POST.get("scan", "")) if "scan" in request.POST else (
            request.POST.get("code", ""), request.POST.get("pin", ""))
        if _flooded(request, "kiosk", KIOSK_LIMIT):
            error = _("Có quá nhiều lượt gửi từ máy này. Vui lòng thử lại sau ít phút.")
        else:
            try:
                dossier = services.kiosk_dossier(code=code, pin=pin)
                officer = services.kiosk_officer(dossier)
                answered = selectors.dossier_rated(dossier)
                if answered:
                    notice, stage = _("Hồ sơ này đã được đánh giá. Cảm ơn Ông/Bà!"), "done"
                elif "scan" in request.POST:
                    stage = "rate"
                else:
                    values = {e: request.POST.get(e, "") for e in Element.values}
                    idempotency.form_once(request, scope="kiosk", url=lambda _response: "",
                                          action=lambda: services.kiosk_submit(dossier=dossier, values=values))
                    stage = "done"
            except DomainError as exc:
                error = exc.message
                stage = "rate" if dossier is not None and "scan" not in request.POST else "scan"
    try:
        _questionnaire, questions = _questions(kiosk=True)
    except DomainError as exc:
        return render(request, "satisfaction/survey_closed.html", {"message": exc.message}, status=503)
    return render(request, "satisfaction/kiosk.html", {
        "stage": stage, "error": error, "notice": notice, "officer": officer, "questions": questions,
        "scale": SCALE, "dossier": dossier,
    })


# -- staff ------------------------------------------------------------------------------------------

def _staff(user):
    if not access.is_staff_member(user):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))


@login_required
def results(request):
    _staff(request.user)

    today = timezone.localdate()
    try:
        start, end = period_from(request.GET, default_start=today.replace(month=1, day=1), today=today)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("satisfaction:results")
    group = request.GET.get("by") if request.GET.get("by") in selectors.GROUPS else "agency"
    rows = selectors.satisfaction_index(request.user, group=group, start=start, end=end)
    total = {"responses": sum(r["responses"] for r in rows), "satisfied": sum(r["satisfied"] for r in rows),
             "invitations": sum(r["invitations"] for r in rows), "answered": sum(r["answered"] for r in rows)}
    total["index"] = selectors.percent(total["satisfied"], total["responses"])
    total["response_rate"] = selectors.percent(total["answered"], total["invitations"])
    return render(request, "satisfaction/results.html", {
        "rows": rows, "group": group, "start": start, "end": end, "total": total,
        "elements": [(e.value, e.label) for e in Element],
        "open_follow_ups": selectors.follow_ups(request.user).count(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def follow_ups(request):
    _staff(request.user)
    kept = {}
    if request.method == "POST":
        raw = request.POST.get("follow_up") or ""
        item = selectors.follow_up_get(request.user, int(raw) if raw.isdigit() else 0)
        if item is None:
            raise Http404("Không tìm thấy phiếu cần trả lời.")
        try:
            services.follow_up_close(follow_up=item, actor=request.user, reply=request.POST.get("reply", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
            kept = {"pk": item.pk, "reply": request.POST.get("reply", "")}
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã gửi câu trả lời cho công dân."))
            return redirect("satisfaction:follow_ups")
    pending = list(selectors.follow_ups(request.user))
    for item in pending:  # Home Affairs reads them; only the agency's leaders answer (the service's rule)
        item.can_reply = policies.can_close_follow_up(request.user, item)
    return render(request, "satisfaction/follow_ups.html", {
        "open": pending, "kept": kept, "now": timezone.now(),
        "closed": selectors.follow_ups(request.user, status=FollowUpStatus.CLOSED)[:20],
    })


@login_required
def survey_slip(request, token: str):
    """The slip handed over with the result: the survey link as a QR code (A5 PDF), for the desk."""
    try:
        invitation = services.invitation_for_token(token)
    except DomainError:
        raise Http404("Không tìm thấy lời mời đánh giá.") from None
    dossier = dossier_selectors.access_dossier(request.user, invitation.dossier_id)
    if not dossier_policies.sees_as_staff(request.user, dossier):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))
    # the slip is the citizen's key to the survey: the desk's only
    dossier_policies.require_applicant(request.user, dossier)
    url = services.survey_url(invitation)
    pdf = render_pdf("satisfaction/slip.html", {"invitation": invitation, "dossier": dossier, "url": url,
                                                "qr": qr_svg(url)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="moi-danh-gia-{dossier.code}.pdf"'
    return response
