"""Staff editing of the catalogue. A published version is read-only here: the action
"Tạo bản nháp mới" copies it, and "Công bố" publishes a draft through the services."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from eforms import ui
from eforms.data import check_raw, clean_raw
from eforms.printing import render_pdf, template_choices

from . import policies, services
from .models import (
    AnywhereOverride,
    ChannelOption,
    DeclarationForm,
    FeeExemption,
    FeeItem,
    Field,
    InternalStep,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
)


class DraftOnlyMixin:
    """Inline/admin rows of a published or retired version cannot be added, changed or deleted."""

    def _editable(self, obj) -> bool:
        version = obj if isinstance(obj, ProcedureVersion) else getattr(obj, "version", None)
        if isinstance(obj, ChannelOption):
            version = obj.version
        return version is None or version.is_editable

    def has_add_permission(self, request, obj=None):
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj) and self._editable(obj)
        return super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ("number", "status", "decision_number", "effective_from", "effective_to", "link")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("sửa"))
    def link(self, obj):
        return format_html('<a href="../../procedureversion/{}/change/">{}</a>', obj.pk, _("Mở"))

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "level")
    list_filter = ("level", "field")
    search_fields = ("code", "name", "search_text")
    inlines = [VersionInline]

    def save_model(self, request, obj, form, change):
        obj.search_text = obj.build_search_text()
        super().save_model(request, obj, form, change)


class ChannelInline(DraftOnlyMixin, admin.TabularInline):
    model = ChannelOption
    fields = ("channel", "time_limit", "unit", "time_limit_text", "description")
    extra = 0
    show_change_link = True


class DocumentInline(DraftOnlyMixin, admin.TabularInline):
    model = RequiredDocument
    fields = ("order", "name", "template_name", "template_file", "originals", "copies", "requirement", "condition",
              "file_types", "eform_link")
    readonly_fields = ("eform_link",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("eform", "version")

    @admin.display(description=_("tờ khai điện tử"))
    def eform_link(self, obj):
        """The component's interactive declaration form: open it, or (a draft's component) add one."""
        if obj is None or obj.pk is None:
            return "—"
        form = getattr(obj, "eform", None)  # read with the rows (get_queryset)
        if form is not None:
            return format_html('<a href="{}" data-testid="eform-link">{}</a>',
                               reverse("admin:procedures_declarationform_change", args=[form.pk]),
                               _("Sửa tờ khai") if obj.version.is_editable else _("Xem tờ khai"))
        if not obj.version.is_editable:
            return "—"
        return format_html('<a href="{}?document={}" data-testid="eform-add">{}</a>',
                           reverse("admin:procedures_declarationform_add"), obj.pk, _("Thêm tờ khai điện tử"))


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("procedure", "number", "status", "decision_number", "effective_from", "effective_to")
    list_filter = ("status", "online_level", "anywhere", "procedure__level")
    search_fields = ("procedure__code", "procedure__name", "decision_number")
    autocomplete_fields = ("procedure",)
    filter_horizontal = ("agencies",)
    inlines = [ChannelInline, DocumentInline]
    actions = ["publish", "new_draft"]
    readonly_fields = ("number", "status", "published_at", "published_by", "problems")
    fieldsets = (
        (None, {"fields": ("procedure", "number", "status", "decision_number", "decision_date", "effective_from",
                           "effective_to", "problems")}),
        (_("Nội dung công bố"), {"fields": ("steps", "applicants", "conditions", "result", "result_kind",
                                            "legal_bases", "source")}),
        (_("Cơ quan"), {"fields": ("competent_agency", "implementing_agencies", "coordinating_agencies",
                                   "agencies")}),
        (_("Trực tuyến, bưu chính, thời hạn"), {"fields": ("online_level", "postal_submission", "postal_return",
                                                           "supplement_policy", "extension_allowed")}),
        (_("Tiếp nhận không phụ thuộc địa giới hành chính"), {"fields": ("anywhere",)}),
        (_("Công bố"), {"fields": ("published_at", "published_by")}),
    )

    @admin.display(description=_("cần hoàn thiện trước khi công bố"))
    def problems(self, obj):
        if obj is None or obj.pk is None or not obj.is_editable:
            return "—"
        problems = services.version_problems(obj)
        if not problems:
            return _("Đủ điều kiện")
        return format_html("<br>".join(["{}"] * len(problems)), *problems)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = services._next_number(obj.procedure)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Công bố các bản nháp đã chọn"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.version_publish(actor=request.user, version=version)
            except (DomainError, PermissionDenied) as exc:
                messages.error(request, f"{version}: {exc}")
            else:
                messages.success(request, _("Đã công bố %s.") % version)

    @admin.action(description=_("Tạo bản nháp mới từ phiên bản đã chọn"))
    def new_draft(self, request, queryset):
        for version in queryset:
            try:
                draft = services.version_new_draft_from(
                    actor=request.user, version=version,
                    decision_number=f"DỰ THẢO {version.procedure.code} v{services._next_number(version.procedure)}")
            except (DomainError, PermissionDenied) as exc:
                messages.error(request, f"{version}: {exc}")
            else:
                messages.success(request, _("Đã tạo bản nháp %s: hãy sửa số quyết định trước khi công bố.") % draft)


@admin.register(FeeExemption)
class FeeExemptionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "percent", "legal_basis", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


class FeeInline(DraftOnlyMixin, admin.TabularInline):
    model = FeeItem
    extra = 0
    autocomplete_fields = ["allowed_exemptions"]

    def _editable(self, obj):
        return obj is None or obj.version.is_editable


class StepInline(DraftOnlyMixin, admin.TabularInline):
    model = InternalStep
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.version.is_editable


@admin.register(ChannelOption)
class ChannelOptionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("version", "channel", "time_limit", "unit")
    inlines = [FeeInline, StepInline]

    def has_module_permission(self, request):
        return False  # reached from its version's page


@admin.register(AnywhereOverride)
class AnywhereOverrideAdmin(admin.ModelAdmin):
    """The province's decisions on its list of procedures received anywhere (Decree 118/2025/NĐ-CP). A row is
    history once in force: it may be changed or deleted only before its effective date; a later decision is a
    new row."""

    list_display = ("procedure_code", "procedure", "province", "receivable", "decision_number", "effective_from")
    list_filter = ("receivable", "province", "procedure__level", "effective_from")
    search_fields = ("procedure__code", "procedure__name", "decision_number")
    autocomplete_fields = ("procedure",)
    list_select_related = ("procedure", "province")
    date_hierarchy = "effective_from"

    @admin.display(description=_("mã thủ tục"), ordering="procedure__code")
    def procedure_code(self, obj):
        return obj.procedure.code

    def _not_yet_in_force(self, obj) -> bool:
        return obj is None or obj.effective_from > timezone.localdate()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._not_yet_in_force(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._not_yet_in_force(obj)


# -- declaration forms (tờ khai điện tử) -------------------------------------------------------------------

class PrettyJSONField(forms.JSONField):
    """JSON typed in a large monospace textarea: shown indented, and a syntax error said with its line and
    column (what the editor needs to find it), nothing parsed half."""

    widget = forms.Textarea(attrs={"class": "json-editor", "rows": 28, "spellcheck": "false", "autocomplete": "off"})

    def to_python(self, value):
        if self.disabled:
            return value
        if value in self.empty_values:
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError(gettext("JSON không hợp lệ: dòng %(line)s, cột %(column)s: %(reason)s") % {
                "line": exc.lineno, "column": exc.colno, "reason": exc.msg}, code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value  # what was typed, shown again as typed
        return json.dumps(value, indent=2, ensure_ascii=False)


class DeclarationFormAdminForm(forms.ModelForm):
    """Checks a definition whole (`services.declaration_form_problems`), every problem on the field it names.
    It never saves: the admin hands the cleaned values to `services.declaration_form_save`."""

    schema = PrettyJSONField(label=_("dữ liệu (JSON Schema)"))
    layout = PrettyJSONField(label=_("bố cục (layout)"))
    print_template = forms.ChoiceField(label=_("mẫu in"), choices=template_choices)

    class Meta:
        model = DeclarationForm
        fields = ("document", "schema", "layout", "print_template", "official_template")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "document" in self.fields:  # adding: a component of a draft version that has no form yet
            self.fields["document"].queryset = RequiredDocument.objects.filter(
                version__status=VersionStatus.DRAFT, eform__isnull=True).select_related("version__procedure")

    def clean(self):
        data = super().clean()
        document = self.instance.document if self.instance.pk else data.get("document")
        if document is not None and not document.version.is_editable:
            raise ValidationError(PUBLISHED_NOTICE, code="form_published")
        if all(data.get(k) is not None for k in ("schema", "layout", "print_template")):
            documents = dict(document.version.documents.values_list("name", "requirement")) if document else {}
            for problem in services.declaration_form_problems(schema=data["schema"], layout=data["layout"],
                                                              print_template=data["print_template"],
                                                              documents=documents,
                                                              own=document.name if document else ""):
                where = "layout" if problem.startswith("layout") else "schema" if problem.startswith("schema") \
                    else None
                self.add_error(where, problem)
        return data


PUBLISHED_NOTICE = _("Tờ khai của phiên bản đã công bố không được sửa (hồ sơ đã điền theo nó): hãy tạo phiên bản "
                     "mới từ phiên bản này (“Tạo bản nháp mới”) rồi sửa tờ khai của bản nháp.")


@admin.register(DeclarationForm)
class DeclarationFormAdmin(admin.ModelAdmin):
    """The editor of a component's declaration form, for catalogue administrators: schema and layout as JSON,
    saved only through the service, read-only once its version is published; with a preview of the page."""

    form = DeclarationFormAdminForm
    list_display = ("__str__", "procedure_code", "version_number", "version_status", "print_template")
    list_filter = ("document__version__status", "print_template")
    search_fields = ("document__name", "document__version__procedure__code", "document__version__procedure__name")
    list_select_related = ("document__version__procedure",)
    EDIT_FIELDS = ("document", "schema", "layout", "print_template", "official_template")
    READ_FIELDS = ("document", "version_link", "preview_link", "schema_pretty", "layout_pretty", "print_template",
                   "official_template")

    # -- who: catalogue administrators only; a published version's form is read-only ------------------------

    def _catalogue_admin(self, request) -> bool:
        return policies.can_edit_catalogue(request.user)

    @staticmethod
    def _editable(obj) -> bool:
        return obj is None or obj.document.version.is_editable

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self._catalogue_admin(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._catalogue_admin(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._catalogue_admin(request)

    def has_change_permission(self, request, obj=None):
        return (super().has_change_permission(request, obj) and self._catalogue_admin(request)
                and self._editable(obj))

    def has_delete_permission(self, request, obj=None):
        return (super().has_delete_permission(request, obj) and self._catalogue_admin(request)
                and self._editable(obj))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document__version__procedure")

    # -- the page --------------------------------------------------------------------------------------------

    def get_fields(self, request, obj=None):
        if obj is not None and not self._editable(obj):
            return self.READ_FIELDS
        if obj is not None:
            return ("document", "version_link", "preview_link", *self.EDIT_FIELDS[1:])
        return self.EDIT_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self._editable(obj):
            return self.READ_FIELDS
        if obj is not None:
            return ("document", "version_link", "preview_link")
        return ()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and not self._editable(obj) and request.method == "GET":
            messages.warning(request, PUBLISHED_NOTICE)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("mã thủ tục"), ordering="document__version__procedure__code")
    def procedure_code(self, obj):
        return obj.document.version.procedure.code

    @admin.display(description=_("phiên bản"))
    def version_number(self, obj):
        return obj.document.version.number

    @admin.display(description=_("tình trạng phiên bản"))
    def version_status(self, obj):
        return obj.document.version.get_status_display()

    @admin.display(description=_("phiên bản thủ tục"))
    def version_link(self, obj):
        version = obj.document.version
        return format_html('<a href="{}">{}</a>', reverse("admin:procedures_procedureversion_change",
                                                          args=[version.pk]), version)

    @admin.display(description=_("xem trước"))
    def preview_link(self, obj):
        return format_html('<a href="{}" target="_blank" data-testid="eform-preview-link">{}</a>',
                           reverse("admin:procedures_declarationform_preview", args=[obj.pk]),
                           _("Xem trước trang tờ khai như người dân thấy"))

    @admin.display(description=_("dữ liệu (JSON Schema)"))
    def schema_pretty(self, obj):
        return format_html('<pre class="json-view">{}</pre>', json.dumps(obj.schema, indent=2, ensure_ascii=False))

    @admin.display(description=_("bố cục (layout)"))
    def layout_pretty(self, obj):
        return format_html('<pre class="json-view">{}</pre>', json.dumps(obj.layout, indent=2, ensure_ascii=False))

    # -- saving: through the service, never the model form ------------------------------------------------

    def save_form(self, request, form, change):
        return form.instance  # not form.save(): the service below writes

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = services.declaration_form_save(
                actor=request.user, document=obj.document, schema=data["schema"], layout=data["layout"],
                print_template=data["print_template"], official_template=data.get("official_template") or "")
        except (DomainError, PermissionDenied) as exc:  # changed under us (published meanwhile): nothing written
            request._declaration_form_refused = str(getattr(exc, "message", exc))
            return
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at

    def save_related(self, request, form, formsets, change):
        pass  # no inlines, no many-to-many: nothing else to write

    def log_addition(self, request, obj, message):
        if not getattr(request, "_declaration_form_refused", None):
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if not getattr(request, "_declaration_form_refused", None):
            return super().log_change(request, obj, message)
        return None

    def _refused(self, request, obj):
        messages.error(request, request._declaration_form_refused)
        if obj.pk:
            return redirect("admin:procedures_declarationform_change", obj.pk)
        return redirect("admin:procedures_declarationform_changelist")

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_declaration_form_refused", None):
            return self._refused(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "_declaration_form_refused", None):
            return self._refused(request, obj)
        return super().response_change(request, obj)

    # -- the preview: the citizen's page of the saved definition; nothing is stored ----------------------------

    def get_urls(self):
        return [path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view),
                     name="procedures_declarationform_preview"), *super().get_urls()]

    def preview_view(self, request, pk: int):
        if not self._catalogue_admin(request):
            raise PermissionDenied(gettext("Chỉ quản trị viên danh mục thủ tục mới được xem trước tờ khai."))
        eform = self.get_queryset(request).filter(pk=pk).first()
        if eform is None:
            return redirect("admin:procedures_declarationform_changelist")
        form = eform.form
        raw, errors, extra_rows, valid, status = {}, {}, None, False, 200
        if request.method == "POST":
            raw = clean_raw(form, request.POST)
            action = request.POST.get("action", "check")
            if action.startswith("add:"):
                extra_rows = {action[4:]: 1}
            else:
                data, errors = check_raw(form, raw)
                valid = not errors
                status = 200 if valid else 400
                if valid and action == "pdf":
                    pdf = render_pdf(form, data, template=eform.print_template,
                                     context={"dossier_code": "", "filled_by_desk": False, "place": ""})
                    response = HttpResponse(pdf, content_type="application/pdf")
                    response["Content-Disposition"] = f'attachment; filename="to-khai-mau-{eform.pk}.pdf"'
                    return response
        return TemplateResponse(request, "eforms/preview.html", {
            "eform": eform, "title": form.title, "document": eform.document,
            "sections": ui.sections(form, raw, errors, extra_rows=extra_rows), "errors": errors, "valid": valid,
            "change_url": reverse("admin:procedures_declarationform_change", args=[eform.pk]),
        }, status=status)
