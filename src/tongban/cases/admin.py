"""Admin for process definitions and item forms (editable), and a read-only view of cases.

Process edits are checked as a whole by `processes.process_problems` after saving: the admin shows
the problems, and a case cannot be accepted under an invalid process (case_accept refuses it).
"""

from __future__ import annotations

from django.contrib import admin, messages

from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    ItemForm,
    ProcessDefinition,
    StageDefinition,
    Step,
    StepDefinition,
)
from .processes import plan_from_definition, process_problems


class StageInline(admin.TabularInline):
    model = StageDefinition
    extra = 0
    fields = ("position", "name", "kind", "lead_department", "joint_limit_days")
    show_change_link = True  # steps are edited on the stage's page


class StepInline(admin.TabularInline):
    model = StepDefinition
    extra = 1
    fields = ("position", "name", "department", "role", "limit_days")


def _report_problems(request, definition: ProcessDefinition) -> None:
    problems = process_problems(plan_from_definition(definition), definition.item)
    for p in problems:
        messages.warning(request, f"流程校验：{p}")
    if not problems:
        messages.success(request, "流程校验通过。")


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "item", "updated_at")
    search_fields = ("item__name", "item__code", "name")
    autocomplete_fields = ("item",)
    inlines = [StageInline]
    readonly_fields = ("problems",)

    @admin.display(description="校验结果")
    def problems(self, obj) -> str:
        if not obj.pk:
            return "保存后校验。"
        found = process_problems(plan_from_definition(obj), obj.item)
        return "；".join(found) if found else "通过"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _report_problems(request, form.instance)


@admin.register(StageDefinition)
class StageDefinitionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "process", "kind", "lead_department")
    list_filter = ("kind",)
    inlines = [StepInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _report_problems(request, form.instance.process)


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
