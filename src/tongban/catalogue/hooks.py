"""What higher apps add to the catalogue's pages, registered from their `AppConfig.ready()`.

Why: the catalogue is below the apps that hold an item's back office (cases keeps the process
definitions), so it cannot import them (DESIGN: lower layers offer registries). Without a provider the
item page shows its generic 审查 stage.
"""

from __future__ import annotations

from collections.abc import Callable

# provider(item) -> the item's back-office stages as `cases.processes.process_flow` draws them:
# [{"position", "name", "kind", "lead_department_id", "steps": [{"name", "department", "department_id",
#   "limit_days"}, …]}, …]
ProcessFlow = Callable[[object], list[dict]]
_PROCESS_FLOW: list[ProcessFlow] = []


def register_process_flow(provider: ProcessFlow) -> None:
    """Called by the app that keeps process definitions (one provider; a new one replaces it)."""
    _PROCESS_FLOW[:] = [provider]


def process_flow(item) -> list[dict]:
    """The item's back-office stages for the guide ([] when no app provides them)."""
    return _PROCESS_FLOW[0](item) if _PROCESS_FLOW else []
