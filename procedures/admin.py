"""Staff editing of the catalogue. A published version is read-only here: the action
"Tạo bản nháp mới" copies it, and "Công bố" publishes a draft through the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from . import services
from .models import (
    AnywhereOverride,
    ChannelOption,
    FeeExemption,
    FeeItem,
    Field,
    InternalStep,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
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
              "file_types")
    extra = 0


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
