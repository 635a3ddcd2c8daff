"""Pages, API and admin: who sees which messages (denials asserted exactly, nothing changed)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.accounts.models import UserKind
from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.notifications.choices import Channel, MessageStatus
from tongban.notifications.models import Message, MessageEvent
from tongban.notifications.services import notify
from tongban.organisations.choices import StaffRole

from .conftest import ACCEPTED_CONTEXT

pytestmark = pytest.mark.django_db

TASK_CONTEXT = {**ACCEPTED_CONTEXT, "step": "审查", "due_date": "2026年11月27日"}


@pytest.fixture
def world(applicant_user, admin_user, supervisor, clerk, sms_file):
    approver = StaffFactory.with_role(StaffRole.APPROVER, mobile="13800000002")
    applicant_msgs = notify(
        recipient_user=applicant_user,
        template="case.accepted",
        context=ACCEPTED_CONTEXT,
        ref="case:12",
        idempotency_key="case:12:accepted",
    )
    clerk_msgs = notify(
        recipient_user=clerk,
        template="task.assigned",
        context=TASK_CONTEXT,
        ref="case:12",
        idempotency_key="task:1:assigned",
    )
    approver_msgs = notify(
        recipient_user=approver,
        template="task.assigned",
        context=TASK_CONTEXT,
        ref="case:13",
        idempotency_key="task:2:assigned",
    )
    return {
        "approver": approver,
        "applicant": {m.channel: m for m in applicant_msgs},
        "clerk": {m.channel: m for m in clerk_msgs},
        "approver_msgs": {m.channel: m for m in approver_msgs},
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the log page -----------------------------------------------------------------------------------


def test_log_admin_and_supervisor_see_everything(world, admin_user, supervisor):
    for user in (admin_user, supervisor):
        response = _client(user).get(reverse("notifications:log"))
        assert response.status_code == 200
        ids = {row[0].pk for row in response.context["rows"]}
        assert ids == set(Message.objects.values_list("pk", flat=True))


def test_log_other_staff_see_only_their_own(world, clerk):
    response = _client(clerk).get(reverse("notifications:log"))
    assert response.status_code == 200
    assert {row[0].pk for row in response.context["rows"]} == {m.pk for m in world["clerk"].values()}
    body = response.content.decode()
    assert "138****0001" in body and "13912345678" not in body


def test_log_denied_to_applicants_and_anonymous(world, applicant_user):
    response = _client(applicant_user).get(reverse("notifications:log"))
    assert response.status_code == 403
    response = Client().get(reverse("notifications:log"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_log_filters(world, admin_user):
    client = _client(admin_user)
    response = client.get(reverse("notifications:log"), {"template": "task.assigned", "channel": "sms"})
    rows = [row[0] for row in response.context["rows"]]
    assert {m.pk for m in rows} == {world["clerk"][Channel.SMS].pk, world["approver_msgs"][Channel.SMS].pk}
    response = client.get(reverse("notifications:log"), {"ref": "case:13", "status": "queued"})
    assert [row[0].pk for row in response.context["rows"]] == [world["approver_msgs"][Channel.SMS].pk]
    # the ref reads as what it points at, linked to its page
    assert '<a href="/work/cases/13/" title="case:13">办件 13</a>' in response.content.decode()
    response = client.get(reverse("notifications:log"), {"status": "nonsense"})
    assert response.status_code == 200 and response.context["rows"] == []
    assert "nonsense" in response.content.decode()  # the form says which value is wrong


def test_log_detail_scoped(world, clerk, admin_user):
    other = world["approver_msgs"][Channel.SMS]
    assert _client(clerk).get(reverse("notifications:log-detail", args=[other.pk])).status_code == 404
    own = world["clerk"][Channel.SMS]
    response = _client(clerk).get(reverse("notifications:log-detail", args=[own.pk]))
    assert response.status_code == 200 and response.context["can_resend"] is False
    response = _client(admin_user).get(reverse("notifications:log-detail", args=[other.pk]))
    assert response.status_code == 200 and response.context["can_resend"] is True


def test_resend_page_denied_to_non_admin(world, clerk, supervisor):
    own = world["clerk"][Channel.SMS]
    Message.objects.filter(pk=own.pk).update(status=MessageStatus.GAVE_UP)
    for user in (clerk, supervisor):
        response = _client(user).post(reverse("notifications:resend", args=[own.pk]))
        assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == MessageStatus.GAVE_UP and not MessageEvent.objects.filter(message=own).exists()


def test_resend_page_by_admin(world, admin_user, django_capture_on_commit_callbacks):
    msg = world["clerk"][Channel.SMS]
    Message.objects.filter(pk=msg.pk).update(status=MessageStatus.GAVE_UP, attempts=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(admin_user).post(reverse("notifications:resend", args=[msg.pk]))
    assert response.status_code == 302
    msg.refresh_from_db()
    assert msg.status == MessageStatus.SENT and msg.attempts == 1


# --- the inbox page ---------------------------------------------------------------------------------


def test_inbox_shows_only_own_in_app_messages(world, applicant_user, admin_user):
    response = _client(applicant_user).get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert [m.pk for m in response.context["page"].object_list] == [world["applicant"][Channel.IN_APP].pk]
    assert response.context["unread_count"] == 1
    # an administrator's inbox is their own too, not everybody's
    response = _client(admin_user).get(reverse("notifications:inbox"))
    assert list(response.context["page"].object_list) == []


def test_inbox_mark_read_with_htmx_and_denial(world, applicant_user, clerk):
    inbox_msg = world["applicant"][Channel.IN_APP]
    url = reverse("notifications:read", args=[inbox_msg.pk])
    assert _client(clerk).post(url).status_code == 404
    inbox_msg.refresh_from_db()
    assert inbox_msg.read_at is None
    response = _client(applicant_user).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="msg-{inbox_msg.pk}"' in response.content.decode()
    inbox_msg.refresh_from_db()
    assert inbox_msg.read_at is not None
    assert _client(applicant_user).get(url).status_code == 405


def test_inbox_read_all(world, applicant_user):
    response = _client(applicant_user).post(reverse("notifications:read-all"))
    assert response.status_code == 302
    assert not Message.objects.filter(
        recipient=applicant_user, channel="in_app", read_at__isnull=True
    ).exists()


def test_inbox_requires_login(db):
    response = Client().get(reverse("notifications:inbox"))
    assert response.status_code == 302


# --- the API ----------------------------------------------------------------------------------------


def test_api_inbox_and_read(world, applicant_user, clerk):
    inbox_msg = world["applicant"][Channel.IN_APP]
    response = _api(applicant_user).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [inbox_msg.pk]
    assert response.json()["results"][0]["unread"] is True

    response = _api(clerk).post(f"/api/v1/notifications/{inbox_msg.pk}/read/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    inbox_msg.refresh_from_db()
    assert inbox_msg.read_at is None

    response = _api(applicant_user).post(f"/api/v1/notifications/{inbox_msg.pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert _api(applicant_user).get("/api/v1/notifications/?unread=1").json()["results"] == []
    response = _api(applicant_user).post("/api/v1/notifications/read-all/")
    assert response.json() == {"updated": 0}


def test_api_requires_authentication(db):
    response = APIClient().get("/api/v1/notifications/")
    assert response.status_code in (401, 403)
    assert APIClient().get("/api/v1/notification-log/").status_code in (401, 403)


def test_api_log_scoping(world, admin_user, supervisor, clerk, applicant_user):
    everything = set(Message.objects.values_list("pk", flat=True))
    for user in (admin_user, supervisor):
        body = _api(user).get("/api/v1/notification-log/").json()
        assert body["count"] == len(everything) == 8
        assert {row["id"] for row in body["results"]} == everything
    rows = _api(clerk).get("/api/v1/notification-log/").json()["results"]
    assert {row["id"] for row in rows} == {m.pk for m in world["clerk"].values()}

    response = _api(applicant_user).get("/api/v1/notification-log/")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"

    other = world["approver_msgs"][Channel.SMS]
    assert _api(clerk).get(f"/api/v1/notification-log/{other.pk}/").status_code == 404
    detail = _api(admin_user).get(f"/api/v1/notification-log/{other.pk}/").json()
    assert detail["template"] == "task.assigned" and detail["events"] == []


def test_api_log_filters_and_bad_filter(world, admin_user):
    rows = _api(admin_user).get("/api/v1/notification-log/", {"ref": "case:13", "channel": "in_app"}).json()
    assert [row["id"] for row in rows["results"]] == [world["approver_msgs"][Channel.IN_APP].pk]
    response = _api(admin_user).get("/api/v1/notification-log/", {"channel": "fax"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed" and "channel" in body["errors"]


def test_api_resend_admin_only(world, admin_user, clerk, django_capture_on_commit_callbacks):
    msg = world["clerk"][Channel.SMS]
    Message.objects.filter(pk=msg.pk).update(status=MessageStatus.FAILED)
    response = _api(clerk).post(f"/api/v1/notification-log/{msg.pk}/resend/")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Message.objects.get(pk=msg.pk).status == MessageStatus.FAILED
    response = _api(admin_user).post(f"/api/v1/notification-log/{world['clerk'][Channel.IN_APP].pk}/resend/")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(admin_user).post(f"/api/v1/notification-log/{msg.pk}/resend/")
    assert response.status_code == 200
    assert Message.objects.get(pk=msg.pk).status == MessageStatus.SENT


# --- admin ------------------------------------------------------------------------------------------


def test_admin_changelist_and_resend_action(world, django_capture_on_commit_callbacks):
    superuser = UserFactory(is_staff=True, is_superuser=True, kind=UserKind.STAFF)
    client = _client(superuser)
    response = client.get(reverse("admin:notifications_message_changelist"))
    assert response.status_code == 200
    msg = world["clerk"][Channel.SMS]
    Message.objects.filter(pk=msg.pk).update(status=MessageStatus.GAVE_UP)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "resend", "_selected_action": [msg.pk]},
        )
    assert response.status_code == 302
    assert Message.objects.get(pk=msg.pk).status == MessageStatus.SENT
    response = client.get(reverse("admin:notifications_message_change", args=[msg.pk]))
    assert response.status_code == 200
