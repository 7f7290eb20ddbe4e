from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Criterion, IndexConfig, MetricSnapshot
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
