"""What every staff page shares: who may open /work/ at all, parsing helpers, and turning a service
error into the Chinese message shown next to its field (with the error's 4xx status)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.common.errors import ServiceError
from tongban.organisations.scoping import Scope, scope_for


def staff_required(view):
    """/work/ is for staff: anonymous users go to the login page, applicants get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not scope_for(request.user).is_staff_member:
            raise PermissionDenied(_("工作台仅供工作人员使用。"))
        return view(request, *args, **kwargs)

    return wrapped


def _staff_allowed(allowed: Callable[[Scope], bool], message):
    """A view decorator: staff only (as `staff_required`), and of them those whose scope `allowed`
    admits; everyone else gets 403 with `message`, before the view runs."""

    def decorator(view):
        @staff_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(scope_for(request.user)):
                raise PermissionDenied(str(message))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# The comprehensive window's lists (待受理, 办结待出件): clerks, and supervisors/administrators who may
# look at them (read-only, for oversight).
window_read_required = _staff_allowed(
    lambda scope: scope.is_window_clerk or scope.sees_everything,
    gettext_lazy("只有窗口人员可以使用综合受理和出件页面。"),
)

# What changes something at the window (registering an applicant, 收件, 受理/不予受理, material scanning
# and checking, 即办, 出件, fees, visits) and the pages whose only use is such a form: clerks only (and
# superusers). The services check again; this refuses before a form is even shown.
window_write_required = _staff_allowed(
    lambda scope: scope.is_window_clerk, gettext_lazy("只有窗口人员可以办理收件、受理和出件。")
)

# 一次性告知补正: a clerk, or department staff (who may ask for it while the case is in review; the
# service decides which applies). Not a supervisor/administrator who is neither.
correction_write_required = _staff_allowed(
    lambda scope: scope.is_window_clerk or scope.is_department_staff,
    gettext_lazy("只有窗口人员或审批部门可以要求补正。"),
)

# The approvers' task lists: department staff (and supervisors/administrators).
department_required = _staff_allowed(
    lambda scope: scope.is_department_staff or scope.sees_everything,
    gettext_lazy("只有部门审批人员可以使用待办列表。"),
)


def int_or_none(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@dataclass
class FormError:
    """A refused action, for the template: which panel, the alert text, messages by field, and what was
    posted (so the form is shown again as it was filled in)."""

    panel: str
    message: str
    status: int
    code: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    @classmethod
    def from_exc(cls, panel: str, exc: ServiceError, data=None) -> FormError:
        fields: dict[str, str] = {}
        if isinstance(exc.errors, dict):
            for key, value in exc.errors.items():
                if isinstance(value, str):
                    fields[key] = value
        if exc.field and exc.field not in fields:
            fields[exc.field] = exc.message
        return cls(
            panel=panel,
            message=exc.message,
            status=exc.status,
            code=exc.code,
            fields=fields,
            data=dict(data.items()) if data is not None else {},
        )


def staff_render(request, template: str, context: dict, *, status: int = 200):
    """render() of a staff page; whether the window's write links (窗口收件 …) are offered is the
    templates' `user|is_window_clerk` (organisations' staff_roles tags): clerks only, supervisors see the
    lists read-only. The menu itself is the site's one menu (site.context_processors)."""
    from django.shortcuts import render

    return render(request, template, context, status=status)
