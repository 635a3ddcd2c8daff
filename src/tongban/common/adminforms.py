"""What the administrator forms share: every error names its field in Chinese, the page lists all of
them at the top with a link to each field, and a refusal by a service (which runs after the form was
valid) comes back as an error at its field, with everything typed still in the form.

Django's stock messages ("该字段是必填项。") say what is wrong but not where; on a long form with
inlines that is not enough for a person, nor for a screen reader reading the list at the top.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorList

from tongban.common.errors import ServiceError


def _label(form: forms.BaseForm, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else ""


class NamedErrorsMixin:
    """A form whose errors each name the field: "请填写事项名称。", "承诺办结时限：确保该值小于或等于 …"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                verb = "选择" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "填写"
                field.error_messages = {**field.error_messages, "required": f"请{verb}{field.label}。"}

    def full_clean(self):
        super().full_clean()
        for name, errors in list((getattr(self, "_errors", None) or {}).items()):
            label = _label(self, name)
            if not label:
                continue
            messages = [m if label in m else f"{label}：{m}" for m in errors]
            self._errors[name] = ErrorList(messages, renderer=self.renderer)


def error_summary(form: forms.BaseForm, formsets=(), *, row_label=None) -> list[dict]:
    """Every error of an admin page, in page order, as {text, anchor}: the main form's, then each
    inline's ("申请材料第 2 项（营业执照）：…"). `row_label(formset, index, form)` names an inline row."""
    rows = []
    for name, errors in form.errors.items():
        anchor = f"id_{form.add_prefix(name)}" if name in form.fields else ""
        rows += [{"text": str(m), "anchor": anchor} for m in errors]
    for formset in formsets:
        rows += [{"text": str(m), "anchor": ""} for m in formset.non_form_errors()]
        for index, sub in enumerate(formset.forms):
            if not sub.errors:
                continue
            where = row_label(formset, index, sub) if row_label else f"第 {index + 1} 行"
            for name, errors in sub.errors.items():
                anchor = f"id_{sub.add_prefix(name)}" if name in sub.fields else ""
                rows += [{"text": f"{where}：{m}", "anchor": anchor} for m in errors]
    return rows


class ServiceRefusalAdminMixin:
    """A ModelAdmin whose saving calls services: when a service refuses after the form was valid, the
    admin's transaction is rolled back and the same POST is shown again, refused by the form with the
    service's Chinese message at its field (or at the top) — nothing saved, nothing typed lost."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:
            if request.method != "POST" or getattr(request, "_service_refusal", None) is not None:
                raise
            request._service_refusal = exc
            response = super().changeform_view(request, object_id, form_url, extra_context)
            response.status_code = exc.status
            return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form

        class Refused(form):
            def clean(self):
                data = super().clean()
                self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
                return data

        Refused.__name__ = form.__name__
        return Refused
