"""Pytest fixtures over the demo district for any test module.

Import them where they are used (a test module or a package's ``conftest.py``)::

    from tongban.demo.testing import demo_module  # noqa: F401

- ``demo_module`` (module scope, recommended): loads the demo data once per test module inside an
  outer transaction that is rolled back when the module ends, so no other module ever sees it. Tests
  still request ``db`` (or carry ``pytest.mark.django_db``): their own writes are rolled back per test as
  usual. Not for ``transactional_db`` tests (they flush tables and commit).
(A session-wide fixture that commits the demo data was tried and removed: committed rows leak into every
later test of the worker and collide with tests that build their own halls and departments.)

Loading takes about 1.5 s on in-memory SQLite (plus ~1.3 s once per process to import pypinyin).
"""

from __future__ import annotations

import pytest
from django.db import transaction

from .loader import load_demo

__all__ = ["demo_module"]


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """Counts from ``load_demo``; the data lives until the end of the module, then is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        counts = load_demo(verbosity=0)
        yield counts
        transaction.set_rollback(True)
