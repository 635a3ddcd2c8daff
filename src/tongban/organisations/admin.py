"""Admin for regions, departments, halls, windows and staff roles (all labels in Chinese).

Every save, inline row and delete goes through `services` (checked, logged in `OrganisationEvent`); a
refusal comes back on the form with everything typed kept. Each change page shows its own log, and the
log as a whole is a read-only list (组织机构日志)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tongban.common.adminforms import ServiceRefusalAdminMixin
from tongban.common.choices import ItemCategory
from tongban.common.errors import ServiceError

from . import selectors, services
from .choices import OrganisationSubject
from .models import Department, OrganisationEvent, Region, ServiceHall, StaffAssignment, Window

# --- saving through the services -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Writes:
    create: Callable
    update: Callable
    delete: Callable
    id_kw: str


WRITES: dict[type, _Writes] = {
    Region: _Writes(services.region_create, services.region_update, services.region_delete, "region_id"),
    Department: _Writes(
        services.department_create, services.department_update, services.department_delete, "department_id"
    ),
    ServiceHall: _Writes(services.hall_create, services.hall_update, services.hall_delete, "hall_id"),
    Window: _Writes(services.window_create, services.window_update, services.window_delete, "window_id"),
    StaffAssignment: _Writes(
        services.staff_role_grant, services.staff_role_update, services.staff_role_revoke, "assignment_id"
    ),
}


def _values(form: forms.ModelForm, names: Iterable[str]) -> dict:
    """The form's values as the services take them: writable columns only, a foreign key by its id."""
    model = form._meta.model
    writable = set(services.KINDS[model].fields)
    out = {}
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # form-only fields (DELETE, id)
            continue
        if field.attname not in writable or name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        out[field.attname] = value.pk if field.is_relation and value is not None else value
    return out


def save_form(request, form: forms.ModelForm, *, adding: bool, parent: dict | None = None):
    """Create or change the form's object through its service; `parent` is an inline's foreign key."""
    writes = WRITES[form._meta.model]
    if adding:
        values = {**_values(form, form.fields), **(parent or {})}
        return writes.create(actor=request.user, **values)
    values = _values(form, form.changed_data)
    return writes.update(actor=request.user, **{writes.id_kw: form.instance.pk}, **values)


def save_formset(request, formset) -> None:
    """An inline's rows through the services, in the order Django's formset would save them; the
    formset's bookkeeping is filled in for the admin's change message."""
    writes = WRITES[formset.model]
    parent = {formset.fk.attname: formset.instance.pk}
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.initial_forms:
        obj = form.instance
        if obj.pk is None:
            continue
        if form in formset.deleted_forms:
            writes.delete(actor=request.user, **{writes.id_kw: obj.pk})
            formset.deleted_objects.append(obj)
        elif form.has_changed():
            saved = save_form(request, form, adding=False)
            formset.changed_objects.append((saved, form.changed_data))
    for form in formset.extra_forms:
        if not form.has_changed() or (formset.can_delete and formset._should_delete_form(form)):
            continue
        formset.new_objects.append(save_form(request, form, adding=True, parent=parent))


def event_log(events: Iterable[OrganisationEvent], more_url: str = "") -> str:
    """A short log on a change page: time · what · who · before → after (newest first)."""

    def changes(e: OrganisationEvent) -> str:
        keys = list(dict.fromkeys([*e.before, *e.after]))

        def show(v):
            return "—" if v in (None, "", []) else (v.get("name") if isinstance(v, dict) else v)

        return "；".join(f"{k}: {show(e.before.get(k))} → {show(e.after.get(k))}" for k in keys)

    rows = [
        (
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
            e.get_kind_display(),
            e.subject_label,
            str(e.actor or "系统"),
            changes(e),
            e.note or "",
        )
        for e in events
    ]
    if not rows:
        return "—"
    items = format_html_join("", "<li>{} · {} · {} · 操作人 {} · {} {}</li>", rows)
    more = format_html('<a href="{}">全部记录</a>', more_url) if more_url else ""
    return format_html("<ul>{}</ul>{}", items, more)


def event_list_url(**filters) -> str:
    return reverse("admin:organisations_organisationevent_changelist") + "?" + urlencode(filters)


class ThroughServicesAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    """Saves, inline rows and deletes through the services; no bulk delete (each delete is checked and
    logged on its own); the change page shows the row's log."""

    subject_type: str = ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "change_log") if obj else ()

    @admin.display(description="修改记录")
    def change_log(self, obj) -> str:
        events = selectors.subject_events(subject_type=self.subject_type, subject_id=obj.pk)
        return event_log(events, event_list_url(subject_type=self.subject_type, subject_id=obj.pk))

    def save_model(self, request, obj, form, change):
        saved = save_form(request, form, adding=not change)
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        save_formset(request, formset)

    def delete_model(self, request, obj):
        writes = WRITES[type(obj)]
        writes.delete(actor=request.user, **{writes.id_kw: obj.pk})

    def delete_view(self, request, object_id, extra_context=None):
        """A refused delete goes back to the change page with the reason, nothing deleted."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )


class RegionChildInline(admin.TabularInline):
    model = Region
    fk_name = "parent"
    fields = ("code", "name", "level")
    extra = 0
    show_change_link = True
    verbose_name = "下级区划"
    verbose_name_plural = "下级区划"


@admin.register(Region)
class RegionAdmin(ThroughServicesAdmin):
    """Hierarchy: the parent column, a link to the children, and the children inline on each region."""

    list_display = ("code", "name", "level", "parent", "children_link")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    inlines = [RegionChildInline]
    list_select_related = ("parent",)
    subject_type = OrganisationSubject.REGION

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(child_count=Count("children"))

    def get_search_results(self, request, queryset, search_term):
        # A division code searches by prefix (4401 → everything in Guangzhou), a name by substring.
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(code__startswith=term), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="下级区划", ordering="child_count")
    def children_link(self, obj: Region) -> str:
        if not obj.child_count:
            return "—"
        url = reverse("admin:organisations_region_changelist") + f"?parent__id__exact={obj.pk}"
        return format_html('<a href="{}">{} 个</a>', url, obj.child_count)


@admin.register(Department)
class DepartmentAdmin(ThroughServicesAdmin):
    subject_type = OrganisationSubject.DEPARTMENT
    list_display = ("name", "short_name", "credit_code", "region", "phone", "is_active", "sort_order")
    list_filter = ("is_active", "region__level")
    list_editable = ("sort_order",)
    search_fields = ("name", "short_name", "=credit_code")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)


class WindowForm(forms.ModelForm):
    """Categories as check boxes instead of raw JSON."""

    categories = forms.MultipleChoiceField(
        label=_("服务事项分类"),
        choices=ItemCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("综合受理窗口服务哪些事项分类；部门专窗可不选。"),
    )

    class Meta:
        model = Window
        fields = ("hall", "number", "name", "kind", "department", "categories", "is_active")


class WindowInline(admin.TabularInline):
    model = Window
    form = WindowForm
    extra = 0
    fields = ("number", "name", "kind", "department", "categories", "is_active")
    autocomplete_fields = ("department",)
    show_change_link = True


@admin.register(ServiceHall)
class ServiceHallAdmin(ThroughServicesAdmin):
    subject_type = OrganisationSubject.HALL
    list_display = ("name", "code", "level", "region", "parent", "window_count", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code", "address")
    autocomplete_fields = ("region", "parent")
    inlines = [WindowInline]
    list_select_related = ("region", "parent")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(window_total=Count("windows"))

    @admin.display(description="窗口数", ordering="window_total")
    def window_count(self, obj: ServiceHall) -> int:
        return obj.window_total


@admin.register(Window)
class WindowAdmin(ThroughServicesAdmin):
    subject_type = OrganisationSubject.WINDOW
    form = WindowForm
    list_display = ("hall", "number", "name", "kind", "department", "category_labels", "is_active")
    list_filter = ("kind", "is_active", "hall")
    search_fields = ("name", "hall__name", "department__name")
    autocomplete_fields = ("hall", "department")
    list_select_related = ("hall", "department")
    ordering = ("hall", "number")

    @admin.display(description="服务事项分类")
    def category_labels(self, obj: Window) -> str:
        labels = dict(ItemCategory.choices)
        return "、".join(str(labels.get(c, c)) for c in obj.categories or []) or "—"


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(ThroughServicesAdmin):
    """人员角色: a grant, change or revocation here is logged like one from the API or the user's page."""

    subject_type = OrganisationSubject.STAFF_ROLE
    list_display = ("user", "role", "department", "hall", "window")
    list_filter = ("role", "department", "hall")
    search_fields = ("user__username", "user__display_name", "department__name", "hall__name")
    autocomplete_fields = ("user", "department", "hall", "window")
    list_select_related = ("user", "department", "hall", "window__hall")


@admin.register(OrganisationEvent)
class OrganisationEventAdmin(admin.ModelAdmin):
    """组织机构日志: append-only, read here, written only by the services."""

    list_display = (
        "at",
        "kind",
        "subject_type",
        "subject_label",
        "user",
        "department",
        "hall",
        "actor",
        "note",
    )
    list_filter = ("kind", "subject_type", "department", "hall")
    search_fields = ("subject_label", "user__username", "user__display_name", "actor__username", "note")
    date_hierarchy = "at"
    list_select_related = ("user", "department", "hall", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
