from django.contrib import admin

from .models import EmailMessage, SmsMessage


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "subject", "key")
    readonly_fields = [f.name for f in EmailMessage._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "body", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "body", "key")
    readonly_fields = [f.name for f in SmsMessage._meta.fields]

    def has_add_permission(self, request):
        return False
