"""Citizen feedback pages: file, follow, vote (public); the handling queue (staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.validators import display_phone
from core import ratelimit
from core.errors import DomainError
from core.files import download_name
from core.params import int_param, pk_param
from dossiers import idempotency
from regulations.selectors import rules_in_force

from . import policies, selectors
from . import services as service
from .models import FeedbackClass, FeedbackStatus, FeedbackTopic

SUBMIT_LIMIT = 20  # attempts from one address per 10 minutes (an office shares one address)


def _flooded(request) -> bool:
    """Counts this attempt (atomically); True once the address spent its budget."""
    key = ratelimit.key_for("feedback-submit", request.META.get("REMOTE_ADDR", ""))
    return not ratelimit.Budget(key, limit=SUBMIT_LIMIT, window=600).reserve()


def feedback_list(request):
    return render(request, "feedback/feedback_list.html", {"published": selectors.feedback_published_list(),
                                                           "mine": selectors.feedback_sent_by(request.user),
                                                           "answer_days": rules_in_force().feedback_answer_days})


@require_http_methods(["GET", "POST"])
def feedback_new(request):
    fields = ("topic", "harassment", "agency", "dossier_code", "officer_name", "title", "content", "name", "phone",
              "email")
    data = {f: request.POST.get(f, "") for f in fields} if request.method == "POST" else {
        "topic": request.GET.get("topic", ""), "dossier_code": request.GET.get("dossier", "")}
    if request.user.is_authenticated and request.method == "GET":
        data.update(name=request.user.full_name, email=request.user.email,
                    phone=display_phone(request.user.phone or ""))
    error, error_field = "", ""
    if request.method == "POST":
        if _flooded(request):
            error = _("Có quá nhiều phản ánh gửi từ địa chỉ này. Vui lòng thử lại sau 10 phút.")
        else:
            agency = selectors.addressable_agency(data["agency"])
            try:
                done = idempotency.form_once(request, scope="feedback", action=lambda: service.feedback_submit(
                    actor=request.user if request.user.is_authenticated else None, topic=data["topic"],
                    title=data["title"], content=data["content"], agency=agency, dossier_code=data["dossier_code"],
                    officer_name=data["officer_name"], harassment=data["harassment"] == "1", name=data["name"],
                    phone=data["phone"], email=data["email"], upload=request.FILES.get("attachment")),
                    url=lambda item: reverse("feedback:detail", args=[item.code]) + f"?k={item.access_key}")
            except DomainError as exc:
                error, error_field = exc.message, exc.field or ""
            else:
                if done.replayed:  # Back + send again: the first feedback, not a second one
                    messages.info(request, idempotency.replay_notice())
                else:
                    item = done.value
                    messages.success(request, _("Đã gửi phản ánh %(code)s. Hạn trả lời: %(due)s.") % {
                        "code": item.code, "due": timezone.localtime(item.answer_due).strftime("%d/%m/%Y")})
                return redirect(done.result["url"])
    return render(request, "feedback/feedback_new.html", {
        "data": data, "error": error, "error_field": error_field, "topics": FeedbackTopic.choices,
        "agencies": policies.addressable_agencies(),
        "max_mb": service.MAX_ATTACHMENT() // 1024 // 1024,
    }, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def feedback_detail(request, code: str):
    item = selectors.feedback_get_by_code(code)
    key = request.GET.get("k") or request.POST.get("k") or ""
    if item is None or not policies.can_view(request.user, item, key):
        raise Http404("Không tìm thấy phản ánh.")
    owner = policies.is_sender(request.user, item, key)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "vote":
                voter = f"u:{request.user.pk}" if request.user.is_authenticated else (
                    f"s:{request.session.session_key or request.session.save() or request.session.session_key}")
                service.feedback_vote(feedback=item, voter=voter, value=int_param(request.POST.get("value")))
                messages.success(request, _("Cảm ơn Ông/Bà đã đánh giá kết quả xử lý."))
            elif request.POST.get("do") == "info" and owner:
                service.feedback_provide_info(feedback=item, key=item.access_key, text=request.POST.get("text", ""))
                messages.success(request, _("Đã gửi thông tin bổ sung."))
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Đánh giá không hợp lệ.")))
        query = f"?k={item.access_key}" if owner else ""
        return redirect(reverse("feedback:detail", args=[item.code]) + query)
    return render(request, "feedback/feedback_detail.html", {"item": item, "owner": owner,
                                                             "key": item.access_key if owner else ""})


# -- staff --------------------------------------------------------------------------------------------

@login_required
def feedback_queue(request):
    if not policies.can_view_queue(request.user):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))
    now = timezone.now()
    done = request.GET.get("xong") == "1"
    items = selectors.feedback_queue(request.user, done=done)
    for item in items:
        item.next_due = {FeedbackStatus.RECEIVED: item.accept_due, FeedbackStatus.ANSWERED: item.publish_due}.get(
            item.status, item.answer_due)
        item.on_time = service.on_time(item, now)
    return render(request, "feedback/feedback_queue.html", {"items": items, "now": now, "done": done})


ACTIONS = {
    "accept": (service.feedback_accept, ("classification",)),
    "reject": (service.feedback_reject, ("reason",)),
    "request_info": (service.feedback_request_info, ("question",)),
    "forward": (service.feedback_forward, ("agency", "note")),
    "answer": (service.feedback_answer, ("answer",)),
    "publish": (service.feedback_publish, ()),
}


@login_required
@require_http_methods(["GET", "POST"])
def feedback_handle(request, pk: int):
    item = selectors.feedback_for_handling(pk)
    if item is None or not policies.can_handle(request.user, item):
        raise Http404("Không tìm thấy phản ánh.")
    if request.method == "POST":
        name = request.POST.get("do", "")
        if name not in ACTIONS:
            raise Http404("Không có thao tác này.")
        call, params = ACTIONS[name]
        kwargs = {"feedback": item, "actor": request.user}
        for param in params:
            if param == "agency":
                kwargs["agency"] = selectors.active_agency(pk_param(request.POST.get("agency")))
                if kwargs["agency"] is None:
                    messages.error(request, _("Hãy chọn cơ quan nhận phản ánh."))
                    return redirect("feedback:handle", pk=pk)
            else:
                kwargs[param] = request.POST.get(param, "")
        try:
            call(**kwargs)
        except DomainError as exc:
            messages.error(request, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã cập nhật phản ánh %s.") % item.code)
            if name == "forward":  # now another agency's: back to the queue
                return redirect("feedback:queue")
        return redirect("feedback:handle", pk=pk)
    labels = {"submitted": _("Gửi phản ánh"), "accepted": _("Tiếp nhận"), "rejected": _("Không tiếp nhận"),
              "info_requested": _("Đề nghị bổ sung thông tin"), "info_provided": _("Người gửi bổ sung thông tin"),
              "forwarded": _("Chuyển cơ quan có thẩm quyền"), "answered": _("Có kết quả xử lý"),
              "published": _("Công khai kết quả")}
    events = selectors.feedback_events(item)
    for event in events:
        event.label = labels.get(event.type, event.type)
    return render(request, "feedback/feedback_handle.html", {
        "item": item, "classes": FeedbackClass.choices, "events": events,
        "agencies": selectors.forward_targets(item), "can": policies.allowed_actions(request.user, item),
        "on_time": service.on_time(item, timezone.now()),
    })


@login_required
def feedback_attachment(request, pk: int):
    item = selectors.feedback_get(pk)
    if item is None or not policies.can_download_attachment(request.user, item) or not item.attachment:
        raise Http404("Không tìm thấy tệp.")
    content_type = service.attachment_content_type(item)
    # the download's name ends with the type it really is
    name = download_name(item.attachment_name, service.ATTACHMENT_TYPES.get(content_type, ""),
                         default_stem="tep-dinh-kem")
    response = FileResponse(item.attachment.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
