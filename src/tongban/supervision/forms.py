"""Forms of the supervision pages: they parse and validate input only; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import User
from tongban.organisations.choices import DEPARTMENT_ROLES
from tongban.organisations.models import Department, ServiceHall

from .choices import CardColor, Level, SubjectType
from .subjects import case_by_number, directive_subject_types, open_steps

ORDERINGS = [
    ("urgency", _("紧急程度")),
    ("due_date", _("期限（早→晚）")),
    ("-due_date", _("期限（晚→早）")),
    ("department", _("部门")),
    ("opened", _("最近开始")),
]


class DeadlineFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("预警级别"), required=False, choices=[("", _("全部")), *Level.choices])
    department = forms.ModelChoiceField(
        label=_("部门"), required=False, queryset=Department.objects.active(), empty_label=_("全部")
    )
    hall = forms.ModelChoiceField(
        label=_("大厅"), required=False, queryset=ServiceHall.objects.active(), empty_label=_("全部")
    )
    subject_type = forms.ChoiceField(
        label=_("对象类型"), required=False, choices=[("", _("全部")), *SubjectType.choices]
    )
    ordering = forms.ChoiceField(label=_("排序"), required=False, choices=ORDERINGS)


class RemindForm(forms.Form):
    note = forms.CharField(label=_("催办说明"), required=False, max_length=255)


class DirectiveIssueForm(forms.Form):
    """A directive names a case by its case number (办件编号), a step by its case number and the step
    (chosen from the case's open steps once the number is known), or a department."""

    subject_type = forms.ChoiceField(label=_("督办对象类型"), choices=[])
    case_number = forms.CharField(
        label=_("办件编号"),
        required=False,
        max_length=40,
        help_text=_("督办办件或其环节时填写，如 440106-20261123-000123（可不带连字符）。"),
    )
    step = forms.TypedChoiceField(
        label=_("办理环节"), required=False, coerce=int, empty_value=None, choices=[]
    )
    department = forms.ModelChoiceField(
        label=_("责任部门"),
        required=False,
        queryset=Department.objects.active(),
        empty_label=_("按督办对象确定"),
        help_text=_("督办部门时必选；督办办件或环节时可不选。"),
    )
    title = forms.CharField(label=_("督办事项"), max_length=200)
    required_action = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 4}))
    response_days = forms.IntegerField(label=_("反馈时限（工作日）"), min_value=1, max_value=30, initial=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_type"].choices = [(t, SubjectType(t).label) for t in directive_subject_types()]
        number = (self.data.get("case_number") if self.is_bound else self.initial.get("case_number")) or ""
        found = case_by_number(number) if number.strip() else None
        steps = open_steps(found[0]) if found else []
        self.fields["step"].choices = [("", _("（只有一个正在办理的环节时可不选）")), *steps]
        if not steps:
            self.fields["step"].help_text = _(
                "督办环节时，先填写办件编号并提交，再从该办件正在办理的环节中选择。"
            )


class DirectiveRespondForm(forms.Form):
    response = forms.CharField(label=_("反馈内容"), widget=forms.Textarea(attrs={"rows": 4}))


class DirectiveCloseForm(forms.Form):
    note = forms.CharField(label=_("办结意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DirectiveReissueForm(forms.Form):
    note = forms.CharField(label=_("重新督办理由"), widget=forms.Textarea(attrs={"rows": 2}))
    response_days = forms.IntegerField(
        label=_("反馈时限（工作日）"), required=False, min_value=1, max_value=30
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        departments = sorted({a.department.name for a in obj.assignments.all() if a.department_id})
        return f"{obj}（{'、'.join(departments)}）" if departments else str(obj)


class CardIssueForm(forms.Form):
    """A card by hand: colour, department (and optionally one of its people), the reason, and the
    evidence it rests on — a directive (督办单号) or a watch, when opened from their pages."""

    color = forms.ChoiceField(label=_("牌色"), choices=CardColor.choices)
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.active())
    staff = StaffChoiceField(
        label=_("责任人"),
        required=False,
        empty_label=_("不指定（只向部门出示）"),
        queryset=User.objects.filter(assignments__role__in=DEPARTMENT_ROLES, is_active=True)
        .distinct()
        .prefetch_related("assignments__department")
        .order_by("display_name", "pk"),
        help_text=_("须为所选部门的工作人员。"),
    )
    reason = forms.CharField(label=_("出示理由"), widget=forms.Textarea(attrs={"rows": 3}))
    directive = forms.CharField(label=_("依据的督办单号"), required=False, max_length=32)
    deadline = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class CardAppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}))


class CardDecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=[("1", _("申诉成立，撤销")), ("0", _("申诉不成立，维持"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}))
