from django.contrib import admin

from .models import SyncItem
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
