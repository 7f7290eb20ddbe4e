import calendar as pycal

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.models import Agency
from core.params import pk_param

from .models import CalendarOverride, CalendarYear
from .selectors import calendar_for, unconfirmed_coming_year

WEEKDAYS = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]


def _warn_unconfirmed(request):
    coming = unconfirmed_coming_year()
    if coming:
        messages.warning(request, _(
            "Lịch nghỉ năm %(year)s chưa được xác nhận theo thông báo chính thức: thời hạn tính sang năm "
            "%(year)s đang dựa trên quy tắc của thư viện holidays. Hãy kiểm tra và xác nhận ở mục “Lịch năm”."
        ) % {"year": coming})


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "province", "legal_basis")
    list_filter = ("kind", "province", ("date", admin.DateFieldListFilter))
    search_fields = ("name", "legal_basis")
    date_hierarchy = "date"
    readonly_fields = ("created_by", "created_at", "updated_at")
    change_list_template = "admin/workcalendar/override_changelist.html"

    @admin.display(description=_("thứ"))
    def weekday(self, obj):
        return WEEKDAYS[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("year/", self.admin_site.admin_view(self.year_view), name="workcalendar_year_current"),
            path("year/<int:year>/", self.admin_site.admin_view(self.year_view), name="workcalendar_year"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        _warn_unconfirmed(request)
        extra = {"year_url": reverse("admin:workcalendar_year_current"), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def year_view(self, request, year=None):
        year = year or timezone.localdate().year
        if not 2000 <= year <= 2060:
            year = timezone.localdate().year
        province = Agency.objects.filter(pk=pk_param(request.GET.get("province")), parent__isnull=True).first()
        cal = calendar_for(province)
        _warn_unconfirmed(request)
        months = []
        for month in range(1, 13):
            weeks = []
            for week in pycal.Calendar().monthdatescalendar(year, month):
                row = []
                for day in week:
                    if day.month != month:
                        row.append(None)
                        continue
                    working = cal.is_working_day(day)
                    weekend = day.weekday() >= 5
                    css = "off" if not working and not weekend else "weekend" if not working else (
                        "makeup" if weekend else "work")
                    row.append({"day": day, "css": css, "name": cal.day_name(day)})
                weeks.append(row)
            months.append({"name": f"Tháng {month}", "weeks": weeks})
        special = cal.special_days(year)
        year_row = CalendarYear.objects.filter(year=year).first()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Lịch làm việc năm %(year)s") % {"year": year},
            "year": year, "months": months, "weekdays": WEEKDAYS, "special": special,
            "year_row": year_row, "province": province,
            "provinces": Agency.objects.filter(parent__isnull=True).order_by("code"),
            "prev": year - 1, "next": year + 1, "opts": self.model._meta,
            "off_count": sum(1 for _d, kind, _n in special if kind == "day_off"),
            "makeup_count": sum(1 for _d, kind, _n in special if kind == "working_weekend"),
        }
        return TemplateResponse(request, "admin/workcalendar/year.html", context)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "confirmed", "legal_basis", "confirmed_by", "updated_at", "calendar_link")
    readonly_fields = ("confirmed_by", "updated_at")

    @admin.display(description=_("lịch"))
    def calendar_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:workcalendar_year", args=[obj.year]), _("Xem lịch"))

    def save_model(self, request, obj, form, change):
        if obj.confirmed:
            obj.confirmed_by = request.user
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        _warn_unconfirmed(request)
        return super().changelist_view(request, extra_context=extra_context)


