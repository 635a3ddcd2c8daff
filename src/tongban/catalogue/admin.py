"""Catalogue administration (Chinese). Every write goes through catalogue.services: the admin only
collects input. Published and retired versions are read-only here; they change through "新建版本",
which makes an editable draft, and "发布", which replaces the published version."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.common.adminforms import NamedErrorsMixin, ServiceRefusalAdminMixin, error_summary
from tongban.common.errors import ServiceError

from . import services
from .choices import ApplicantKind, ItemStatus, LifeEvent, ProcessingMode
from .importexport import export_json, export_xlsx, import_json, import_xlsx
from .models import ItemEvent, MaterialRequirement, ServiceItem

LAST = 10**6  # a material row without a number (no JavaScript, or added blank) goes after the others


def _material_row_label(formset, index: int, form) -> str:
    """ "申请材料第 2 项（营业执照）" for the error list at the top of the item form."""
    name = (form.data.get(form.add_prefix("name")) or getattr(form.instance, "name", "") or "").strip()
    return f"申请材料第 {index + 1} 项" + (f"（{name}）" if name else "")


STATUS_COLOURS = {ItemStatus.DRAFT: "#6c757d", ItemStatus.PUBLISHED: "#198754", ItemStatus.RETIRED: "#dc3545"}


class ServiceItemForm(NamedErrorsMixin, forms.ModelForm):
    """Applicant kinds and life events as check boxes instead of raw JSON; every error names its field."""

    applicant_kinds = forms.MultipleChoiceField(
        label=_("服务对象"), choices=ApplicantKind.choices, widget=forms.CheckboxSelectMultiple
    )
    life_events = forms.MultipleChoiceField(
        label=_("主题分类"), choices=LifeEvent.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ServiceItem
        fields = (
            "code",
            *(f for f in services.ITEM_FIELDS if f not in ("applicant_kinds", "life_events")),
            "applicant_kinds",
            "life_events",
        )

    # The extension rule has the law's defaults (行政许可法 第四十二条): a form that leaves them out keeps
    # them, so only an item under another law needs to touch them.
    DEFAULTS = {"processing_mode": ProcessingMode.SINGLE, "extension_max_times": 1}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.DEFAULTS:
            if name in self.fields:
                self.fields[name].required = False

    def clean_processing_mode(self):
        return self.cleaned_data.get("processing_mode") or self.DEFAULTS["processing_mode"]

    def clean_extension_max_times(self):
        value = self.cleaned_data.get("extension_max_times")
        return self.DEFAULTS["extension_max_times"] if value is None else value


class MaterialForm(NamedErrorsMixin, forms.ModelForm):
    """One material of the item form. Its number is not typed: `position` is a hidden field that the
    order controls (drag, 上移/下移; static/catalogue/material-order.js) fill in, and the services
    number the materials 1..n in that order. Without JavaScript the order stays, new ones go last."""

    position = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = MaterialRequirement
        fields = services.MATERIAL_FIELDS

    def has_changed(self) -> bool:
        # The order controls number every row, a blank added one too: that alone is not an edit.
        return any(name != "position" for name in self.changed_data)


class MaterialRequirementInline(admin.StackedInline):
    model = MaterialRequirement
    form = MaterialForm
    extra = 0
    template = "admin/catalogue/serviceitem/materials_inline.html"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "position",
                    "name",
                    ("form", "required"),
                    "condition",
                    ("original_copies", "copy_copies"),
                    ("source", "source_note"),
                )
            },
        ),
        (
            _("空白表格、示例样表与填报须知"),
            {"classes": ("collapse",), "fields": ("blank_form", "sample", "notes")},
        ),
    )

    class Media:
        js = ("catalogue/material-order.js",)
        css = {"all": ("catalogue/admin.css",)}

    @staticmethod
    def _editable(obj) -> bool:
        return obj is None or obj.status == ItemStatus.DRAFT

    def get_fieldsets(self, request, obj=None):
        if self._editable(obj):
            return self.fieldsets
        # read-only: the number is the heading's "第 N 项", not a field
        first = tuple(f for f in self.fieldsets[0][1]["fields"] if f != "position")
        return ((None, {"fields": first}), *self.fieldsets[1:])

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("事项清单文件"), help_text=_("XLSX 或 JSON，格式见“下载模板”。"))
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("文件过大。"))
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".json")):
            raise forms.ValidationError(_("只接受 .xlsx 或 .json 文件。"))
        return upload


@admin.register(ServiceItem)
class ServiceItemAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    form = ServiceItemForm
    inlines = [MaterialRequirementInline]
    change_list_template = "admin/catalogue/serviceitem/change_list.html"
    change_form_template = "admin/catalogue/serviceitem/change_form.html"
    list_display = (
        "code",
        "name",
        "version",
        "status_badge",
        "item_type",
        "category",
        "department",
        "limits",
        "published_at",
    )
    list_display_links = ("code", "name")
    list_filter = ("status", "category", "department", "item_type")
    search_fields = ("code", "name", "keywords")
    list_select_related = ("department",)
    autocomplete_fields = ("department", "region")
    actions = ["publish_selected", "new_version_selected", "retire_selected"]
    fieldsets = (
        (
            _("基本信息"),
            {"fields": ("code", "name", "item_type", "department", "level", "region", "category")},
        ),
        (_("服务对象与主题"), {"fields": ("applicant_kinds", "life_events", "summary", "keywords")}),
        (_("设定依据与条件"), {"fields": ("legal_basis", "conditions", "result_name")}),
        (
            _("时限与办件"),
            {
                "fields": (
                    ("statutory_limit", "statutory_limit_unit"),
                    ("promised_limit", "promised_limit_unit"),
                    "case_kind",
                    ("processing_mode", "extension_max_times", "extension_max_days"),
                    "extension_basis",
                    "visits_required",
                    "online_depth",
                )
            },
        ),
        (_("收费"), {"fields": ("charges_fee", "fee_amount", "fee_description", "fee_basis")}),
        (_("办理地点与咨询"), {"fields": ("place", "hours", "phone", "complaint_phone")}),
        (_("版本"), {"fields": ("version", "status", "published_at")}),
    )

    # --- display ---------------------------------------------------------------------------------------

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, obj: ServiceItem) -> str:
        return format_html(
            '<span style="color:{};font-weight:bold">{}</span>',
            STATUS_COLOURS.get(obj.status, "#000"),
            obj.get_status_display(),
        )

    @admin.display(description=_("法定/承诺时限"))
    def limits(self, obj: ServiceItem) -> str:
        return (
            f"{obj.statutory_limit}{obj.get_statutory_limit_unit_display()} / "
            f"{obj.promised_limit}{obj.get_promised_limit_unit_display()}"
        )

    # --- scoping and permissions ---------------------------------------------------------------------------

    def get_queryset(self, request):
        return ServiceItem.objects.visible_to(request.user).select_related("department")

    @admin.display(description=_("服务对象"))
    def applicant_kinds_text(self, obj: ServiceItem) -> str:
        return "、".join(str(dict(ApplicantKind.choices).get(k, k)) for k in obj.applicant_kinds or []) or "-"

    @admin.display(description=_("主题分类"))
    def life_events_text(self, obj: ServiceItem) -> str:
        return "、".join(str(dict(LifeEvent.choices).get(k, k)) for k in obj.life_events or []) or "-"

    def get_fieldsets(self, request, obj=None):
        """A version shown read-only names its applicant kinds and life events, not their JSON."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status == ItemStatus.DRAFT:
            return fieldsets
        names = {"applicant_kinds": "applicant_kinds_text", "life_events": "life_events_text"}
        return [
            (title, {**opts, "fields": tuple(names.get(f, f) for f in opts["fields"])})
            for title, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("version", "status", "published_at")
        return ("code", "version", "status", "published_at")

    def has_change_permission(self, request, obj=None):
        # Published and retired versions are shown read-only; a new version is the way to change them.
        if obj is not None and obj.status != ItemStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # versions are history; drafts are abandoned with "废止"

    # --- writes through the services ---------------------------------------------------------------------

    def render_change_form(self, request, context, *args, **kwargs):
        formsets = [f.formset for f in context.get("inline_admin_formsets", [])]
        if "adminform" in context:
            context["error_summary"] = error_summary(
                context["adminform"].form, formsets, row_label=_material_row_label
            )
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data[k] for k in services.ITEM_FIELDS if k in form.cleaned_data}
        if change:
            saved = services.item_update(actor=request.user, item=obj.pk, fields=fields)
        else:
            saved = services.item_create(actor=request.user, code=form.cleaned_data["code"], fields=fields)
        # The admin goes on with `obj` (inlines, redirect): make it the row the service wrote.
        obj.pk = obj.id = saved.pk
        obj.version, obj.status, obj.code = saved.version, saved.status, saved.code
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        """Each material through its service, then one renumbering in the order the page shows."""
        if formset.model is not MaterialRequirement:
            return super().save_formset(request, form, formset, change)
        item_pk = form.instance.pk
        deleted = set(formset.deleted_forms)
        for material_form in deleted:
            if material_form.instance.pk:
                services.material_remove(actor=request.user, material=material_form.instance.pk)
        kept: list[tuple[int, int, int]] = []  # (position asked for, row, material id)
        for row, material_form in enumerate(formset.forms):
            if material_form in deleted or not (material_form.instance.pk or material_form.has_changed()):
                continue
            data = material_form.cleaned_data
            fields = {k: data[k] for k in services.MATERIAL_FIELDS if k in data and k != "position"}
            if material_form.instance.pk:
                pk = material_form.instance.pk
                edits = {k: v for k, v in fields.items() if k in material_form.changed_data}
                if edits:
                    services.material_update(actor=request.user, material=pk, fields=edits)
            else:
                fields = {k: v for k, v in fields.items() if v not in (None, False)}
                pk = services.material_add(actor=request.user, item=item_pk, fields=fields).pk
            kept.append((data.get("position") or LAST, row, pk))
        if kept:
            services.material_reorder(actor=request.user, item=item_pk, order=[pk for *_, pk in sorted(kept)])
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None

    def delete_model(self, request, obj):  # pragma: no cover - delete permission is never granted
        raise ServiceError("事项版本不能删除，请使用“废止”。")

    # --- actions -------------------------------------------------------------------------------------------

    def _each(self, request, queryset, action, done: str):
        ok, failed = 0, []
        for item in queryset.order_by("code", "version"):
            try:
                action(actor=request.user, item=item.pk)
                ok += 1
            except ServiceError as exc:
                failed.append(f"{item.code} v{item.version}：{exc.message}")
        if ok:
            self.message_user(request, f"{done} {ok} 个事项版本。", messages.SUCCESS)
        for text in failed:
            self.message_user(request, text, messages.ERROR)

    @admin.action(description=_("发布所选草稿（替换当前发布版本）"))
    def publish_selected(self, request, queryset):
        self._each(request, queryset, services.item_publish, "已发布")

    @admin.action(description=_("为所选已发布事项新建版本（草稿）"))
    def new_version_selected(self, request, queryset):
        self._each(request, queryset, services.item_new_version, "已新建草稿版本")

    @admin.action(description=_("废止所选事项版本"))
    def retire_selected(self, request, queryset):
        self._each(request, queryset, services.item_retire, "已废止")

    # --- extra views: import, export, one-click publish / new version ----------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        extra = [
            path("import/", view(self.import_view), name="catalogue_serviceitem_import"),
            path("export/<str:fmt>/", view(self.export_view), name="catalogue_serviceitem_export"),
            path(
                "<int:pk>/new-version/",
                view(require_POST(self.new_version_view)),
                name="catalogue_serviceitem_new_version",
            ),
            path(
                "<int:pk>/publish/",
                view(require_POST(self.publish_view)),
                name="catalogue_serviceitem_publish",
            ),
        ]
        return extra + super().get_urls()

    def _item_or_404(self, request: HttpRequest, pk: int) -> ServiceItem:
        item = self.get_queryset(request).filter(pk=pk).first()
        if item is None:
            raise Http404(_("事项版本不存在或您无权查看。"))
        return item

    def _change_url(self, pk: int) -> str:
        return reverse("admin:catalogue_serviceitem_change", args=[pk])

    def new_version_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self._item_or_404(request, pk)
        try:
            draft = services.item_new_version(actor=request.user, item=item.pk)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(self._change_url(item.pk))
        self.message_user(request, f"已新建第 {draft.version} 版草稿，可编辑后发布。", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(draft.pk))

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self._item_or_404(request, pk)
        try:
            services.item_publish(actor=request.user, item=item.pk)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"第 {item.version} 版已发布。", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(item.pk))

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            content, kind, name = export_xlsx(user=request.user), "xlsx", f"catalogue-{stamp}.xlsx"
        elif fmt == "template":
            content, kind, name = export_xlsx(records=[]), "xlsx", "catalogue-template.xlsx"
        elif fmt == "json":
            data = export_json(user=request.user)
            content = json.dumps(data, ensure_ascii=False, indent=2).encode()
            kind, name = "json", f"catalogue-{stamp}.json"
        else:
            raise Http404(_("没有这种导出格式：可选 xlsx、json 或 template（模板）。"))
        content_type = {
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "json": "application/json; charset=utf-8",
        }[kind]
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        errors, message = None, None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            try:
                if upload.name.lower().endswith(".xlsx"):
                    result = import_xlsx(upload, actor=request.user, dry_run=dry_run)
                else:
                    result = import_json(upload.read(), actor=request.user, dry_run=dry_run)
            except ServiceError as exc:
                message, errors = exc.message, exc.errors or []
            else:
                self.message_user(request, result.summary(), messages.SUCCESS)
                if not dry_run:
                    return HttpResponseRedirect(reverse("admin:catalogue_serviceitem_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入事项清单"),
            "form": form,
            "errors": errors,
            "error_message": message,
        }
        status = 400 if message else 200
        return TemplateResponse(request, "admin/catalogue/serviceitem/import.html", context, status=status)


@admin.register(ItemEvent)
class ItemEventAdmin(admin.ModelAdmin):
    """The catalogue's change log: read-only, append-only."""

    list_display = ("at", "code", "version", "kind", "actor", "detail")
    list_filter = ("kind",)
    search_fields = ("code",)
    list_select_related = ("actor",)
    date_hierarchy = "at"

    def get_queryset(self, request):
        return ItemEvent.objects.visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from . import admin_search  # noqa: E402, F401  (synonyms and life events, owned by the search)
