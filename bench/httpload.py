"""A small closed-loop HTTP load generator for loopback benchmarks (no third-party tools needed).

Each client process keeps one HTTP/1.1 connection alive and sends requests back to back for a fixed
time. Figures are only meaningful as ratios against a reference endpoint measured in the same run.
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path


def _client(host: str, port: int, paths: list[str], seconds: float, out: mp.Queue) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    done = errors = 0
    latencies: list[float] = []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept-Language": "zh-hans"})
            resp = conn.getresponse()
            resp.read()
            if resp.status >= 400:
                errors += 1
            else:
                done += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        latencies.append(time.perf_counter() - t0)
    out.put((done, errors, latencies))


def measure(host: str, port: int, paths: list[str], *, seconds: float = 5.0, clients: int = 4) -> dict:
    """Requests per second and latency percentiles for `paths` (cycled), with `clients` connections."""
    q: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_client, args=(host, port, paths, seconds, q)) for _ in range(clients)]
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    lat = sorted(x for r in results for x in r[2])

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {"rps": done / seconds, "errors": errors, "p50_ms": pct(0.5), "p95_ms": pct(0.95)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def granian_server(*, workers: int = 2, env: dict | None = None):
    """Start the project's WSGI app under granian on a free loopback port; yields the port."""
    port = free_port()
    granian = Path(sys.executable).with_name("granian")
    cmd = [str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning", "tongban.wsgi:application"]
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("granian did not start within 30 s")
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
