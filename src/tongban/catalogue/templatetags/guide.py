"""Template helpers of the public guide: highlight, translated choice labels, limits, apply link."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from ..search import highlight_spans

register = template.Library()

# The catalogue's choice labels are plain Chinese strings in choices.py; listing them here lets
# makemessages extract them so that `|label` can show them in English. A test checks the list is complete.
CHOICE_LABELS = (
    # ItemType
    N_("行政许可"),
    N_("行政处罚"),
    N_("行政强制"),
    N_("行政征收"),
    N_("行政给付"),
    N_("行政检查"),
    N_("行政确认"),
    N_("行政奖励"),
    N_("行政裁决"),
    N_("其他行政权力"),
    N_("公共服务"),
    # LimitUnit
    N_("工作日"),
    N_("自然日"),
    # CaseKind
    N_("即办件"),
    N_("承诺件"),
    # ServiceLevel
    N_("省级"),
    N_("市级"),
    N_("区级"),
    N_("街道级"),
    N_("社区级"),
    # OnlineDepth
    N_("一级：在线咨询"),
    N_("二级：在线收件"),
    N_("三级：在线预审"),
    N_("四级：在线受理"),
    N_("五级：全程网办"),
    N_("六级：结果在线反馈"),
    N_("七级：电子证照反馈"),
    # MaterialForm
    N_("纸质"),
    N_("电子"),
    N_("纸质或电子"),
    # MaterialSource
    N_("申请人提交"),
    N_("共享获取（免提交）"),
    N_("政府部门核发"),
    # LifeEvent
    N_("出生"),
    N_("入学"),
    N_("就业"),
    N_("结婚"),
    N_("住房"),
    N_("户籍与居住"),
    N_("医疗与社保"),
    N_("残疾人服务"),
    N_("退休"),
    N_("身后事"),
    N_("开办企业"),
    N_("经营许可"),
    N_("工程建设"),
    N_("企业注销"),
    # ItemCategory, ApplicantKind
    N_("工程建设类"),
    N_("经营类"),
    N_("公民类"),
    N_("自然人"),
    N_("法人"),
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


@register.simple_tag
def apply_url(item) -> str:
    """URL of the online application of an item, or "" until the cases app provides `cases:apply`."""
    for kwargs in ({"code": item.code}, {"pk": item.pk}, None):
        try:
            return reverse("cases:apply", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


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
