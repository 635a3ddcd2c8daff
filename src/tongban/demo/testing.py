"""Pytest fixtures over the demo district, for any test module (``from tongban.demo.testing import …``).

- ``demo_db`` (session): loads the demo data once per test session (per xdist worker) into the test
  database, outside any test transaction, so it stays for the rest of the session. Cheap, but visible to
  every later test in the session: use it only where tests do not assume empty tables.
- ``demo`` (function): the same data inside the test's own transaction, rolled back afterwards. Costs one
  load per test; use it when the test writes or when other tests must not see the data. If a session
  load is present it is reused (the idempotent loader then only checks).
"""

from __future__ import annotations

import pytest

from .loader import load_demo

__all__ = ["demo", "demo_db"]


@pytest.fixture(scope="session")
def demo_db(django_db_setup, django_db_blocker) -> dict:
    """Counts from ``load_demo``; the data is committed to the session's test database."""
    with django_db_blocker.unblock():
        return load_demo(verbosity=0)


@pytest.fixture
def demo(db) -> dict:
    """Counts from ``load_demo`` run inside this test's transaction (rolled back after the test)."""
    return load_demo(verbosity=0)
