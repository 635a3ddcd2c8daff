"""Issue 12, point 1 at the hall: checking in by ID number (kiosk, window, API) says when the number
itself is wrong — naming the field, 4xx, no ticket — instead of "no booking found"; a right number of
either kind (ID number, credit code) finds the booking."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import LegalApplicantFactory
from tongban.common.errors import NotFound, ValidationFailed
from tongban.common.tests.standards import wrong_check
from tongban.hall import services
from tongban.hall.models import KioskSession, Ticket

from .conftest import at

pytestmark = pytest.mark.django_db

SLOT = dt.time(10, 30)


def book(world, person, start=SLOT):
    with time_machine.travel(at(10, 0), tick=False):
        return services.appointment_book(
            actor=person.user,
            hall_id=world.hall.pk,
            item_id=world.item.pk,
            slot_date=dt.date(2026, 3, 3),
            slot_start=start,
        )


def test_a_mistyped_id_number_is_named_not_reported_as_no_booking(world):
    book(world, world.person)
    session = KioskSession.objects.create(hall=world.hall)
    with time_machine.travel(at(10, 20, day=3), tick=False):
        with pytest.raises(ValidationFailed) as exc:
            services.appointment_check_in(
                hall_id=world.hall.pk, id_number=wrong_check(world.person.id_number), kiosk_session=session
            )
        assert exc.value.field == "id_number"
        assert exc.value.message == "证件号码：身份证号码校验位不正确，请核对后重新输入。"
        with pytest.raises(ValidationFailed) as exc:
            services.appointment_check_in(hall_id=world.hall.pk, id_number="ABC", kiosk_session=session)
        assert exc.value.message.startswith("证件号码：统一社会信用代码应为 18 位")
        assert Ticket.objects.count() == 0
        # a valid number of someone without a booking today: not found, as before
        with pytest.raises(NotFound):
            services.appointment_check_in(
                hall_id=world.hall.pk, id_number=world.person2.id_number, kiosk_session=session
            )
        ticket = services.appointment_check_in(
            hall_id=world.hall.pk, id_number=f" {world.person.id_number.lower()} ", kiosk_session=session
        )
        assert ticket.appointment.applicant == world.person


def test_a_legal_person_checks_in_by_credit_code(world):
    company = LegalApplicantFactory(registered=True)
    book(world, company)
    with time_machine.travel(at(10, 20, day=3), tick=False):
        ticket = services.appointment_check_in(
            hall_id=world.hall.pk, id_number=company.credit_code, actor=world.clerk
        )
    assert ticket.appointment.applicant == company


def test_kiosk_page_and_api_refuse_with_4xx(client, world):
    book(world, world.person)
    bad = wrong_check(world.person.id_number)
    with time_machine.travel(at(10, 20, day=3), tick=False):
        r = client.post(reverse("kiosk:check-in", args=[world.hall.code]), {"id_number": bad})
        html = r.content.decode()
        assert r.status_code == 400 and "证件号码：身份证号码校验位不正确" in html
        assert 'id="id-number"' in html and 'aria-invalid="true" aria-describedby="checkin-error"' in html
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=world.clerk)[0].key}")
        url = f"/api/v1/hall/halls/{world.hall.code}/check-in/"
        r = api.post(url, {"id_number": bad}, format="json")
        assert r.status_code == 400 and r.json()["field"] == "id_number"
        assert Ticket.objects.count() == 0
        r = api.post(url, {"id_number": world.person.id_number}, format="json")
        assert r.status_code == 201
