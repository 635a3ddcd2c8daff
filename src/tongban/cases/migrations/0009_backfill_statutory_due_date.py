"""Give the cases accepted before 0007 their statutory deadline (法定办结期限, issue 12: 限时办结).

Computed as a new case's is (`workdays.clock.deadline`): the item's statutory limit and unit from the
day after acceptance, less the case's finished pauses, plus its approved extension days — the same
inputs as its stored promised `due_date` (a paused case's dates are the ones before its pause).

Built for a million cases: keyset batches of 2,000 by primary key (read as tuples, never as model
instances), one read of pauses per batch, one `UPDATE … FROM` per batch (`common.bulk.update_each`),
each batch committed on its own (`atomic = False`) so no lock is held for the whole run, and a run
that stops part-way resumes where it stopped (only rows still without a date are read). A case whose
count runs past the calendar (`CalendarMissing`) is left empty; the extension check computes it live.
"""

from collections import defaultdict

from django.db import migrations, transaction
from django.utils import timezone

BATCH = 2000


def backfill_statutory_due_date(apps, schema_editor):
    from tongban.common.bulk import update_each
    from tongban.workdays.calendar import CalendarMissing
    from tongban.workdays.clock import Pause, deadline

    Case = apps.get_model("cases", "Case")
    ClockPause = apps.get_model("cases", "ClockPause")
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    todo = Case.objects.using(schema_editor.connection.alias).filter(
        accepted_on__isnull=False, statutory_due_date__isnull=True
    )
    today = timezone.localdate()
    limits: dict[int, tuple[int, str]] = {}
    last = 0
    while True:
        rows = list(
            todo.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "item_id", "accepted_on", "extension_days")[:BATCH]
        )
        if not rows:
            break
        last = rows[-1][0]
        unknown = {item_id for _pk, item_id, _on, _ext in rows} - limits.keys()
        for pk, limit, unit in ServiceItem.objects.filter(pk__in=unknown).values_list(
            "pk", "statutory_limit", "statutory_limit_unit"
        ):
            limits[pk] = (limit, unit)
        pauses = defaultdict(list)
        for case_id, started, ended in (
            ClockPause.objects.filter(case_id__in=[r[0] for r in rows], ended_on__isnull=False)
            .order_by("pk")
            .values_list("case_id", "started_on", "ended_on")
        ):
            pauses[case_id].append(Pause(start=started, end=ended))
        dated = []
        for pk, item_id, accepted_on, extension_days in rows:
            limit, unit = limits[item_id]
            try:
                due = deadline(
                    start=accepted_on,
                    limit=limit,
                    unit=unit,
                    pauses=pauses[pk],
                    extension_days=extension_days,
                    today=today,
                )
            except CalendarMissing:
                continue
            dated.append(Case(pk=pk, statutory_due_date=due.date, statutory_due_provisional=due.provisional))
        with transaction.atomic(using=schema_editor.connection.alias):
            update_each(Case, dated, ["statutory_due_date", "statutory_due_provisional"], batch_size=BATCH)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0008_workflow_events"),
        ("workdays", "0003_provisional_years"),
    ]

    operations = [
        migrations.RunPython(backfill_statutory_due_date, migrations.RunPython.noop, elidable=True),
    ]
