"""Figures against values computed by hand, with the invalid rating left out, and scoped per user."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.common.errors import ValidationFailed
from tongban.ratings.models import FollowUp
from tongban.ratings.selectors import rating_figures
from tongban.ratings.services import (
    followup_callback,
    followup_claim_decide,
    followup_claim_invalid,
    followup_rectify,
    followup_verify,
    rating_submit,
)
from tongban.ratings.services.registry import register_case, register_ticket

from .conftest import concluded_case, served_ticket


def rate(service, score, comment="差"):
    return rating_submit(token=service.token, score=score, comment=comment if score <= 2 else "")


@pytest.fixture
def rated(world):
    """Department A: scores 5, 4, 3, 2 (rectified + called back), 1 (rectified only), 1 (claimed invalid,
    accepted). Department B: 4 and 2 (verified only). Expected by hand, A: 5 counted, 2 good, 2 bad →
    好评率 40.0, 整改率 100.0, 回访率 50.0; B: 2 counted, 1 good, 1 bad → 50.0, 0.0, 0.0."""
    a = [register_case(concluded_case(world)) for _ in range(6)]
    b = [register_case(concluded_case(world, world.item_b)) for _ in range(2)]
    for service, score in zip(a, [5, 4, 3, 2, 1, 1], strict=True):
        rate(service, score)
    for service, score in zip(b, [4, 2], strict=True):
        rate(service, score)
    fa2, fa1, fa_invalid = (FollowUp.objects.get(service=s) for s in a[3:])
    for fu in (fa2, fa1):
        followup_verify(actor=world.approver_a, followup_id=fu.pk, note="核实")
        followup_rectify(actor=world.approver_a, followup_id=fu.pk, note="整改")
    followup_callback(actor=world.supervisor, followup_id=fa2.pk, result="satisfied")
    followup_claim_invalid(actor=world.approver_a, followup_id=fa_invalid.pk, kind="malicious", reason="恶意")
    followup_claim_decide(actor=world.supervisor, followup_id=fa_invalid.pk, accept=True)
    followup_verify(actor=world.approver_b, followup_id=FollowUp.objects.get(service=b[1]).pk, note="核实")
    return a, b


def test_department_figures_by_hand(world, rated):
    rows = {r.label: r for r in rating_figures("department", None, None, world.supervisor)}
    a, b = rows[world.dept_a.name], rows[world.dept_b.name]
    assert (a.total, a.good, a.bad, a.rectified, a.called_back) == (5, 2, 2, 2, 1)
    assert (a.good_rate, a.rectify_rate, a.callback_rate, a.average) == (40.0, 100.0, 50.0, 3.0)
    assert (b.total, b.good, b.bad, b.rectified, b.called_back) == (2, 1, 1, 0, 0)
    assert (b.good_rate, b.rectify_rate, b.callback_rate) == (50.0, 0.0, 0.0)


def test_item_staff_window_dimensions(world, rated):
    items = {r.key: r for r in rating_figures("item", None, None, world.supervisor)}
    assert set(items) == {"ITEM-A", "ITEM-B"} and items["ITEM-A"].total == 5
    visit = register_ticket(served_ticket(world))
    rate(visit, 2)
    windows = rating_figures("window", None, None, world.supervisor)
    assert [(r.label, r.total, r.bad) for r in windows if r.key is not None] == [
        ("天河区政务服务中心 5 号窗口", 1, 1)
    ]
    staff = {r.key: r for r in rating_figures("staff", None, None, world.supervisor)}
    assert staff[world.clerk.pk].label == "窗口员甲" and staff[world.clerk.pk].bad == 1


def test_period_and_scope(world, rated):
    assert rating_figures("department", dt.date(2026, 4, 4), None, world.supervisor) == []
    assert len(rating_figures("department", dt.date(2026, 4, 3), dt.date(2026, 4, 3), world.supervisor)) == 2
    mine = rating_figures("department", None, None, world.approver_b)
    assert [r.label for r in mine] == [world.dept_b.name]
    assert rating_figures("department", None, None, world.person2.user) == []
    with pytest.raises(ValidationFailed):
        rating_figures("hall", None, None, world.supervisor)
    with pytest.raises(ValidationFailed):
        rating_figures("item", dt.date(2026, 4, 3), dt.date(2026, 4, 1), world.supervisor)
