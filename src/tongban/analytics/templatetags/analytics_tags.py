from django import template

from ..selectors import rate_text

register = template.Library()


@register.filter
def attr(obj, name: str):
    return getattr(obj, name)


@register.filter
def figure(value, name: str = ""):
    """A figure as shown in tables: rates as percentages, averages with two decimals."""
    if value is None:
        return "—"
    if name.endswith("_rate"):
        return rate_text(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return value
