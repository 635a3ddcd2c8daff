"""The demo's processes: a serial and a parallel one on the cases test world; twice adds nothing."""

from __future__ import annotations

import pytest

from tongban.cases import selectors
from tongban.cases.tests.conftest import world  # noqa: F401  (the cases world; clock and the calendar index come from tongban.testing.plugin)
from tongban.demo.processes import define_demo_processes

pytestmark = pytest.mark.django_db


def test_demo_processes_idempotent(world):  # noqa: F811
    first = define_demo_processes()
    assert first == {world.serial_item.code: "serial", world.parallel_item.code: "parallel"}
    assert define_demo_processes() == first
    flow = selectors.process_flow(world.parallel_item)
    assert len(flow[0]["steps"]) == 3 and flow[0]["lead_department_id"] == world.housing.pk
