from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, StaffRole, User


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ("agency",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "phone", "is_active", "email_verified_at", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser", "staff_roles__role")
    search_fields = ("email", "full_name", "phone", "citizen_id")
    inlines = [StaffRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "phone", "citizen_id", "email_verified_at")}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Mốc thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "phone", "password1", "password2")}),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "hotline", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("parent", "head")
    fieldsets = (
        (None, {"fields": ("parent", "name", "short_name", "level", "code", "is_active")}),
        (_("Liên hệ"), {"fields": ("address", "hotline", "email", "head", "head_title")}),
        (_("Giờ làm việc"), {"fields": (
            ("morning_start", "morning_end"), ("afternoon_start", "afternoon_end"), "reception_cutoff"
        )}),
    )


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "created_at")
    list_filter = ("role", "agency")
    search_fields = ("user__email", "user__full_name", "agency__name", "agency__code")
    autocomplete_fields = ("user", "agency")
