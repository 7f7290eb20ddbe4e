from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import AssessmentRound, Criterion, IndexConfig, MetricSnapshot, SelfScore, SurveyScore
from .services import config_copy


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "code", "name", "parent", "max_points", "method", "metric", "rule"]


@admin.register(IndexConfig)
class IndexConfigAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "kind", "effective_from", "effective_to", "status"]
    list_filter = ["kind", "status"]
    inlines = [CriterionInline]
    actions = ["copy_version"]

    @admin.action(description=_("Sao chép thành phiên bản nháp mới"))
    def copy_version(self, request, queryset):
        for config in queryset:
            copy = config_copy(config=config)
            messages.success(request, _("Đã tạo bản nháp %s: sửa tiêu chí, ngày áp dụng rồi chuyển sang "
                                        "“đang áp dụng”.") % copy)


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(admin.ModelAdmin):
    list_display = ["month", "agency", "scope", "metric", "numerator", "denominator", "computed_at"]
    list_filter = ["scope", "metric"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(admin.ModelAdmin):
    list_display = ["config", "year", "deadline", "appraisal_deadline"]
    filter_horizontal = ["agencies"]


@admin.register(SelfScore)
class SelfScoreAdmin(admin.ModelAdmin):
    list_display = ["round", "agency", "criterion", "points", "appraised_points", "appraised_by"]
    list_filter = ["round"]

    def get_readonly_fields(self, request, obj=None):  # scores change only through the pages (deadlines, reasons)
        return [f.name for f in self.model._meta.fields]


@admin.register(SurveyScore)
class SurveyScoreAdmin(admin.ModelAdmin):
    list_display = ["round", "agency", "criterion", "points", "imported_at", "source"]
    list_filter = ["round"]
