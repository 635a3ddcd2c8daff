"""Template helpers of the public guide: highlight, translated choice labels, limits, query strings."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from ..search import highlight_spans

register = template.Library()

# The catalogue's choice labels are plain Chinese strings in choices.py; listing them here lets
# makemessages extract them so that `|label` can show them in English. A test checks the list is complete.
CHOICE_LABELS = (
    # ItemType
    gettext_noop("行政许可"),
    gettext_noop("行政处罚"),
    gettext_noop("行政强制"),
    gettext_noop("行政征收"),
    gettext_noop("行政给付"),
    gettext_noop("行政检查"),
    gettext_noop("行政确认"),
    gettext_noop("行政奖励"),
    gettext_noop("行政裁决"),
    gettext_noop("其他行政权力"),
    gettext_noop("公共服务"),
    # LimitUnit
    gettext_noop("工作日"),
    gettext_noop("自然日"),
    # CaseKind
    gettext_noop("即办件"),
    gettext_noop("承诺件"),
    # ServiceLevel
    gettext_noop("省级"),
    gettext_noop("市级"),
    gettext_noop("区级"),
    gettext_noop("街道级"),
    gettext_noop("社区级"),
    # OnlineDepth
    gettext_noop("一级：在线咨询"),
    gettext_noop("二级：在线收件"),
    gettext_noop("三级：在线预审"),
    gettext_noop("四级：在线受理"),
    gettext_noop("五级：全程网办"),
    gettext_noop("六级：结果在线反馈"),
    gettext_noop("七级：电子证照反馈"),
    # MaterialForm
    gettext_noop("纸质"),
    gettext_noop("电子"),
    gettext_noop("纸质或电子"),
    # MaterialSource
    gettext_noop("申请人提交"),
    gettext_noop("共享获取（免提交）"),
    gettext_noop("政府部门核发"),
    # LifeEvent
    gettext_noop("出生"),
    gettext_noop("入学"),
    gettext_noop("就业"),
    gettext_noop("结婚"),
    gettext_noop("住房"),
    gettext_noop("户籍与居住"),
    gettext_noop("医疗与社保"),
    gettext_noop("残疾人服务"),
    gettext_noop("退休"),
    gettext_noop("身后事"),
    gettext_noop("开办企业"),
    gettext_noop("经营许可"),
    gettext_noop("工程建设"),
    gettext_noop("企业注销"),
    # ItemCategory, ApplicantKind
    gettext_noop("工程建设类"),
    gettext_noop("经营类"),
    gettext_noop("公民类"),
    gettext_noop("自然人"),
    gettext_noop("法人"),
    # CapabilityCode (catalogue.capabilities)
    gettext_noop("网上办理"),
    gettext_noop("预约办理"),
    gettext_noop("在线咨询"),
    gettext_noop("电子证照"),
)


@register.filter
def label(value: str) -> str:
    """A choice label in the current language (the labels above are the message ids)."""
    return gettext(str(value)) if value else ""


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """Escape `text` and wrap what the query matched (words, initials, pinyin) in <mark>."""
    text = str(text or "")
    spans = highlight_spans(text, query or "")
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    # Safe: every piece above went through escape().
    return mark_safe("".join(out))


@register.simple_tag
def limit_text(n: int, unit: str) -> str:
    """ "20个工作日" / "20 working days"; 0 reads as 当场办结."""
    if not n:
        return gettext("当场办结")
    unit_label = gettext("工作日") if unit == "working" else gettext("自然日")
    return gettext("%(n)s个%(unit)s") % {"n": n, "unit": unit_label}


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination, filter removal)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in changes:
        params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
