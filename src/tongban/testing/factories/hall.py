"""Front-hall rows for tests: tickets and appointments written directly (queues set up by the service).

Use the hall services (`ticket_take`, `appointment_book`, …) where the test is about them; these
factories are for tests that only need a ticket or a booking to exist.
"""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from tongban.hall.choices import AppointmentStatus, TicketSource, TicketStatus
from tongban.hall.models import Appointment, QueueCategory, Ticket
from tongban.organisations.models import ServiceHall
from tongban.workdays.calendar import next_workday

from .accounts import ApplicantFactory
from .catalogue import ServiceItemFactory
from .organisations import HallFactory

__all__ = ["AppointmentFactory", "TicketFactory", "queue_of"]

_codes = itertools.count(1)


def queue_of(hall: ServiceHall, code: str = "A") -> QueueCategory:
    """The hall's queue `code` (A–E), setting up the standard queues first if the hall has none."""
    from tongban.hall.services import hall_queues_setup

    if not QueueCategory.objects.filter(hall=hall).exists():
        hall_queues_setup(hall_id=hall.pk)
    return QueueCategory.objects.get(hall=hall, code=code)


class TicketFactory(factory.django.DjangoModelFactory):
    """A waiting walk-in ticket of today in queue A of a new hall; pass status/window/served_by."""

    class Meta:
        model = Ticket

    hall = factory.SubFactory(HallFactory)
    category = factory.LazyAttribute(lambda o: queue_of(o.hall))
    seq = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: f"{o.category.code}{o.seq:03d}")
    service_date = factory.LazyFunction(timezone.localdate)
    source = TicketSource.WALK_IN
    status = TicketStatus.WAITING
    issued_at = factory.LazyFunction(timezone.now)
    waiting_since = factory.SelfAttribute("issued_at")
    queued_at = factory.SelfAttribute("issued_at")


def _slot_start(o) -> dt.datetime:
    day = next_workday(timezone.localdate())
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked 9:00–9:30 slot on the next working day in queue A of a new hall, by a registered
    applicant, for a published item."""

    class Meta:
        model = Appointment

    applicant = factory.SubFactory(ApplicantFactory, registered=True)
    user = factory.LazyAttribute(lambda o: o.applicant.user)
    hall = factory.SubFactory(HallFactory)
    category = factory.LazyAttribute(lambda o: queue_of(o.hall))
    item = factory.SubFactory(ServiceItemFactory)
    starts_at = factory.LazyAttribute(_slot_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=30))
    slot_date = factory.LazyAttribute(lambda o: timezone.localdate(o.starts_at))
    slot_start = factory.LazyAttribute(lambda o: timezone.localtime(o.starts_at).time())
    slot_end = factory.LazyAttribute(lambda o: timezone.localtime(o.ends_at).time())
    booking_code = factory.LazyFunction(lambda: f"T{next(_codes):07d}")
    status = AppointmentStatus.BOOKED
