"""The declaration page: fill in a component's declaration form (tờ khai điện tử) on the portal.

GET draws the form (pre-filled, or as last saved); POST `action=save` keeps a draft, `action=add:<group>` adds a
row to a repeating group (works without JavaScript), `action=finish` checks it whole and attaches its PDF. Any
other action (none, unknown, a group the form does not have, a row beyond the group's maximum) is refused with a
400 page showing what was sent, and stores nothing. A reader who may not change the dossier now sees the
declaration's fields, read-only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.exports import XLSX_CONTENT_TYPE
from core.params import pk_param
from core.periods import period_from
from eforms import ui
from eforms.data import clean_raw, is_form_key, row_count
from eforms.printing import printable

from . import declarations, policies, selectors
from .declaration_export import LIMIT, declaration_xlsx
from .models import AttachmentKind, Declaration


def _context(dossier, document, form, raw, errors, *, editable, declaration, extra_rows=None):
    drawn = ui.sections(form.form, raw, errors, extra_rows=extra_rows)
    return {
        "dossier": dossier, "document": document, "eform": form, "title": form.form.title,
        "sections": drawn, "errors": errors, "error_list": ui.error_list(drawn, errors),
        "editable": editable, "declaration": declaration,
        "printed": printable(form.form, declaration.data) if declaration and declaration.data else None,
        "pending": bool(declaration and declarations.has_pending_changes(declaration)),
    }


def _refused_action(form, post) -> str | None:
    """Why the POST's `action` cannot be done (None: it can): only the page's own buttons are accepted —
    save, finish, and "add:<group>" for a group of the form that has room for another row."""
    action = post.get("action")
    if action == "discard":
        return None
    if action in ("save", "finish"):
        if action == "save" and not any(is_form_key(form.form, key) for key in post):
            return _("Tờ khai gửi lên không có trường nào của mẫu; không có gì được lưu.")
        return None
    if isinstance(action, str) and action.startswith("add:"):
        group = form.form.by_path.get(action[4:])
        if group is None or group.kind != "group":
            return _("Tờ khai không có nhóm này; không có gì được lưu.")
        shown = row_count(group, clean_raw(form.form, post))
        if shown >= group.max_rows:
            return _("“%(label)s”: tối đa %(n)s dòng.") % {"label": group.label, "n": group.max_rows}
        return None
    return _("Thao tác không hợp lệ; không có gì được lưu.")


@login_required
@require_http_methods(["GET", "POST"])
def declaration_fill(request, pk: int, document_pk: int):
    dossier = selectors.access_dossier(request.user, pk)
    policies.require_applicant(request.user, dossier)  # a declaration is the applicant's personal data
    document = selectors.dossier_document_get(dossier, document_pk)
    form = declarations.form_of(document) if document else None
    if form is None:
        raise Http404(_("Thành phần này không có tờ khai điện tử."))
    if policies.sees_as_staff(request.user, dossier):
        selectors.log_personal_data_access(request, dossier, "view", form.form.title)
    declaration = Declaration.objects.filter(dossier=dossier, document=document).select_related("attachment").first()
    editable = policies.can_add_attachment(request.user, dossier, AttachmentKind.COMPONENT)
    detail = reverse("dossiers:detail", args=[dossier.pk]) + "#tai-lieu"
    status, errors, extra_rows = 200, {}, None
    raw = declarations.initial_raw(dossier=dossier, document=document, user=request.user, declaration=declaration,
                                   form=form)
    if request.method == "POST":
        if not editable:
            messages.error(request, _("Không thể sửa tờ khai khi hồ sơ đang ở trạng thái “%s”.")
                           % dossier.get_status_display())
            return redirect(detail)
        action = request.POST.get("action")
        raw = clean_raw(form.form, request.POST)
        autosave = request.headers.get("X-Autosave") == "1"
        refused = _refused_action(form, request.POST)
        if refused:  # a forged or garbled POST: what it carried is shown again, nothing is stored
            if autosave:
                return JsonResponse({"saved": False, "detail": refused}, status=400)
            messages.error(request, refused)
            context = _context(dossier, document, form, raw, {}, editable=editable, declaration=declaration)
            context["staff_view"] = policies.sees_as_staff(request.user, dossier)
            return render(request, "dossiers/declaration.html", context, status=400)
        try:
            if action == "discard":
                declarations.declaration_discard_changes(dossier=dossier, document=document, actor=request.user)
                messages.success(request, _("Đã bỏ các thay đổi: tờ khai lại đúng như bản đã hoàn tất."))
                return redirect(reverse("dossiers:declaration", args=[dossier.pk, document.pk]))
            if action == "finish":
                done = declarations.declaration_finish(dossier=dossier, document=document, actor=request.user,
                                                       post=request.POST)
                messages.success(request, _("Đã hoàn tất tờ khai và đính kèm bản PDF vào hồ sơ.") if not done.replayed
                                 else _("Tờ khai này đã được hoàn tất với đúng nội dung này."))
                if done.cases:  # what the declaration says makes these papers due (the page lists them as missing)
                    messages.warning(request, _("Theo nội dung tờ khai, hồ sơ cần có thêm: %s.")
                                     % "; ".join(done.cases))
                    return redirect(detail.split("#")[0])  # the top, where the warning is (not past it on a phone)
                return redirect(detail)
            declaration = declarations.declaration_save_draft(dossier=dossier, document=document,
                                                              actor=request.user, post=request.POST)
        except declarations.DeclarationInvalid as exc:  # the error summary at the top says it, field by field
            errors, status = exc.errors, 400  # nothing stored; the page shows again what was typed
        except DomainError as exc:
            if autosave:
                return JsonResponse({"saved": False, "detail": exc.message}, status=exc.http_status)
            messages.error(request, exc.message)
            return redirect(detail)
        else:
            if autosave:
                return JsonResponse({"saved": True, "at": timezone.localtime(declaration.updated_at).strftime("%H:%M")})
            if action.startswith("add:"):
                extra_rows = {action[4:]: 1}
            else:
                messages.success(request, _("Đã lưu nháp tờ khai. Ông/Bà có thể quay lại điền tiếp bất cứ lúc nào."))
                return redirect(reverse("dossiers:declaration", args=[dossier.pk, document.pk]))
    context = _context(dossier, document, form, raw, errors, editable=editable, declaration=declaration,
                       extra_rows=extra_rows)
    context["staff_view"] = policies.sees_as_staff(request.user, dossier)
    return render(request, "dossiers/declaration.html", context, status=status)


@login_required
def declaration_export(request):
    """Xuất dữ liệu tờ khai: the finished declarations of one form on the dossiers whose applicants the user may
    see, received in a period, as XLSX (at most `declaration_export.LIMIT` rows). Every export is logged."""
    if not policies.can_export_declarations(request.user):
        raise PermissionDenied(_("Trang này dành cho cán bộ được xem thông tin người nộp hồ sơ."))
    today = timezone.localdate()
    forms = list(selectors.declaration_form_export_list(request.user))
    chosen = selectors.declaration_form_export_get(request.user, pk_param(request.GET.get("form")))
    try:
        start, end = period_from(request.GET, default_start=today.replace(day=1), today=today, max_days=366)
    except DomainError as exc:
        messages.error(request, exc.message)
        start, end, chosen = today.replace(day=1), today, None
    if chosen is not None and request.GET.get("format") == "xlsx":
        rows = selectors.declaration_export_list(request.user, chosen, start, end, limit=LIMIT)
        if len(rows) > LIMIT:
            messages.error(request, _("Có hơn %(n)s tờ khai trong khoảng này: hãy chọn khoảng ngắn hơn để tải từng "
                                      "phần.") % {"n": f"{LIMIT:,}".replace(",", ".")})
        else:
            procedure = chosen.document.version.procedure
            selectors.log_personal_data_access(request, None, "export",
                                               f"Tờ khai {procedure.code} #{chosen.pk} {start}..{end} xlsx")
            response = HttpResponse(declaration_xlsx(chosen, rows, start, end),
                                    content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = (f'attachment; filename="to-khai-{procedure.code}-{start:%Y%m%d}-'
                                               f'{end:%Y%m%d}.xlsx"')
            return response
    return render(request, "dossiers/declaration_export.html", {
        "forms": forms, "chosen": chosen, "start": start, "end": end, "limit": LIMIT})
