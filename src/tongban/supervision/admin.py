"""Admin (Chinese): warning policies are edited through the service; logs are read-only records."""

from __future__ import annotations

from django.contrib import admin, messages

from tongban.common.errors import ServiceError

from .models import Card, CardEvent, Deadline, Directive, DirectiveEvent, WarningEvent, WarningPolicy
from .services import warning_policy_save


@admin.register(WarningPolicy)
class WarningPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "yellow_days",
        "yellow_percent",
        "escalate_every_days",
        "max_escalation_level",
        "updated_at",
    ]
    search_fields = ["item_code", "note"]
    fields = [
        "item_code",
        "yellow_days",
        "yellow_percent",
        "escalate_every_days",
        "max_escalation_level",
        "note",
    ]

    def save_model(self, request, obj, form, change):
        """Through the service: it validates and recomputes the open watches the policy governs."""
        try:
            saved = warning_policy_save(
                actor=request.user,
                item_code=obj.item_code,
                yellow_days=obj.yellow_days,
                yellow_percent=obj.yellow_percent,
                escalate_every_days=obj.escalate_every_days,
                max_escalation_level=obj.max_escalation_level,
                note=obj.note,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class WarningEventInline(admin.TabularInline):
    model = WarningEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "step", "due_date", "level_before", "level_after", "actor", "note", "notified_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "department", "due_date", "level", "escalation_level", "paused", "status"]
    list_filter = ["status", "level", "subject_type", "paused"]
    search_fields = ["reference", "title", "item_code"]
    list_select_related = ["department"]
    inlines = [WarningEventInline]


@admin.register(WarningEvent)
class WarningEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "deadline", "kind", "step", "due_date", "notify_pending", "notified_at"]
    list_filter = ["kind", "notify_pending"]
    list_select_related = ["deadline"]
    date_hierarchy = "at"


class DirectiveEventInline(admin.TabularInline):
    model = DirectiveEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Directive)
class DirectiveAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "department", "due_date", "status", "round", "responded_on_time"]
    list_filter = ["status"]
    search_fields = ["number", "title", "subject_label"]
    list_select_related = ["department"]
    inlines = [DirectiveEventInline]


class CardEventInline(admin.TabularInline):
    model = CardEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ["issued_on", "color", "department", "staff", "rule_key", "status"]
    list_filter = ["color", "status", "rule_key"]
    search_fields = ["reason", "subject_label"]
    list_select_related = ["department", "staff"]
    inlines = [CardEventInline]
