"""Appointments: slots on working days and opening hours, capacity, double booking, check-in, no-shows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.common.errors import Conflict, IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.hall import selectors, services
from tongban.hall.choices import AppointmentStatus, TicketSource
from tongban.hall.models import Appointment, AppointmentEvent, AppointmentSlotConfig, KioskSession, Ticket
from tongban.hall.slots import day_slots, parse_periods

from .conftest import at

pytestmark = pytest.mark.django_db

T = dt.time
NINE = dt.time(9, 0)
MAR3 = dt.date(2026, 3, 3)


def book(world, person=None, day=MAR3, start=NINE, item=None):
    return services.appointment_book(
        actor=(person or world.person).user,
        hall_id=world.hall.pk,
        item_id=(item or world.item).pk,
        slot_date=day,
        slot_start=start,
    )


class TestSlots:
    def test_working_day_is_cut_into_opening_hour_slots(self, db):
        slots = day_slots(
            periods=[["09:00", "12:00"], ["13:30", "17:00"]],
            slot_minutes=30,
            capacity=5,
            on=dt.date(2026, 3, 2),
        )
        assert len(slots) == 6 + 7
        assert (slots[0].start, slots[5].end, slots[6].start, slots[-1].end) == (
            T(9),
            T(12),
            T(13, 30),
            T(17),
        )

    def test_no_slots_on_weekend_holiday_but_on_make_up_working_day(self, db):
        kw = {"periods": [["09:00", "12:00"]], "slot_minutes": 60, "capacity": 1}
        assert day_slots(on=dt.date(2026, 3, 7), **kw) == []  # Saturday
        assert day_slots(on=dt.date(2026, 10, 1), **kw) == []  # National Day
        assert len(day_slots(on=dt.date(2026, 3, 6), **kw)) == 3  # Friday

    def test_remainder_shorter_than_a_slot_is_not_offered(self, db):
        slots = day_slots(periods=[["09:00", "10:50"]], slot_minutes=30, capacity=1, on=dt.date(2026, 3, 2))
        assert [s.label for s in slots] == ["09:00–09:30", "09:30–10:00", "10:00–10:30"]

    @pytest.mark.parametrize(
        "periods",
        [[], [["9:00"]], [["12:00", "09:00"]], [["09:00", "12:00"], ["11:00", "13:00"]], [["x", "y"]]],
    )
    def test_bad_periods(self, periods):
        with pytest.raises(ValueError):
            parse_periods(periods)

    def test_hall_slots_count_bookings_and_hide_past_slots(self, world, clock):
        book(world)
        cat = world.cats["B"]
        slots = selectors.hall_slots(hall=world.hall, category=cat, on=dt.date(2026, 3, 3))
        assert (slots[0].start, slots[0].booked, slots[0].available) == (T(9), 1, 4)
        today = selectors.hall_slots(hall=world.hall, category=cat, on=dt.date(2026, 3, 2))
        assert today[0].start == T(10, 30)  # 10:00 now: 10:00 slot has started
        assert selectors.hall_slots(hall=world.hall, category=cat, on=dt.date(2026, 3, 7)) == []


class TestBooking:
    def test_book_writes_code_and_event(self, world, clock):
        a = book(world)
        assert a.status == AppointmentStatus.BOOKED and len(a.booking_code) == 8
        assert a.category == world.cats["B"]
        assert a.starts_at == at(9, 0, day=3)
        assert AppointmentEvent.objects.get(appointment=a).kind == "booked"

    def test_capacity(self, world, clock):
        AppointmentSlotConfig.objects.filter(category=world.cats["B"]).update(capacity=1)
        book(world)
        with pytest.raises(Conflict) as exc:
            book(world, person=world.person2)
        assert "约满" in exc.value.message
        assert Appointment.objects.count() == 1

    def test_same_person_same_slot_and_same_item_same_day(self, world, clock):
        book(world)
        with pytest.raises(Conflict):
            book(world, start=T(9, 30))  # same item same day
        other_item = type(world.item).objects.create(
            **{
                f.name: getattr(world.item, f.name)
                for f in world.item._meta.concrete_fields
                if f.name not in ("id", "code", "name")
            },
            code="OTHER1",
            name="另一个事项",
        )
        with pytest.raises(Conflict):
            book(world, item=other_item)  # same slot
        assert book(world, item=other_item, start=T(9, 30)).pk
        assert Appointment.objects.count() == 2

    @pytest.mark.parametrize(
        ("day", "start"),
        [
            (dt.date(2026, 3, 7), T(9, 0)),  # Saturday
            (dt.date(2026, 3, 3), T(12, 0)),  # lunch break
            (dt.date(2026, 3, 3), T(9, 10)),  # not a slot start
            (dt.date(2026, 3, 2), T(10, 0)),  # started already
            (dt.date(2026, 3, 1), T(9, 0)),  # past
            (dt.date(2026, 4, 30), T(9, 0)),  # beyond 10 working days
        ],
    )
    def test_invalid_slots_refused(self, world, clock, day, start):
        with pytest.raises(ValidationFailed):
            book(world, day=day, start=start)
        assert Appointment.objects.count() == 0

    def test_staff_cannot_book_as_applicant(self, world, clock):
        with pytest.raises(NotAllowed):
            services.appointment_book(
                actor=world.clerk,
                hall_id=world.hall.pk,
                item_id=world.item.pk,
                slot_date=dt.date(2026, 3, 3),
                slot_start=T(9),
            )

    def test_cancel_by_owner_only_before_start(self, world, clock):
        a = book(world)
        with pytest.raises(NotFound):
            services.appointment_cancel(actor=world.person2.user, appointment_id=a.pk)
        a.refresh_from_db()
        assert a.status == AppointmentStatus.BOOKED
        services.appointment_cancel(actor=world.person.user, appointment_id=a.pk)
        a.refresh_from_db()
        assert a.status == AppointmentStatus.CANCELLED
        with pytest.raises(IllegalTransition):
            services.appointment_cancel(actor=world.person.user, appointment_id=a.pk)
        # the place is free again, and the person may book again
        assert book(world).pk != a.pk


class TestNoShows:
    def test_sweep_and_block_with_a_clear_message(self, world, settings):
        settings.HALL_NO_SHOW_LIMIT = 3
        days = [dt.date(2026, 3, 3), dt.date(2026, 3, 4), dt.date(2026, 3, 5)]
        for day in days:
            with time_machine.travel(at(10, 0, day=day.day - 1), tick=False):
                book(world, day=day)
            with time_machine.travel(at(9, 31, day=day.day), tick=False):
                assert services.appointment_no_show_sweep() == 1
                assert services.appointment_no_show_sweep() == 0
        assert Appointment.objects.filter(status=AppointmentStatus.NO_SHOW).count() == 3
        with time_machine.travel(at(10, 0, day=6), tick=False):
            with pytest.raises(NotAllowed) as exc:
                book(world, day=dt.date(2026, 3, 9))
            assert exc.value.code == "booking_blocked"
            assert "2026年4月4日前不能在线预约" in exc.value.message
        # after the block (30 natural days after the last no-show) booking opens again
        with time_machine.travel(dt.datetime(2026, 4, 7, 10, 0, tzinfo=at(0).tzinfo), tick=False):
            assert book(world, day=dt.date(2026, 4, 8)).pk

    def test_two_no_shows_do_not_block(self, world):
        for day in (3, 4):
            with time_machine.travel(at(10, 0, day=day - 1), tick=False):
                book(world, day=dt.date(2026, 3, day))
        with time_machine.travel(at(10, 0, day=5), tick=False):
            services.appointment_no_show_sweep()
            assert selectors.booking_blocked_until(user=world.person.user) is None


class TestCheckIn:
    def test_kiosk_check_in_gives_a_ticket_ahead_of_walk_ins_once_due(self, world):
        with time_machine.travel(at(10, 0), tick=False):
            a = book(world, day=dt.date(2026, 3, 3), start=T(9, 30))
        with time_machine.travel(at(9, 0, day=3), tick=False) as clock:
            walk = services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["B"].pk)
            clock.shift(60 * 10)  # 09:10: check in 20 minutes early
            session = KioskSession.objects.create(hall=world.hall)
            ticket = services.appointment_check_in(
                hall_id=world.hall.pk, booking_code=a.booking_code, kiosk_session=session
            )
            assert (ticket.source, ticket.appointment_due_at) == (TicketSource.APPOINTMENT, at(9, 30, day=3))
            a.refresh_from_db()
            assert (a.status, a.ticket) == (AppointmentStatus.CHECKED_IN, ticket)
            later = services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["B"].pk)
            clock.shift(60 * 25)  # 09:35: the slot has started
            called = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
            assert called == ticket
            assert services.ticket_call_next(actor=world.clerk2, window_id=world.w2.pk) == walk
            assert later.status == "waiting"

    def test_check_in_by_id_number_and_refusals(self, world):
        with time_machine.travel(at(10, 0), tick=False):
            a = book(world, day=dt.date(2026, 3, 3), start=T(11, 0))
        session = KioskSession.objects.create(hall=world.hall)
        with time_machine.travel(at(9, 0, day=3), tick=False):
            with pytest.raises(ValidationFailed):  # more than an hour early
                services.appointment_check_in(
                    hall_id=world.hall.pk, id_number=world.person.id_number, kiosk_session=session
                )
            with pytest.raises(NotFound):
                services.appointment_check_in(
                    hall_id=world.hall.pk, booking_code="00000000", kiosk_session=session
                )
            with pytest.raises(NotAllowed):  # neither kiosk nor clerk
                services.appointment_check_in(hall_id=world.hall.pk, booking_code=a.booking_code)
            with pytest.raises(NotAllowed):  # a clerk of another hall
                services.appointment_check_in(
                    hall_id=world.hall.pk, booking_code=a.booking_code, actor=world.other_clerk
                )
        assert Ticket.objects.count() == 0
        with time_machine.travel(at(10, 30, day=3), tick=False):
            t = services.appointment_check_in(
                hall_id=world.hall.pk, id_number=world.person.id_number, actor=world.clerk
            )
            assert t.number == "B001"

    def test_too_late(self, world):
        with time_machine.travel(at(10, 0), tick=False):
            a = book(world, day=dt.date(2026, 3, 3), start=T(9, 0))
        with time_machine.travel(at(9, 45, day=3), tick=False), pytest.raises(ValidationFailed):
            services.appointment_check_in(
                hall_id=world.hall.pk, booking_code=a.booking_code, actor=world.clerk
            )
