"""Admin of the working-day calendar (Chinese). Every write goes through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from tongban.common.errors import ServiceError, ValidationFailed

from .choices import DayKind
from .models import CalendarChange, CalendarYear, WorkCalendar
from .services import calendar_day_set, calendar_year_import, check_day_kind

WEEKDAYS = "一二三四五六日"


class YearFilter(admin.SimpleListFilter):
    title = "年份"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [
            (str(y), f"{y} 年") for y in CalendarYear.objects.order_by("-year").values_list("year", flat=True)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


class WorkCalendarForm(forms.ModelForm):
    class Meta:
        model = WorkCalendar
        fields = ["kind", "holiday_name"]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind and self.instance.pk:
            try:
                check_day_kind(day=self.instance.date, kind=kind)
            except ValidationFailed as exc:
                self.add_error("kind", exc.message)
        return cleaned


class YearImportForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=1950, max_value=2199)
    file = forms.FileField(
        label="日历文件",
        help_text="CSV 或 Excel（.xlsx），列为 date,type,name；格式见 docs/workdays-import.md。",
    )
    replace = forms.BooleanField(label="覆盖该年已有数据", required=False)


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    form = WorkCalendarForm
    list_display = ["date", "weekday", "kind", "is_workday", "holiday_name", "ordinal"]
    list_filter = [YearFilter, "kind", "is_workday"]
    search_fields = ["holiday_name"]
    date_hierarchy = "date"
    readonly_fields = ["date", "weekday", "is_workday", "ordinal"]
    fields = ["date", "weekday", "kind", "holiday_name", "is_workday", "ordinal"]
    list_per_page = 100
    change_list_template = "admin/workdays/workcalendar/change_list.html"

    @admin.display(description="星期")
    def weekday(self, obj: WorkCalendar) -> str:
        return f"星期{WEEKDAYS[obj.date.weekday()]}" if obj.date else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # days come from a year's import: a year is always complete

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        row = calendar_day_set(
            day=obj.date,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data.get("holiday_name", ""),
            actor=request.user,
        )
        if row.recomputed:
            self.message_user(request, recompute_summary(row.recomputed, after="调整"), messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "import/", self.admin_site.admin_view(self.import_view), name="workdays_workcalendar_import"
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        errors = None
        if request.method == "POST":
            form = YearImportForm(request.POST, request.FILES)
            if form.is_valid():
                year = form.cleaned_data["year"]
                try:
                    imported = calendar_year_import(
                        year=year,
                        file=form.cleaned_data["file"],
                        replace=form.cleaned_data["replace"],
                        actor=request.user,
                        source=f"导入：{form.cleaned_data['file'].name}"[:100],
                    )
                except ServiceError as exc:
                    messages.error(request, exc.message)
                    errors = exc.errors
                else:
                    summary = recompute_summary(imported.recomputed)
                    messages.success(request, f"{year} 年的工作日历已导入。{summary}")
                    url = reverse("admin:workdays_workcalendar_changelist")
                    return HttpResponseRedirect(f"{url}?year={year}&kind__in=holiday,makeup")
        else:
            form = YearImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入年度工作日历",
            "form": form,
            "errors": errors,
            "kinds": DayKind,
        }
        return TemplateResponse(request, "admin/workdays/workcalendar/import.html", context)


def recompute_summary(counts: dict | None, *, after: str = "") -> str:
    """What an import (or, `after="调整"`, a day's change) recomputed, in one sentence for the
    administrator."""
    cases = (counts or {}).get("cases") or {}
    which = "受此调整影响" if after else "按暂定日期计算"
    if not cases.get("checked"):
        return f"没有{which}的在办期限需要重新计算。"
    return (
        f"已重新计算 {cases['checked']} 个{which}的办件期限，"
        f"其中 {cases.get('changed', 0)} 个办件的期限有变动"
        f"（已记入办件日志，{cases.get('notified', 0)} 位申请人已收到通知）。"
    )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "provisional", "source", "created_at", "updated_at"]
    readonly_fields = ["year", "provisional", "source", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(CalendarChange)
class CalendarChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "year", "day", "old_kind", "new_kind", "actor", "detail"]
    list_filter = ["action", "year"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
