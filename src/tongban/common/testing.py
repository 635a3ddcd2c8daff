"""Helpers for tests that race several database connections against each other (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def run_together(n: int, action: Callable[[], None]) -> None:
    """Run `action` in `n` threads released at the same moment, each on its own database connection
    (closed when it is done), and wait for all of them. An exception in a thread is raised here, after
    every thread has finished, so a failing racer shows its error instead of a missing result."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            barrier.wait()
            action()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
