from django.contrib import admin

from .models import ClosedMonth, Dossier, DossierComponent, DossierEvent, PersonalDataAccess


class ComponentInline(admin.TabularInline):
    """What was handed in per component (the receipt's list); recorded by reception, never edited here."""

    model = DossierComponent
    extra = 0
    can_delete = False
    fields = ("name", "requirement", "applies", "originals", "copies", "files", "reused", "scanned", "presented",
              "recorded_by", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("at", "type", "actor", "from_status", "to_status", "step", "step_due_at", "punctuality", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: dossiers move only through the workflow services (the staff pages and the API)."""

    list_display = ("code", "status", "receiving_agency", "applicant_name", "received_at", "due_at", "punctuality")
    list_filter = ("status", "channel", "receiving_agency", "punctuality")
    search_fields = ("code", "applicant_name")
    inlines = [ComponentInline, EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Dossier._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "dossier", "detail", "ip")
    list_filter = ("action",)
    search_fields = ("user__email", "dossier__code")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in PersonalDataAccess._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClosedMonth)
class ClosedMonthAdmin(admin.ModelAdmin):
    """Closed months are only listed and, to recount one, deleted (the next refresh counts it from today's records)."""

    list_display = ("month", "closed_at")
    readonly_fields = ("month", "closed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
