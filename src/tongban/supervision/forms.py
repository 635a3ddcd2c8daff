"""Forms of the supervision pages: they parse and validate input only; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.organisations.models import Department, ServiceHall

from .choices import CardColor, Level, SubjectType

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
    subject_type = forms.ChoiceField(
        label=_("督办对象类型"),
        choices=[
            (SubjectType.CASE, SubjectType.CASE.label),
            (SubjectType.STEP, SubjectType.STEP.label),
            (SubjectType.DEPARTMENT, SubjectType.DEPARTMENT.label),
            (SubjectType.WORKORDER, SubjectType.WORKORDER.label),
        ],
    )
    subject_id = forms.IntegerField(label=_("督办对象编号"), required=False, min_value=1)
    department = forms.ModelChoiceField(
        label=_("责任部门"),
        required=False,
        queryset=Department.objects.active(),
        empty_label=_("按督办对象确定"),
    )
    title = forms.CharField(label=_("督办事项"), max_length=200)
    required_action = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 4}))
    response_days = forms.IntegerField(label=_("反馈时限（工作日）"), min_value=1, max_value=30, initial=3)


class DirectiveRespondForm(forms.Form):
    response = forms.CharField(label=_("反馈内容"), widget=forms.Textarea(attrs={"rows": 4}))


class DirectiveCloseForm(forms.Form):
    note = forms.CharField(label=_("办结意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DirectiveReissueForm(forms.Form):
    note = forms.CharField(label=_("重新督办理由"), widget=forms.Textarea(attrs={"rows": 2}))
    response_days = forms.IntegerField(
        label=_("反馈时限（工作日）"), required=False, min_value=1, max_value=30
    )


class CardIssueForm(forms.Form):
    color = forms.ChoiceField(label=_("牌色"), choices=CardColor.choices)
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.active())
    reason = forms.CharField(label=_("出示理由"), widget=forms.Textarea(attrs={"rows": 3}))


class CardAppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}))


class CardDecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=[("1", _("申诉成立，撤销")), ("0", _("申诉不成立，维持"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}))
