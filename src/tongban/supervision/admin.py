"""Admin (Chinese): warning policies are edited through the service; logs are read-only records."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from tongban.common.errors import ServiceError

from .models import (
    Card,
    CardEvent,
    CardRule,
    Deadline,
    Directive,
    DirectiveEvent,
    WarningEvent,
    WarningPolicy,
)
from .services import card_rule_create, card_rule_update, warning_policy_save
from .services.card_rules import EDITABLE, KEY, clean_rule


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


class CardRuleForm(forms.ModelForm):
    """Checks a rule as the service will (same messages, on the field they name), so a mistake shows on
    the form instead of after the save."""

    class Meta:
        model = CardRule
        fields = ["key", "name", "trigger", *[f for f in EDITABLE if f != "name"]]

    def clean(self):
        data = super().clean()
        trigger = self.instance.trigger if self.instance.pk else data.get("trigger")
        if not self.instance.pk and data.get("key") and not KEY.match(data["key"]):
            self.add_error(
                "key", "规则代码应以小写字母开头，由小写字母、数字、下划线或连字符组成（2–48 位）。"
            )
        try:
            clean_rule(trigger, data)
        except ServiceError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(CardRule)
class CardRuleAdmin(admin.ModelAdmin):
    """出牌规则: written through the services (checked, logged); never deleted — switched off instead,
    because the cards it showed name it. The key and the trigger are fixed once created."""

    form = CardRuleForm
    list_display = ["name", "key", "trigger", "color", "target", "active", "updated_at"]
    list_filter = ["active", "trigger", "color"]
    search_fields = ["key", "name", "description"]

    def get_readonly_fields(self, request, obj=None):
        return ["key", "trigger", "version", "updated_by", "updated_at", "change_log"] if obj else []

    @admin.display(description="修改记录")
    def change_log(self, obj):
        """The rule's log, newest first (read-only: written by the services)."""
        rows = [
            (
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                e.get_kind_display(),
                str(e.actor or "—"),
                "；".join(
                    f"{k}: {v[0]} → {v[1]}" if isinstance(v, list) else f"{k}: {v}"
                    for k, v in e.changes.items()
                ),
            )
            for e in obj.events.select_related("actor").order_by("-at", "-id")[:50]
        ]
        return (
            format_html("<ul>{}</ul>", format_html_join("", "<li>{} · {} · {} · {}</li>", rows))
            if rows
            else "—"
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name, getattr(obj, name)) for name in EDITABLE}
        try:
            if change:
                saved = card_rule_update(actor=request.user, rule_id=obj.pk, **values)
            else:
                saved = card_rule_create(actor=request.user, key=obj.key, trigger=obj.trigger, **values)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        """The log is written by the service; the read-only inline has nothing to save."""


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
    list_display = ["issued_on", "color", "department", "staff", "rule", "issued_by", "status"]
    list_filter = ["color", "status", "rule"]
    search_fields = ["reason", "subject_label"]
    list_select_related = ["department", "staff", "rule", "issued_by"]
    inlines = [CardEventInline]
