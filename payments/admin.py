from django.contrib import admin

from .models import Payment, PaymentLog


class LogInline(admin.TabularInline):
    model = PaymentLog
    extra = 0
    can_delete = False
    readonly_fields = ["source", "outcome", "message", "params", "at", "ip"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["dossier", "method", "amount", "status", "receipt_number", "created_at", "paid_at"]
    list_filter = ["status", "method", "provider"]
    search_fields = ["dossier__code", "txn_ref", "receipt_number", "gateway_txn_no"]
    inlines = [LogInline]

    def get_readonly_fields(self, request, obj=None):  # money is never edited by hand
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentLog)
class PaymentLogAdmin(admin.ModelAdmin):
    list_display = ["at", "source", "outcome", "payment", "message", "ip"]
    list_filter = ["source", "outcome"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
