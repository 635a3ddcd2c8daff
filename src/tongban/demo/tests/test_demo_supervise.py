"""`tongban demo` stops its task worker and scheduler with it, on Ctrl+C and on SIGTERM alike, and
serves as production would unless --debug."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

PARENT = textwrap.dedent(
    """
    import subprocess, sys
    from tongban.demo.management.commands.demo import supervise
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    helpers = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) for _ in range(2)]
    supervise(server, helpers, ready=lambda: print(server.pid, *(h.pid for h in helpers), flush=True))
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a child that has exited but not been reaped by its (gone) parent is reaped by init soon
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_demo_stops_its_helpers(sig):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tongban.settings.test"},
    )
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 3 and all(_alive(p) for p in pids)
    parent.send_signal(sig)
    parent.wait(timeout=20)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)


def test_the_demo_serves_as_production_unless_asked_to_debug(monkeypatch):
    from tongban.demo.management.commands.demo import child_env

    monkeypatch.setenv("DEBUG", "true")  # what settings.dev puts in the environment of the demo command
    assert child_env(debug=False)["DEBUG"] == "false"
    assert child_env(debug=True)["DEBUG"] == "true"
    assert child_env(debug=False)["DJANGO_SETTINGS_MODULE"]
