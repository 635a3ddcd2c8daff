from __future__ import annotations

import datetime as dt

from tongban.supervision.services import deadline_open
from tongban.workdays.calendar import add_working_days

from .conftest import MONDAY

_counter = iter(range(1, 10**9))


def watch(world, *, limit=10, start=MONDAY, subject_type="case", subject_id=None, today=None, **kw):
    """Open a watch of `limit` working days from `start` in world.dept."""
    due = kw.pop("due_date", None) or add_working_days(start, limit)
    return deadline_open(
        subject_type=subject_type,
        subject_id=subject_id or next(_counter),
        title=kw.pop("title", "食品经营许可"),
        reference=kw.pop("reference", "TB001"),
        department=kw.pop("department", world.dept),
        started_on=start,
        due_date=due,
        limit_days=limit,
        today=today or start,
        **kw,
    )


def day(y, m, d):
    return dt.date(y, m, d)


def api(user):
    """An API client logged in as `user`."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client
