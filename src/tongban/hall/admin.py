"""Admin (Chinese): queue categories and slot settings are edited here; tickets and their logs are read-only
(they change only through the services), appointments are read-only too."""

from django.contrib import admin

from .models import (
    Appointment,
    AppointmentEvent,
    AppointmentSlotConfig,
    KioskSession,
    QueueCategory,
    Ticket,
    TicketCase,
    TicketEvent,
)


@admin.register(QueueCategory)
class QueueCategoryAdmin(admin.ModelAdmin):
    list_display = ["hall", "code", "name", "item_categories", "window_kinds", "sort_order", "is_active"]
    list_filter = ["hall", "is_active"]
    search_fields = ["name", "code", "hall__name"]


@admin.register(AppointmentSlotConfig)
class AppointmentSlotConfigAdmin(admin.ModelAdmin):
    list_display = ["hall", "category", "slot_minutes", "capacity", "periods", "days_ahead", "is_active"]
    list_filter = ["hall", "is_active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_status", "to_status", "window", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class TicketCaseInline(admin.TabularInline):
    model = TicketCase
    extra = 0
    can_delete = False
    fields = ["case_number", "visit_id", "linked_by", "linked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "hall", "category", "service_date", "source", "is_priority", "status", "window"]
    list_filter = ["hall", "status", "source", "is_priority", "service_date"]
    search_fields = ["number"]
    date_hierarchy = "service_date"
    inlines = [TicketEventInline, TicketCaseInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["booking_code", "hall", "item", "slot_date", "slot_start", "status", "user"]
    list_filter = ["hall", "status", "slot_date"]
    search_fields = ["booking_code", "user__username"]
    date_hierarchy = "slot_date"
    inlines = [AppointmentEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(KioskSession)
class KioskSessionAdmin(ReadOnlyAdmin):
    list_display = ["hall", "started_at", "ended_at", "end_reason", "terminal"]
    list_filter = ["hall", "end_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
