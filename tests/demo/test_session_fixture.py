"""The session-scoped fixture: loaded once, committed, visible to later tests (see tongban.demo.testing)."""

import pytest

from tongban.catalogue.models import ServiceItem
from tongban.demo.loader import load_demo


@pytest.mark.django_db
def test_session_fixture_data_is_there(demo_db):
    assert demo_db["published_items"] >= 150
    assert ServiceItem.objects.published().count() == demo_db["published_items"]


@pytest.mark.django_db
def test_session_fixture_data_is_loaded_only_once(demo_db):
    again = load_demo(verbosity=0)
    assert (again["created"], again["updated"]) == (0, 0)
