"""Suite-wide fixtures. App-specific fixtures live in each app's tests/conftest.py."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


import pytest


@pytest.fixture(autouse=True)
def _reseed_calendar_after_flush(request, django_db_blocker):
    """Transactional tests (live server, concurrency) end with a flush that empties the seeded working-day
    calendar; put it back so that later tests in the same run see the calendar every database has."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        from django.apps import apps

        from tongban.workdays.seed import seed_calendar

        with django_db_blocker.unblock():
            seed_calendar(apps)
