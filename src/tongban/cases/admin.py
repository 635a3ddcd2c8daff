"""Admin for process definitions (listed; edited in the process editor) and item forms (editable), and
a read-only view of cases. A case cannot be accepted under an invalid process (case_accept refuses it).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    ItemForm,
    ProcessDefinition,
    Step,
)
from .processes import plan_from_definition, process_problems


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    """The list of defined processes. A process — its stages, parallel groups and steps — is edited on
    ONE page with its live flow chart, the process editor (work:process-edit), which saves through
    `services.process_define` and so follows the item's versions; this admin only lists and links."""

    list_display = ("__str__", "item", "item_status", "problems", "editor_link", "updated_at")
    search_fields = ("item__name", "item__code", "name")
    list_select_related = ("item",)

    @admin.display(description="事项状态")
    def item_status(self, obj) -> str:
        return obj.item.get_status_display()

    @admin.display(description="校验结果")
    def problems(self, obj) -> str:
        found = process_problems(plan_from_definition(obj), obj.item)
        return "；".join(found) if found else "通过"

    @admin.display(description="编辑")
    def editor_link(self, obj) -> str:
        return format_html(
            '<a href="{}">编辑流程（流程图）</a>', reverse("work:process-edit", args=[obj.item_id])
        )

    def has_add_permission(self, request):
        return False  # a process is set up from its item: 事项 → 编辑办理流程

    def has_delete_permission(self, request, obj=None):
        return False  # versions are history; a draft's process is replaced in the editor

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("办理流程不存在。")
        return redirect("work:process-edit", item_id=obj.item_id)


@admin.register(ItemForm)
class ItemFormAdmin(admin.ModelAdmin):
    list_display = ("__str__", "item", "updated_at")
    search_fields = ("item__name", "item__code")
    autocomplete_fields = ("item",)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "kind", "actor", "from_status", "to_status", "note")


class StepAdminInline(ReadOnlyInline):
    model = Step
    fields = ("stage_name", "name", "department", "status", "due_date", "outcome", "opinion")


class DocumentInline(ReadOnlyInline):
    model = CaseDocument
    fields = ("kind", "number", "file", "sha256", "created_at")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases change only through the services: the admin is for looking."""

    list_display = ("number", "item", "applicant", "status", "due_date", "is_paused", "visit_count")
    list_filter = ("status", "channel", "is_paused", "intake_overdue")
    search_fields = ("number", "applicant__name", "item__name")
    inlines = [StepAdminInline, DocumentInline, EventInline]

    def get_queryset(self, request):
        return Case.objects.visible_to(request.user).select_related("item", "applicant")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
