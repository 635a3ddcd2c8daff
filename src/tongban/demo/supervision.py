"""Demo supervision: a directive a department left unanswered, and the red card the default rule shows
for it (issue 12 point 5: a card is the end of the escalation, not the routine answer to a warning).

Driven through the services as real use would be: the demo's supervisor issued the directive some
working days ago (`directive_issue(today=…)`), nobody answered, and the sweep — the same one the
scheduler runs — finds it ignored under the rule `directive_ignored`. Idempotent: keyed by the
directive's title and department.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongban.accounts.models import User
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment
from tongban.supervision.models import Card, CardRule, Directive
from tongban.supervision.services import directive_issue, warning_sweep
from tongban.workdays.calendar import is_workday

SUPERVISOR = "jiancha"
HEAD = "wj_fuze"  # 卫生健康局负责人: the department that let the order lapse
TITLE = "公共场所卫生许可超期件情况说明"
RESPONSE_DAYS = 3


def working_days_ago(today: dt.date, n: int) -> dt.date:
    """The n-th working day before `today` (the demo's back-dated issue day)."""
    d, seen = today, 0
    while seen < n:
        d -= dt.timedelta(days=1)
        if is_workday(d):
            seen += 1
    return d


def load_demo_supervision() -> dict[str, int]:
    """The ignored directive and its rule card (created once). Returns {"directives": n, "cards": n}."""
    supervisor = User.objects.filter(username=SUPERVISOR).first()
    head = StaffAssignment.objects.filter(user__username=HEAD, role=StaffRole.DEPARTMENT_HEAD).first()
    if supervisor is None or head is None:
        return {"directives": 0, "cards": 0}
    department_id = head.department_id
    if not Directive.objects.filter(title=TITLE, department_id=department_id).exists():
        rule = CardRule.objects.filter(key="directive_ignored").first()
        after = rule.after_days if rule else 3
        # issued long enough ago that it is more than `after` working days past its deadline today
        issued = working_days_ago(timezone.localdate(), RESPONSE_DAYS + after + 2)
        directive_issue(
            actor=supervisor,
            subject_type="department",
            subject_id=department_id,
            title=TITLE,
            required_action="请于期限内书面说明本部门公共场所卫生许可审查环节多次红灯超期的原因，并提出整改措施。",
            response_days=RESPONSE_DAYS,
            today=issued,
        )
    warning_sweep()
    directives = Directive.objects.filter(title=TITLE, department_id=department_id)
    return {"directives": directives.count(), "cards": Card.objects.filter(directive__in=directives).count()}
