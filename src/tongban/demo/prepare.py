"""Everything `tongban demo` shows, loaded idempotently (also for browser tests and bench scripts).

Why in `tongban.demo`: demo data is not product code (issue 13 point 7). Each part is written through the
owning app's services, as real use would write it; this package is the top layer and no app imports it.
"""

from __future__ import annotations

from tongban.analytics.services import anomalies_detect, case_facts_refresh
from tongban.hall.services.setup import hall_queues_setup
from tongban.organisations.models import ServiceHall
from tongban.workdays.services import calendar_provisional_extend

from .cases import load_demo_cases
from .loader import load_demo
from .processes import define_demo_processes
from .ratings import load_demo_ratings
from .supervision import load_demo_supervision


def prepare_demo_data(*, verbosity: int = 1) -> dict:
    """Everything the demo shows, loaded idempotently; each capability adds its own part here."""
    calendar_provisional_extend()  # years past the official calendar, from the holiday law (暂定)
    counts = load_demo(verbosity=verbosity)
    summary = {k: v for k, v in counts.items() if isinstance(v, int)}
    summary["processes"] = len(define_demo_processes())
    for hall_id in ServiceHall.objects.filter(is_active=True).values_list("id", flat=True):
        hall_queues_setup(hall_id=hall_id)
    cases = load_demo_cases(verbosity=0)
    summary["cases"] = cases["created"] + cases["existing"]
    summary.update(load_demo_ratings())
    summary["cards"] = load_demo_supervision()["cards"]  # an ignored 督办单 and its rule card
    # The performance page and anomalies read facts the scheduler refreshes every few minutes; compute
    # them now so a newcomer's first look at 绩效统计 is not empty.
    summary["case_facts"] = case_facts_refresh()
    anomalies_detect()
    return summary
