"""Admin for regions, departments, halls, windows and staff roles (all labels in Chinese)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongban.common.choices import ItemCategory

from .models import Department, Region, ServiceHall, StaffAssignment, Window


class RegionChildInline(admin.TabularInline):
    model = Region
    fk_name = "parent"
    fields = ("code", "name", "level")
    extra = 0
    show_change_link = True
    verbose_name = "下级区划"
    verbose_name_plural = "下级区划"


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Hierarchy: the parent column, a link to the children, and the children inline on each region."""

    list_display = ("code", "name", "level", "parent", "children_link")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    inlines = [RegionChildInline]
    list_select_related = ("parent",)

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
class DepartmentAdmin(admin.ModelAdmin):
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
class ServiceHallAdmin(admin.ModelAdmin):
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
class WindowAdmin(admin.ModelAdmin):
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
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "department", "hall", "window")
    list_filter = ("role", "department", "hall")
    search_fields = ("user__username", "user__display_name", "department__name", "hall__name")
    autocomplete_fields = ("user", "department", "hall", "window")
    list_select_related = ("user", "department", "hall", "window__hall")
