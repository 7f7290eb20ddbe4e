"""Administrators add a new version of the rules; a version in force or past is read-only in effect: saving
it is refused with the reason (RuleSet.clean), and it cannot be deleted. “Lưu mới” (save as new) copies a version
into a new one with a later date."""

from django.contrib import admin

from .models import RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "supplement_window_days", "feedback_accept_days", "feedback_info_days",
                    "feedback_answer_days", "feedback_publish_days", "apology_notice_days", "handover_clock",
                    "handover_hours", "created_at")
    readonly_fields = ("created_at",)
    save_as = True
    save_as_continue = False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.in_force_or_past():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the per-version rule above
        return actions
