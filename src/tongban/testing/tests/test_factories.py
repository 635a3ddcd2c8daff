"""The test kit makes what it says: a case at every state through the services, and each builder's
object in the state its name promises."""

from __future__ import annotations

import pytest

from tongban.cases.choices import CaseStatus, StepStatus
from tongban.cases.models import Case
from tongban.hall.choices import AppointmentStatus, TicketStatus
from tongban.ratings.choices import FollowUpStage
from tongban.ratings.models import FollowUp
from tongban.supervision.choices import CardColor, DirectiveStatus
from tongban.testing.factories import (
    AppointmentFactory,
    CaseFactory,
    StepFactory,
    TicketFactory,
    card_of,
    case_at,
    deadline_of,
    directive_of,
    followup_at,
    rating_of,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", CaseStatus.values)
def test_case_at_every_state(office, status):
    case = case_at(status, office)
    assert Case.objects.get(pk=case.pk).status == status
    if status != CaseStatus.DRAFT:
        assert case.events.filter(kind="submitted").exists()


def test_row_factories(clock):
    step = StepFactory()
    assert (step.status, step.case.status) == (StepStatus.OPEN, CaseStatus.IN_REVIEW)
    assert step.due_date > step.opened_on and step.case.due_date
    closed = CaseFactory(status=CaseStatus.CLOSED)
    assert closed.concluded_at and closed.closed_at and closed.decision == "approved"
    assert CaseFactory(status=CaseStatus.DRAFT).number is None
    ticket = TicketFactory()
    assert (ticket.status, ticket.number) == (TicketStatus.WAITING, f"A{ticket.seq:03d}")
    booking = AppointmentFactory()
    assert booking.status == AppointmentStatus.BOOKED and booking.user == booking.applicant.user
    assert booking.starts_at.date() > booking.created_at.date()


def test_service_builders(clock):
    assert rating_of(5).score == 5
    assert not FollowUp.objects.filter(rating=rating_of(4)).exists()
    for stage in FollowUpStage.values:
        assert followup_at(stage).stage == stage
    assert deadline_of(limit_days=3).limit_days == 3
    assert directive_of().status == DirectiveStatus.ISSUED
    assert card_of(CardColor.RED).color == CardColor.RED
