"""Suite-wide fixtures. The shared ones are the plugin `tongban.testing.plugin`; app-specific fixtures
live in each app's tests/conftest.py."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


import pytest

pytest_plugins = ["tongban.testing.plugin"]


@pytest.fixture(autouse=True)
def _calendar_for_transactional_tests(request, django_db_blocker):
    """Transactional tests (live server, concurrency) end with a flush that empties every table, the
    working-day calendar and the default card rules seeded by migration included. Such a test gets them
    written back at its start when the table is empty, so it does not depend on which test ran before."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("_django_db_helper")  # the database is set up before we look
        from django.apps import apps

        from tongban.supervision.models import CardRule
        from tongban.supervision.seed import seed_card_rules
        from tongban.workdays.calendar import invalidate_index
        from tongban.workdays.models import WorkCalendar
        from tongban.workdays.seed import seed_calendar

        with django_db_blocker.unblock():
            if not WorkCalendar.objects.exists():
                seed_calendar(apps)
            if not CardRule.objects.exists():
                seed_card_rules(apps)
            invalidate_index()
    yield


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL (real row locks, two connections): skip them before any
    fixture runs on other databases, so their setup cannot disturb the run."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="需要 PostgreSQL（并发与行锁测试）")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)
