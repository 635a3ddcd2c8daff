"""The role predicates for templates: `{% load staff_roles %}{% if user|is_window_clerk %}…`.

The same predicates as the services and views (organisations.permissions), so a page shows a form or a
link exactly when the action behind it will be allowed; a domain's own questions (may this user handle
this follow-up …) stay flags computed by its view from that domain's permissions.
"""

from __future__ import annotations

from django import template

from tongban.organisations import permissions

register = template.Library()

register.filter("is_staff_member", permissions.is_staff_member)
register.filter("is_administrator", permissions.is_administrator)
register.filter("is_supervisor", permissions.is_supervisor)
register.filter("is_window_clerk", permissions.is_window_clerk)
register.filter("is_department_staff", permissions.is_department_staff)
