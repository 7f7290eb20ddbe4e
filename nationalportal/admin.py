from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from dossiers.workflow import Status

from .mapping import document_types
from .models import IntakeRefusal, NationalDossier, StatusMapping, SyncItem, VersionMapping
from .sync import retry


@admin.register(SyncItem)
class SyncItemAdmin(admin.ModelAdmin):
    """The status-sync log per dossier; failed items can be queued again."""

    list_display = ("dossier", "event", "status", "attempts", "created_at", "sent_at", "last_error")
    list_filter = ("status",)
    search_fields = ("dossier__code",)
    actions = ["queue_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Gửi lại các mục đồng bộ lỗi đã chọn")
    def queue_again(self, request, queryset):
        self.message_user(request, f"Đã xếp lại {retry(queryset)} mục để gửi.")


@admin.register(VersionMapping)
class VersionMappingAdmin(ReadOnlyAdmin):
    """Procedure versions mapped to the national portal, with their components' document types. Changed on the
    administrator's page (mapping.map_version checks the codes and stores all of a version or nothing)."""

    list_display = ("national_procedure_code", "procedure_code", "version", "mapped_at", "mapped_by")
    search_fields = ("national_procedure_code", "version__procedure__code", "version__procedure__name")
    list_select_related = ("version__procedure", "mapped_by")
    fields = ("version", "national_procedure_code", "document_types", "mapped_at", "mapped_by", "edit_link")
    readonly_fields = fields

    @admin.display(description=_("mã thủ tục trong danh mục"), ordering="version__procedure__code")
    def procedure_code(self, obj):
        return obj.version.procedure.code

    @admin.display(description=_("thành phần hồ sơ và mã trên Cổng DVC quốc gia"))
    def document_types(self, obj):
        rows = document_types(obj.version)
        if not rows:
            return _("Thủ tục không có thành phần hồ sơ.")
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{}. {} — <strong>{}</strong></li>",
            ((r["document"].order, r["document"].name, r["national_type"] or _("chưa có mã")) for r in rows)))

    @admin.display(description=_("sửa ánh xạ"))
    def edit_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("np_admin:map", args=[obj.version_id]),
                           _("Mở trang ánh xạ thủ tục"))


class StatusMappingForm(forms.ModelForm):
    status = forms.ChoiceField(label=_("trạng thái trong hệ thống"),
                               choices=[(v, f"{label} ({v})") for v, label in Status.choices if v != Status.DRAFT])

    class Meta:
        model = StatusMapping
        fields = ("status", "national_status", "national_label")


@admin.register(StatusMapping)
class StatusMappingAdmin(admin.ModelAdmin):
    """The national portal's status codes our statuses are pushed as: the administrator changes a code or a
    label when the platform changes its list. A row is not deleted (its status would be pushed without a
    national code)."""

    form = StatusMappingForm
    list_display = ("status", "status_label", "national_status", "national_label")
    list_editable = ("national_status", "national_label")
    search_fields = ("status", "national_status", "national_label")

    @admin.display(description=_("tên trạng thái trong hệ thống"))
    def status_label(self, obj):
        return Status(obj.status).label if obj.status in Status.values else "—"

    def get_readonly_fields(self, request, obj=None):
        return ("status",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NationalDossier)
class NationalDossierAdmin(ReadOnlyAdmin):
    """Dossiers received from the national portal (the intake's record: read-only)."""

    list_display = ("national_code", "dossier", "via", "filed_at", "received_at", "vneid_verified", "fees_paid")
    list_filter = ("via", "vneid_verified")
    search_fields = ("national_code", "dossier__code")
    list_select_related = ("dossier",)
    date_hierarchy = "received_at"


@admin.register(IntakeRefusal)
class IntakeRefusalAdmin(ReadOnlyAdmin):
    """Intake requests refused, with the code they were answered with (read-only: nothing is dropped)."""

    list_display = ("at", "national_code", "procedure_code", "code", "message", "field", "via")
    list_filter = ("code", "via")
    search_fields = ("national_code", "procedure_code")
    date_hierarchy = "at"
