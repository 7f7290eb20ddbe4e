"""A centre's queue set-up in the admin: its services (with their booking quotas), its counters and the
services each serves, the priority groups; tickets and appointments are shown read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Appointment, Counter, PriorityGroup, Service, Ticket


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("agency", "code", "name", "is_active", "slot_minutes", "bookings_per_counter_slot",
                    "max_bookings_per_person_day", "booking_days_ahead")
    list_filter = ("is_active", "agency")
    search_fields = ("name", "code", "agency__name", "agency__code")
    filter_horizontal = ("fields",)
    autocomplete_fields = ("agency",)


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("agency", "number", "name", "is_active", "officer", "opened_at")
    list_filter = ("is_active", "agency")
    search_fields = ("name", "agency__name", "agency__code")
    filter_horizontal = ("services",)
    autocomplete_fields = ("agency",)
    readonly_fields = ("officer", "opened_at")  # opened and closed by the officer on the counter page


@admin.register(PriorityGroup)
class PriorityGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "rank", "is_active", "note")
    list_editable = ("rank", "is_active")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("code", "agency", "service", "day", "status", "counter", "issued_at", "called_at", "finished_at")
    list_filter = ("status", "day", "agency")
    search_fields = ("code", "token")
    date_hierarchy = "day"


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("agency", "service", "slot_start", "status", "created_at")
    list_filter = ("status", "agency")
    date_hierarchy = "day"
