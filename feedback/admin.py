from django.contrib import admin

from .models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only: feedback is written by the services only (handled on its staff page)."""

    list_display = ("code", "title", "agency", "status", "harassment", "submitted_at", "answer_due", "late")
    list_filter = ("status", "harassment", "late", "agency")
    search_fields = ("code", "title")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
