"""Pytest fixtures over the demo district for any test module.

Import them where they are used (a test module or a package's ``conftest.py``)::

    from tongban.demo.testing import demo_module  # noqa: F401

- ``demo_module`` (module scope, recommended): loads the demo data once per test module inside an
  outer transaction that is rolled back when the module ends, so no other module ever sees it. Tests
  still request ``db`` (or carry ``pytest.mark.django_db``): their own writes are rolled back per test as
  usual. Not for ``transactional_db`` tests (they flush tables and commit).
- ``demo_db`` (session scope): loads the data once per session (per xdist worker) and COMMITS it to the
  test database, so every later test in that session sees it too. Cheapest, but only safe when no test
  that runs later assumes empty tables; prefer ``demo_module``.

Loading takes about 1.5 s on in-memory SQLite (plus ~1.3 s once per process to import pypinyin).
"""

from __future__ import annotations

import pytest
from django.db import transaction

from .loader import load_demo

__all__ = ["demo_db", "demo_module"]


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """Counts from ``load_demo``; the data lives until the end of the module, then is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        counts = load_demo(verbosity=0)
        yield counts
        transaction.set_rollback(True)


@pytest.fixture(scope="session")
def demo_db(django_db_setup, django_db_blocker) -> dict:
    """Counts from ``load_demo``; the data is committed to the session's test database."""
    with django_db_blocker.unblock():
        return load_demo(verbosity=0)
