"""The log's filter form, shared by the page and the API so both validate the same way."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Channel, MessageStatus
from .templates import template_choices


class LogFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *MessageStatus.choices]
    )
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("全部")), *Channel.choices])
    template = forms.ChoiceField(label=_("消息模板"), required=False)
    ref = forms.CharField(label=_("关联对象"), required=False, max_length=64, help_text=_("如 case:123"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("全部")), *template_choices()]
