from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from core.admin import ReadOnlyAdmin

from .models import (
    Answer,
    DossierEvaluation,
    FollowUp,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    SurveyResponse,
)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == QuestionnaireStatus.DRAFT

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Versions: copy the one in use into a draft, edit it, publish it (the old one is retired)."""

    list_display = ("version", "title", "status", "published_at")
    inlines = [QuestionInline]
    actions = ["new_version", "publish"]

    def get_readonly_fields(self, request, obj=None):
        return ("version", "status", "published_at") if obj and obj.status != QuestionnaireStatus.DRAFT else (
            "status", "published_at")

    @admin.action(description="Tạo phiên bản mới (bản nháp) từ phiếu đã chọn")
    def new_version(self, request, queryset):
        for source in queryset:
            with transaction.atomic():
                top = Questionnaire.objects.order_by("-version").first().version
                copy = Questionnaire.objects.create(version=top + 1, title=source.title)
                Question.objects.bulk_create([Question(questionnaire=copy, order=q.order, element=q.element,
                                                       text=q.text, in_kiosk=q.in_kiosk)
                                              for q in source.questions.all()])
            messages.success(request, f"Đã tạo bản nháp phiên bản {copy.version}.")

    @admin.action(description="Công bố phiếu đã chọn (phiếu đang dùng chuyển sang 'Đã thay thế')")
    def publish(self, request, queryset):
        if queryset.count() != 1 or queryset.first().status != QuestionnaireStatus.DRAFT:
            messages.error(request, "Hãy chọn đúng một phiếu đang là bản nháp.")
            return
        draft = queryset.first()
        if not draft.questions.filter(element="overall").exists():
            messages.error(request, "Phiếu phải có câu hỏi “Hài lòng chung”.")
            return
        with transaction.atomic():
            Questionnaire.objects.filter(status=QuestionnaireStatus.PUBLISHED).update(
                status=QuestionnaireStatus.RETIRED)
            draft.status, draft.published_at = QuestionnaireStatus.PUBLISHED, timezone.now()
            draft.save(update_fields=["status", "published_at"])
        messages.success(request, f"Đã công bố phiên bản {draft.version}.")


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("element", "value")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    """Read-only: the citizen's answer is never edited by staff."""

    list_display = ("invitation", "agency", "overall", "satisfied", "channel", "submitted_at")
    inlines = [AnswerInline]
    list_filter = ("channel", "satisfied", "agency")


class WrittenByServicesAdmin(admin.ModelAdmin):
    """Written by the services only (a follow-up is closed with a reply on its staff page)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(WrittenByServicesAdmin):
    list_display = ("response", "agency", "status", "due_at", "closed_at")
    list_filter = ("status", "agency")


@admin.register(DossierEvaluation)
class DossierEvaluationAdmin(WrittenByServicesAdmin):
    list_display = ("dossier", "total_time", "step_time", "contacts", "agencies", "computed_at")
