"""Admin: the message log, read-only (it is a record), with a resend action that calls the service."""

from __future__ import annotations

from django.contrib import admin, messages

from tongban.common.errors import ServiceError

from .models import Message, MessageEvent
from .services import message_resend


class MessageEventInline(admin.TabularInline):
    model = MessageEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "attempt", "detail", "actor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "address", "template", "ref", "status", "attempts"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["ref", "address", "idempotency_key", "recipient__username", "recipient__display_name"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    inlines = [MessageEventInline]
    actions = ["resend"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="重新发送所选消息")
    def resend(self, request, queryset):
        done, refused = 0, []
        for message in queryset:
            try:
                message_resend(message_id=message.pk, actor=request.user)
            except ServiceError as exc:
                refused.append(f"#{message.pk}：{exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, f"已重新加入发送队列 {done} 条。", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)
