"""Read-only admin: ratings and follow-ups change only through the services (DESIGN rule 1)."""

from __future__ import annotations

from django.contrib import admin

from .models import FollowUp, FollowUpEvent, RatableService, Rating


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RatableService)
class RatableServiceAdmin(ReadOnlyAdmin):
    list_display = ["kind", "reference", "title", "department", "hall", "served_at", "rated"]
    list_filter = ["kind", "rated"]
    search_fields = ["reference", "title"]
    exclude = ["token"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["service", "score", "channel", "is_default", "excluded", "rated_at"]
    list_filter = ["score", "channel", "is_default", "excluded"]


class FollowUpEventInline(admin.TabularInline):
    model = FollowUpEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_status", "to_status", "actor", "note", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "department", "stage", "stage_due", "claim_status", "closed_reason"]
    list_filter = ["stage", "claim_status", "closed_reason"]
    inlines = [FollowUpEventInline]
