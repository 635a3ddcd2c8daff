"""Pages: board partial, clerk console (and its scoping), kiosk flow and idle markup, elder mode, figures,
API spot checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tongban.hall import services
from tongban.hall.choices import TicketStatus
from tongban.hall.models import KioskSession, Ticket, TicketEvent

from .conftest import at

pytestmark = pytest.mark.django_db


def take(world, code="B"):
    return services.ticket_take(hall_id=world.hall.pk, category_id=world.cats[code].pk)


class TestBoard:
    def test_partial_shows_calls_per_window_and_waiting_counts(self, client, world, clock):
        take(world)
        take(world)
        take(world, "A")
        services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        html = client.get(reverse("hall:board-partial", args=[world.hall.code])).content.decode()
        assert "请 B001 号到 1 号窗口" in html
        assert 'class="board-number">B001<' in html
        assert "1 号窗口" in html
        assert "<strong>1</strong>" in html  # B: one waiting, A: one waiting
        ev = TicketEvent.objects.get(kind="called")
        assert f'data-event-id="{ev.pk}"' in html

    def test_board_page_polls_and_offers_speech(self, client, world):
        html = client.get(reverse("hall:board", args=[world.hall.code])).content.decode()
        assert 'hx-trigger="every 2s"' in html
        assert 'id="speech-toggle"' in html and "hall/board.js" in html
        assert "hall-fullscreen" in html

    def test_unknown_hall(self, client, db):
        assert client.get("/hall/NOPE/board/").status_code == 404


class TestConsole:
    def test_clerk_calls_with_htmx(self, client, world, clock):
        take(world)
        client.force_login(world.clerk)
        page = client.get(reverse("hall:console"))
        assert page.status_code == 200 and 'accesskey="n"' in page.content.decode()
        r = client.post(reverse("hall:console-action", args=[world.w1.pk, "call"]), HTTP_HX_REQUEST="true")
        assert 'id="current-number">B001<' in r.content.decode()
        t = Ticket.objects.get()
        r = client.post(
            reverse("hall:console-action", args=[world.w1.pk, "start"]),
            {"ticket": t.pk, "version": t.version},
            HTTP_HX_REQUEST="true",
        )
        assert "办理中" in r.content.decode()

    def test_clerk_of_hall_b_cannot_call_in_hall_a(self, client, world, clock):
        t = take(world)
        client.force_login(world.other_clerk)
        r = client.post(reverse("hall:console-action", args=[world.w1.pk, "call"]))
        assert r.status_code == 403
        t.refresh_from_db()
        assert (t.status, t.window_id) == (TicketStatus.WAITING, None)

    def test_applicant_has_no_console(self, client, world):
        client.force_login(world.person.user)
        assert client.get(reverse("hall:console")).status_code == 403

    def test_error_shown_in_partial(self, client, world, clock):
        client.force_login(world.clerk)
        r = client.post(reverse("hall:console-action", args=[world.w1.pk, "call"]), HTTP_HX_REQUEST="true")
        assert "当前没有等候的号" in r.content.decode()


class TestKiosk:
    def test_take_ticket_records_a_session_and_forgets_the_person(self, client, world, clock):
        home = client.get(reverse("kiosk:home", args=[world.hall.code]))
        html = home.content.decode()
        assert 'id="kiosk-idle"' in html and 'data-idle-seconds="60"' in html and "hall/kiosk.js" in html
        assert 'action="/prefs/elder"' in html
        assert home["Cache-Control"] == "no-store"
        r = client.post(reverse("kiosk:ticket", args=[world.hall.code]), {"category": world.cats["B"].pk})
        assert r.status_code == 302
        session = KioskSession.objects.get()
        assert str(session.token) in r["Location"]
        page = client.get(r["Location"]).content.decode()
        assert 'id="ticket-number">B001<' in page
        assert session.actions[0]["action"] == "ticket" and session.actions[0]["detail"] == "B001"
        assert not client.session.keys()  # nothing kept in a Django session
        pdf = client.get(
            reverse("kiosk:ticket-pdf", args=[world.hall.code, Ticket.objects.get().pk])
            + f"?ks={session.token}"
        )
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        client.post(
            reverse("kiosk:end", args=[world.hall.code]), {"ks": str(session.token), "reason": "idle"}
        )
        session.refresh_from_db()
        assert session.ended_at is not None and session.end_reason == "idle"
        # once ended, the ticket page is gone for the next person
        assert client.get(r["Location"]).status_code == 404

    def test_ticket_page_needs_the_session_token(self, client, world, clock):
        client.post(reverse("kiosk:ticket", args=[world.hall.code]), {"category": world.cats["B"].pk})
        t = Ticket.objects.get()
        assert client.get(reverse("kiosk:ticket-show", args=[world.hall.code, t.pk])).status_code == 404

    def test_guide_search(self, client, world):
        r = client.get(reverse("kiosk:guide", args=[world.hall.code]), {"q": "个体工商户"})
        assert "个体工商户登记" in r.content.decode()

    def test_check_in_form_error(self, client, world, clock):
        r = client.post(reverse("kiosk:check-in", args=[world.hall.code]), {"booking_code": "12345678"})
        assert "未找到您今天在本大厅的有效预约" in r.content.decode()
        assert Ticket.objects.count() == 0


class TestElderMode:
    def test_cookie_persists_across_hall_pages(self, client, world):
        r = client.post("/prefs/elder", {"next": reverse("kiosk:home", args=[world.hall.code])})
        assert r.cookies["tb_elder"].value == "1"
        for url in (
            reverse("kiosk:home", args=[world.hall.code]),
            reverse("kiosk:ticket", args=[world.hall.code]),
            reverse("hall:board", args=[world.hall.code]),
        ):
            html = client.get(url).content.decode()
            assert '<body class="elder' in html, url
        assert "标准模式" in client.get(reverse("kiosk:home", args=[world.hall.code])).content.decode()


class TestFiguresPage:
    def test_scoping(self, client, world, clock):
        client.force_login(world.person.user)
        assert client.get(reverse("hall:figures")).status_code == 403
        client.force_login(world.other_clerk)
        assert client.get(reverse("hall:figures"), {"hall": world.hall.pk}).status_code == 403
        client.force_login(world.clerk)
        r = client.get(reverse("hall:figures"), {"hall": world.hall.pk})
        assert r.status_code == 200 and "echarts.min.js" in r.content.decode()


class TestApi:
    def test_board_is_public_and_call_next_is_scoped(self, client, world, clock):
        from rest_framework.test import APIClient

        api = APIClient()
        take(world)
        assert api.get(f"/api/v1/hall/halls/{world.hall.code}/board/").status_code == 200
        api.force_authenticate(world.other_clerk)
        r = api.post(f"/api/v1/hall/windows/{world.w1.pk}/call-next/")
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
        api.force_authenticate(world.clerk)
        r = api.post(f"/api/v1/hall/windows/{world.w1.pk}/call-next/")
        assert r.status_code == 200 and r.json()["number"] == "B001"
        r = api.post(f"/api/v1/hall/tickets/{r.json()['id']}/finish/", {}, format="json")
        assert r.status_code == 409 and r.json()["code"] == "illegal_transition"

    def test_slots_and_booking(self, world, clock):
        from rest_framework.test import APIClient

        api = APIClient()
        r = api.get(f"/api/v1/hall/halls/{world.hall.code}/slots/", {"category": "B", "date": "2026-03-03"})
        assert r.status_code == 200 and r.json()[0]["start"] == "09:00:00" and r.json()[0]["available"] == 5
        api.force_authenticate(world.person.user)
        r = api.post(
            "/api/v1/hall/appointments/",
            {"hall": world.hall.pk, "item": world.item.pk, "slot_date": "2026-03-03", "slot_start": "09:00"},
            format="json",
        )
        assert r.status_code == 201, r.json()
        r2 = api.post(
            "/api/v1/hall/appointments/",
            {"hall": world.hall.pk, "item": world.item.pk, "slot_date": "2026-03-03", "slot_start": "09:00"},
            format="json",
        )
        assert r2.status_code == 409
        assert api.get("/api/v1/hall/appointments/").json()["count"] == 1
        api.force_authenticate(world.person2.user)
        assert api.post(f"/api/v1/hall/appointments/{r.json()['id']}/cancel/").status_code == 404

    def test_figures_api(self, world, clock):
        from rest_framework.test import APIClient

        api = APIClient()
        api.force_authenticate(world.person.user)
        assert api.get("/api/v1/hall/figures/", {"from": "2026-03-01", "to": "2026-03-02"}).status_code == 403
        api.force_authenticate(world.clerk)
        r = api.get("/api/v1/hall/figures/", {"from": "2026-03-01", "to": "2026-03-02"})
        assert r.status_code == 200 and r.json()["total"]["tickets"] == 0


def test_booking_page(client, world, clock):
    client.force_login(world.person.user)
    r = client.get(
        reverse("hall:book"), {"item": world.item.code, "hall": world.hall.code, "date": "2026-03-03"}
    )
    html = r.content.decode()
    assert "09:00–09:30" in html and 'id="booking-slots"' in html
    assert 'method="get" class="d-flex flex-wrap gap-2" id="booking-slots"' in html  # choosing takes nothing
    r = client.post(
        reverse("hall:book"),
        {
            "item": world.item.code,
            "hall": world.hall.code,
            "date": "2026-03-03",
            "slot": "09:00",
            "confirm": "1",
        },
    )
    assert r.status_code == 302
    assert "预约成功" in client.get(r["Location"]).content.decode()
    assert dt.date(2026, 3, 3) == world.person.user.appointments.get().slot_date
    assert at(9, 0, day=3) == world.person.user.appointments.get().starts_at


class TestBookingConfirmation:
    """Issue 12 point 8: a slot is taken only after the person confirms what they are booking."""

    def chosen(self, world, **extra):
        return {
            "item": world.item.code,
            "hall": world.hall.code,
            "date": "2026-03-03",
            "slot": "09:30",
            **extra,
        }

    def test_choosing_a_slot_asks_for_confirmation_and_takes_nothing(self, client, world, clock):
        client.force_login(world.person.user)
        html = client.get(reverse("hall:book"), self.chosen(world)).content.decode()
        confirm = html[html.index('id="booking-confirm"') :]
        assert "请确认预约" in confirm and "个体工商户登记" in confirm and world.hall.name in confirm
        assert "2026年3月3日" in confirm and "09:30–10:00" in confirm
        assert '<input type="hidden" name="confirm" value="1">' in confirm
        assert 'id="booking-slots"' not in html
        assert not world.person.user.appointments.exists()

    def test_a_post_without_confirmation_books_nothing(self, client, world, clock):
        client.force_login(world.person.user)
        r = client.post(reverse("hall:book"), self.chosen(world))
        assert r.status_code == 200 and 'id="booking-confirm"' in r.content.decode()
        assert not world.person.user.appointments.exists()

    def test_confirming_a_full_slot_says_so(self, client, world, clock):
        from tongban.hall.models import AppointmentSlotConfig

        AppointmentSlotConfig.objects.filter(category=world.cats["B"]).update(capacity=1)
        services.appointment_book(
            actor=world.person2.user,
            hall_id=world.hall.pk,
            item_id=world.item.pk,
            slot_date=dt.date(2026, 3, 3),
            slot_start=dt.time(9, 30),
        )
        client.force_login(world.person.user)
        html = client.get(reverse("hall:book"), self.chosen(world)).content.decode()
        assert "所选时段已约满或已过" in html and 'id="booking-confirm"' not in html
        r = client.post(reverse("hall:book"), self.chosen(world, confirm="1"))
        assert r.status_code == 200 and not world.person.user.appointments.exists()

    def test_only_halls_taking_appointments_for_the_item_are_offered(self, client, world, clock):
        from tongban.hall.models import AppointmentSlotConfig
        from tongban.organisations.tests.factories import HallFactory

        HallFactory(code="TH09", name="没有预约的大厅")
        AppointmentSlotConfig.objects.filter(hall=world.other_hall).update(is_active=False)
        client.force_login(world.person.user)
        html = client.get(reverse("hall:book"), {"item": world.item.code}).content.decode()
        select = html[html.index('id="b-hall"') : html.index("</select>")]
        assert (
            world.hall.name in select
            and world.other_hall.name not in select
            and "没有预约的大厅" not in select
        )
        assert "selected" in select  # the one hall is chosen for the person


def test_kiosk_tracking_shares_the_public_guessing_limit(client, world, settings):
    """A kiosk is no way round the limit on guessing query codes: after the limit it refuses, and nothing
    else changes."""
    from tongban.cases import tracking
    from tongban.cases.models import TrackingFailure

    url = reverse("kiosk:track", args=[world.hall.code])
    for _ in range(tracking.TRACKING_MAX_FAILURES):
        r = client.post(url, {"no": "440106-20261124-000001", "code": "WRONG123"})
        assert r.status_code == 200 and "办件编号或查询码不正确" in r.content.decode()
    recorded = TrackingFailure.objects.count()
    assert recorded >= tracking.TRACKING_MAX_FAILURES  # counted per client and per case number
    blocked = client.post(url, {"no": "440106-20261124-000001", "code": "ANOTHER1"})
    assert "查询失败次数过多" in blocked.content.decode()
    assert TrackingFailure.objects.count() == recorded
