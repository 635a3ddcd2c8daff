"""The label and owning department of a follow-up, for supervision's directives and cards."""

from __future__ import annotations


def followup_subject(pk: int) -> tuple[str, int | None] | None:
    from .models import FollowUp

    row = FollowUp.objects.filter(pk=pk).values_list("service__title", "department_id").first()
    if row is None:
        return None
    return f"差评整改 FU{pk}（{row[0]}）", row[1]
