"""Administration of what the search is taught: synonyms / colloquial phrasings, life events, their log.

Every write goes through catalogue.search_services (the admin only collects input); the forms run the
services' own checks so that an error shows at its field. An edit remembers when the row was loaded:
saving over someone else's change in between is refused (409 in the API, a message here). Import and
export (XLSX, CSV) sit on the synonyms' list page. Imported from the end of catalogue/admin.py.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tongban.common.errors import ServiceError

from . import search_services as svc
from .models import LifeEventIntent, SearchEvent, SearchSynonym
from .search_io import KINDS, export_csv, export_xlsx, import_file
from .services import can_manage_catalogue

LIST_HELP = _("多个用顿号、逗号或空格分开。")


def _joined(values) -> str:
    return "、".join(values or [])


class _ServiceForm(forms.ModelForm):
    """A model form whose list fields are text, checked by the services' `clean` for its kind."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    list_fields: tuple[str, ...] = ()
    service_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.list_fields:
            self.fields[name] = forms.CharField(
                label=self._meta.model._meta.get_field(name).verbose_name,
                required=False,
                help_text=LIST_HELP,
                widget=forms.TextInput(attrs={"size": 60}),
            )
            self.initial[name] = _joined(getattr(self.instance, name, None))
        if self.instance.pk:
            self.initial["seen"] = self.instance.updated_at.isoformat()

    def clean_service(self, fields):  # pragma: no cover - overridden
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        fields = {k: data[k] for k in self.service_fields if k in data}
        try:
            self.service_values = self.clean_service(fields)
        except ServiceError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data

    def _post_clean(self):
        pass  # the services validate and save; the model's own full_clean runs there

    @property
    def seen_at(self):
        return parse_datetime(self.cleaned_data.get("seen") or "")


class SynonymForm(_ServiceForm):
    list_fields = ("terms", "item_codes")
    service_fields = svc.SYNONYM_FIELDS

    class Meta:
        model = SearchSynonym
        fields = ("phrase", "note", "is_active")

    def clean_service(self, fields):
        return svc.clean_synonym(fields)


class LifeEventForm(_ServiceForm):
    list_fields = ("phrases", "item_codes")
    service_fields = svc.LIFE_EVENT_FIELDS

    class Meta:
        model = LifeEventIntent
        fields = ("code", "name", "description", "theme", "sort_order", "is_active")

    def clean_service(self, fields):
        return svc.clean_life_event(fields)


class _ServiceAdmin(admin.ModelAdmin):
    """Writes through the services, which also check the catalogue-administrator role."""

    create = update = delete = None  # the services of this kind
    row_keyword = ""

    def _manager(self, request) -> bool:
        return can_manage_catalogue(request.user)

    def has_add_permission(self, request):
        return self._manager(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._manager(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manager(request) and super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:
            # The admin's transaction was rolled back: nothing of this submission was saved.
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        values = form.service_values
        if change:
            saved = type(self).update(
                actor=request.user,
                **{self.row_keyword: obj.pk},
                fields=values,
                expected_updated_at=form.seen_at,
            )
        else:
            saved = type(self).create(actor=request.user, fields=values)
        obj.pk = obj.id = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        type(self).delete(actor=request.user, **{self.row_keyword: obj.pk})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(SearchSynonym)
class SearchSynonymAdmin(_ServiceAdmin):
    form = SynonymForm
    create, update, delete = svc.synonym_create, svc.synonym_update, svc.synonym_delete
    row_keyword = "synonym"
    list_display = ("phrase", "terms_text", "items_text", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("phrase", "terms", "item_codes", "note")
    fields = (*svc.SYNONYM_FIELDS, "seen")
    change_list_template = "admin/catalogue/searchsynonym/change_list.html"

    @admin.display(description=_("对应检索词"))
    def terms_text(self, obj):
        return _joined(obj.terms)

    @admin.display(description=_("直达事项"))
    def items_text(self, obj):
        return _joined(obj.item_codes)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="catalogue_search_import"),
            path("export/<str:fmt>/", view(self.export_view), name="catalogue_search_export"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            content = export_xlsx()
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            filename = f"search-{stamp}.xlsx"
        elif fmt in KINDS:
            content, kind, filename = export_csv(fmt), "text/csv; charset=utf-8", f"{fmt}-{stamp}.csv"
        else:
            raise Http404(_("没有这种导出格式：可选 xlsx，或 synonyms、life_events（CSV）。"))
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        errors, message = None, None
        form = SearchImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            try:
                result = import_file(upload.read(), name=upload.name, actor=request.user, dry_run=dry_run)
            except ServiceError as exc:
                message, errors = exc.message, exc.errors or []
            else:
                self.message_user(request, result.summary(), messages.SUCCESS)
                if not dry_run:
                    return HttpResponseRedirect(reverse("admin:catalogue_searchsynonym_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入同义词和人生事件"),
            "form": form,
            "errors": errors,
            "error_message": message,
        }
        status = 400 if message else 200
        return TemplateResponse(request, "admin/catalogue/searchsynonym/import.html", context, status=status)


class SearchImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("XLSX（同义词、人生事件两个工作表）或 CSV（其中一种），格式见导出的文件。"),
    )
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("文件过大。"))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只接受 .xlsx 或 .csv 文件。"))
        return upload


@admin.register(LifeEventIntent)
class LifeEventIntentAdmin(_ServiceAdmin):
    form = LifeEventForm
    create, update, delete = svc.life_event_create, svc.life_event_update, svc.life_event_delete
    row_keyword = "event"
    list_display = ("name", "code", "theme", "items_count", "sort_order", "is_active")
    list_editable = ()
    list_filter = ("is_active", "theme")
    search_fields = ("code", "name", "phrases", "item_codes")
    fields = (*svc.LIFE_EVENT_FIELDS, "seen")

    @admin.display(description=_("所列事项"))
    def items_count(self, obj):
        return len(obj.item_codes or [])


@admin.register(SearchEvent)
class SearchEventAdmin(admin.ModelAdmin):
    """Who changed which synonym or life event, and how: read-only, append-only."""

    list_display = ("at", "target", "key", "kind", "actor")
    list_filter = ("target", "kind")
    search_fields = ("key",)
    list_select_related = ("actor",)
    readonly_fields = ("at", "target", "key", "kind", "actor", "detail")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
