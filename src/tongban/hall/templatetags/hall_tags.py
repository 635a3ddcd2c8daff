"""Formatting for the waiting figures (seconds as 分:秒)."""

from django import template

register = template.Library()


@register.filter
def minsec(seconds) -> str:
    """12.5 min style: seconds → "m 分 s 秒"; empty for no value."""
    if seconds is None or seconds == "":
        return "—"
    total = round(float(seconds))
    return f"{total // 60} 分 {total % 60:02d} 秒"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
