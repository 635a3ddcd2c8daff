"""What other apps do when the calendar under their stored deadlines changes, and what they tell it.

`workdays` is below the apps that store deadlines (cases, supervision, …), so it cannot call them; they
register a recomputer here in their `AppConfig.ready()`. `calendar_changed` runs every recomputer, in
`order`, inside the transaction that changed the calendar, and each returns counts for the report:

- an official year replaced a provisional one (`services.calendar_year_import`, `day` None): each
  recomputes the open deadlines IT computed on provisional days (the rows it flagged provisional);
- an administrator changed one date of an official year (`services.calendar_day_set`, `day` that
  date, `reason` what changed): each recomputes its open deadlines whose stored dates reach that date.

Recomputers must be idempotent — a second run finds nothing the calendar would move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .calendar import pinned


@dataclass(frozen=True)
class Recomputer:
    name: str
    order: int
    run: Callable[..., dict]  # run(*, years: list[int], actor, day: date | None, reason: str) -> counts


_RECOMPUTERS: dict[str, Recomputer] = {}
_COUNTERS: dict[str, Callable[[], int]] = {}
# () -> [(promised, unit, statutory, unit, number of items)]: the limits of what is offered (catalogue)
LimitProfile = Callable[[], list[tuple[int, str, int, str, int]]]
_LIMIT_PROFILES: dict[str, LimitProfile] = {}


def register_limit_profile(name: str, profile: LimitProfile) -> None:
    """Register how an app reads the time limits it offers (the catalogue: its published items), so the
    calendar horizon knows how far ahead today's new deadlines reach."""
    _LIMIT_PROFILES[name] = profile


def limit_profile() -> list[tuple[int, str, int, str, int]]:
    """(promised, unit, statutory, unit, number of items) rows over every registered app."""
    return [row for profile in _LIMIT_PROFILES.values() for row in profile()]


def register_provisional_counter(name: str, count: Callable[[], int]) -> None:
    """Register how an app counts its open provisional deadlines (shown with the calendar horizon)."""
    _COUNTERS[name] = count


def provisional_open_count() -> int:
    """Open deadlines computed on provisional days, over every app that keeps some (one query each)."""
    return sum(count() for count in _COUNTERS.values())


def register_recomputer(name: str, run: Callable[..., dict], *, order: int = 100) -> None:
    """Register (or replace) the recomputer `name`; lower `order` runs first (owners of dates before
    their watchers: cases before supervision)."""
    _RECOMPUTERS[name] = Recomputer(name=name, order=order, run=run)


def calendar_changed(
    *, years: list[int], actor=None, day: date | None = None, reason: str = ""
) -> dict[str, dict]:
    """Run every recomputer for the changed years (or the one changed `day`); returns {name: counts}.
    Call inside the transaction that changed the calendar, after the change (the index then holds the
    new rows)."""
    from .services import calendar_provisional_extend

    # Dates may move later than before: make sure the years after are there before pinning the index.
    calendar_provisional_extend(through=max(years) + 1)
    out: dict[str, dict] = {}
    with pinned():
        for r in sorted(_RECOMPUTERS.values(), key=lambda r: (r.order, r.name)):
            out[r.name] = r.run(years=years, actor=actor, day=day, reason=reason)
    return out
