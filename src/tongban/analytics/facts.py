"""Computing `CaseFact` rows: one per received case, recomputed whenever the case changes.

Everything is read per batch with a fixed number of queries (cases, events, pauses, extensions,
windows), then upserted with bulk_create(update_conflicts=True) — the same code serves the periodic
refresh (a few changed cases) and the bench generator (a million).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tongban.cases.choices import CaseEventKind, CaseStatus
from tongban.cases.models import Case, CaseEvent, ClockPause, Extension
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment
from tongban.workdays.clock import Pause, used_working_days

from .models import CaseFact, RefreshMark

BATCH = 2000
FACTS_MARK = "case_facts"
# Changes committed slightly out of order (a long transaction) are caught by re-reading this overlap.
OVERLAP = timedelta(minutes=5)

FACT_FIELDS = [
    "department",
    "item",
    "hall",
    "window",
    "staff",
    "channel",
    "status",
    "received_on",
    "accepted_on",
    "refused_on",
    "concluded_on",
    "due_date",
    "promised_days",
    "used_days",
    "on_time",
    "early",
    "visits",
    "corrections",
    "extensions",
    "pauses",
    "returns",
    "refreshed_at",
]


def _local_date(value):
    return timezone.localdate(value) if value is not None else None


def _window_lookup() -> dict[tuple[int, int | None], int]:
    """(clerk user, hall) → the window the clerk is assigned to (the current assignment)."""
    lookup: dict[tuple[int, int | None], int] = {}
    rows = StaffAssignment.objects.filter(role=StaffRole.CLERK, window__isnull=False).values_list(
        "user_id", "hall_id", "window_id"
    )
    for user_id, hall_id, window_id in rows.order_by("id"):
        lookup.setdefault((user_id, hall_id), window_id)
        lookup.setdefault((user_id, None), window_id)
    return lookup


def build_facts(cases: Sequence[Case], *, windows: dict | None = None) -> list[CaseFact]:
    """The fact rows of `cases` (drafts and never-submitted cases have none)."""
    ids = [c.pk for c in cases]
    windows = _window_lookup() if windows is None else windows
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    refused_at: dict[int, object] = {}
    events = (
        CaseEvent.objects.filter(
            case_id__in=ids,
            kind__in=[CaseEventKind.CORRECTION_REQUESTED, CaseEventKind.RETURNED, CaseEventKind.REFUSED],
        )
        .values_list("case_id", "kind")
        .annotate(n=Count("id"))
    )
    for case_id, kind, n in events:
        counts[case_id][kind] = n
    for case_id, at in CaseEvent.objects.filter(case_id__in=ids, kind=CaseEventKind.REFUSED).values_list(
        "case_id", "at"
    ):
        refused_at[case_id] = max(at, refused_at.get(case_id, at))
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for case_id, start, end in ClockPause.objects.filter(case_id__in=ids).values_list(
        "case_id", "started_on", "ended_on"
    ):
        pauses[case_id].append(Pause(start=start, end=end))
    extensions = dict(
        Extension.objects.filter(case_id__in=ids).values_list("case_id").annotate(n=Count("id")).order_by()
    )
    now = timezone.now()
    facts = []
    for case in cases:
        if case.submitted_at is None or case.status == CaseStatus.DRAFT:
            continue
        case_pauses = sorted(pauses.get(case.pk, []), key=lambda p: p.start)
        concluded_on = _local_date(case.concluded_at)
        promised = used = on_time = early = None
        if case.accepted_on and case.due_date:
            promised = used_working_days(start=case.accepted_on, end=case.due_date, pauses=case_pauses)
            if concluded_on:
                used = used_working_days(start=case.accepted_on, end=concluded_on, pauses=case_pauses)
                on_time = concluded_on <= case.due_date
                early = concluded_on < case.due_date
        c = counts.get(case.pk, {})
        facts.append(
            CaseFact(
                case_id=case.pk,
                department_id=case.item.department_id,
                item_id=case.item_id,
                hall_id=case.intake_hall_id,
                window_id=(
                    windows.get((case.accepted_by_id, case.intake_hall_id))
                    or windows.get((case.accepted_by_id, None))
                )
                if case.accepted_by_id
                else None,
                staff_id=case.accepted_by_id,
                channel=case.channel,
                status=case.status,
                received_on=_local_date(case.submitted_at),
                accepted_on=case.accepted_on,
                refused_on=_local_date(refused_at.get(case.pk))
                if case.status == CaseStatus.REFUSED
                else None,
                concluded_on=concluded_on,
                due_date=case.due_date,
                promised_days=promised,
                used_days=used,
                on_time=on_time,
                early=early,
                visits=case.visit_count,
                corrections=c.get(CaseEventKind.CORRECTION_REQUESTED, 0),
                extensions=extensions.get(case.pk, 0),
                pauses=len(case_pauses),
                returns=c.get(CaseEventKind.RETURNED, 0),
                refreshed_at=now,
            )
        )
    return facts


def upsert_facts(facts: Iterable[CaseFact]) -> int:
    facts = list(facts)
    if facts:
        CaseFact.objects.bulk_create(
            facts, update_conflicts=True, unique_fields=["case"], update_fields=FACT_FIELDS, batch_size=BATCH
        )
    return len(facts)


def refresh_ids(ids: Sequence[int]) -> int:
    """Recompute the facts of these cases, batch by batch (each batch its own transaction)."""
    windows = _window_lookup()
    total = 0
    ids = sorted(set(ids))
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        cases = list(
            Case.objects.filter(pk__in=chunk)
            .select_related("item")
            .only(
                "id",
                "item__department_id",
                "item_id",
                "intake_hall_id",
                "accepted_by_id",
                "channel",
                "status",
                "submitted_at",
                "accepted_on",
                "concluded_at",
                "due_date",
                "visit_count",
            )
        )
        with transaction.atomic():
            total += upsert_facts(build_facts(cases, windows=windows))
    return total


def changed_case_ids() -> tuple[list[int], object]:
    """Cases changed since the last refresh (with an overlap), and the new mark to store afterwards."""
    now = timezone.now()
    mark = RefreshMark.objects.filter(name=FACTS_MARK).values_list("mark", flat=True).first()
    qs = Case.objects.exclude(status=CaseStatus.DRAFT).filter(submitted_at__isnull=False)
    if mark is not None:
        qs = qs.filter(updated_at__gte=mark - OVERLAP)
    return list(qs.values_list("pk", flat=True)), now


def store_mark(value) -> None:
    RefreshMark.objects.update_or_create(name=FACTS_MARK, defaults={"mark": value})
