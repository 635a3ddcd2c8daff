"""The REST API drives a case end to end with token auth, and refuses what a role may not do."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tongban.cases.choices import CaseStatus
from tongban.cases.models import Case, CaseEvent, Step

from .conftest import PDF, form_for
from .helpers import define_parallel, define_serial, submit_online

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def version(case_id: int) -> int:
    return Case.objects.get(pk=case_id).version


def test_a_case_end_to_end_through_the_api(world):
    define_parallel(world)
    applicant = api_for(world.applicant.user)
    clerk = api_for(world.clerk)

    # the applicant: draft, upload, submit (twice with the same key: one case)
    r = applicant.post(
        "/api/v1/cases/drafts/",
        {"item_code": world.parallel_item.code, "form_data": form_for(world.applicant)},
        format="json",
    )
    assert r.status_code == 201, r.json()
    case_id = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["allowed_actions"]
    for m in r.json()["materials"]:
        up = applicant.post(
            f"/api/v1/cases/{case_id}/materials/{m['id']}/",
            {"file": SimpleUploadedFile("form.pdf", PDF)},
            format="multipart",
        )
        assert up.status_code == 200 and up.json()["content_type"] == "pdf" and len(up.json()["sha256"]) == 64
    first = applicant.post(
        "/api/v1/cases/submit/", {"case_id": case_id}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = applicant.post(
        "/api/v1/cases/submit/", {"case_id": case_id}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"] and first.json()["status"] == "submitted"
    assert Case.objects.exclude(status=CaseStatus.DRAFT).count() == 1
    number, code = first.json()["number"], first.json()["query_code"]

    # the clerk: intake queue, accept with the version seen
    queue = clerk.get("/api/v1/intake/").json()["results"]
    assert [c["id"] for c in queue] == [case_id]
    stale = first.json()["version"] - 1
    r = clerk.post(f"/api/v1/cases/{case_id}/accept/", {"expected_version": stale}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert Case.objects.get(pk=case_id).status == CaseStatus.SUBMITTED
    r = clerk.post(f"/api/v1/cases/{case_id}/accept/", {"expected_version": version(case_id)}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    assert r.json()["version"] == version(case_id)
    assert len([s for s in r.json()["steps"] if s["status"] == "open"]) == 3

    # three departments review in parallel, each from its own 待办 list
    for dept in ("规划", "应急", "住建"):
        approver = api_for(world.approvers[dept])
        todo = approver.get("/api/v1/tasks/todo/").json()
        assert len(todo) == 1 and todo[0]["case"]["id"] == case_id
        step_id = todo[0]["step"]["id"]
        r = approver.post(
            f"/api/v1/steps/{step_id}/complete/",
            {"outcome": "pass", "opinion": f"{dept}意见：同意", "expected_version": version(case_id)},
            format="json",
        )
        assert r.status_code == 200, r.json()
        assert approver.get("/api/v1/tasks/in-progress/").json()[0]["step"]["id"] == step_id

    # the lead department decides jointly
    lead = api_for(world.heads["住建"])
    assert lead.get("/api/v1/tasks/todo/").json()[0]["step"]["kind"] == "decision"
    r = lead.post(
        f"/api/v1/cases/{case_id}/decide/",
        {
            "decision": "approved",
            "reason": "符合条件",
            "legal_basis": "《建筑工程施工许可管理办法》第四条",
            "expected_version": version(case_id),
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "concluded"

    # the clerk issues at the window
    r = clerk.post(
        f"/api/v1/cases/{case_id}/issue/",
        {
            "method": "pickup",
            "identity_checked": True,
            "receiver_name": world.applicant.name,
            "receiver_id_number": world.applicant.id_number,
            "expected_version": version(case_id),
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["visit_count"] == 1

    # the applicant: documents, the case log, tracking
    docs = applicant.get(f"/api/v1/cases/{case_id}/documents/").json()
    assert {d["kind"] for d in docs} == {"acceptance", "decision"}
    assert (docs[0]["rendered_at"], docs[0]["sha256"]) == (None, "")  # no worker ran in this test
    pdf = applicant.get(docs[0]["download_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = applicant.get(f"/api/v1/cases/{case_id}/documents/").json()[0]
    assert again["rendered_at"] and again["sha256"] == hashlib.sha256(pdf.content).hexdigest()
    # the applicant sees the public events only (issue 12 point 8), the clerk all of them
    events = applicant.get(f"/api/v1/cases/{case_id}/events/").json()
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "submitted" and kinds[-1] == "visit" and "decided" in kinds and "issued" in kinds
    assert not {"draft_saved", "step_opened", "step_completed", "material_uploaded"} & set(kinds)
    assert all(e["actor_name"] == "" and e["detail"] == {} for e in events)
    staff_kinds = [e["kind"] for e in clerk.get(f"/api/v1/cases/{case_id}/events/").json()]
    assert staff_kinds[0] == "draft_saved" and "step_opened" in staff_kinds
    track = APIClient().get("/api/v1/track/", {"no": number, "code": code}).json()
    assert track["status"] == "closed" and track["visit_count"] == 1


def test_denials_leave_the_case_unchanged(world):
    define_serial(world)
    case = submit_online(world)
    before = (version(case.pk), CaseEvent.objects.filter(case=case).count())

    # the applicant sees the case but may not accept it
    r = api_for(world.applicant.user).post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # another department's approver does not even see it
    outsider = api_for(world.approvers["规划"])
    assert outsider.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    r = outsider.post(f"/api/v1/cases/{case.pk}/refuse/", {"reason": "x"}, format="json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert outsider.get("/api/v1/cases/").json()["results"] == []
    # another applicant neither
    other = api_for(world.other_applicant.user)
    assert other.post(f"/api/v1/cases/{case.pk}/withdraw/", {}, format="json").status_code == 404
    assert other.get(f"/api/v1/cases/{case.pk}/events/").status_code == 404
    assert (version(case.pk), CaseEvent.objects.filter(case=case).count()) == before

    # once accepted, the other department cannot complete the housing step
    clerk = api_for(world.clerk)
    clerk.post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json")
    step = Step.objects.get(case=case)
    before = (version(case.pk), step.status)
    r = outsider.post(
        f"/api/v1/steps/{step.pk}/complete/", {"outcome": "pass", "opinion": "同意"}, format="json"
    )
    assert r.status_code == 404
    # an illegal move is refused with the reason
    r = clerk.post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json")
    assert (
        r.status_code == 409 and r.json()["code"] == "illegal_transition" and "审查中" in r.json()["message"]
    )
    step.refresh_from_db()
    assert (version(case.pk), step.status) == before


def test_validation_errors_name_the_field(world):
    define_serial(world)
    applicant = api_for(world.applicant.user)
    r = applicant.post(
        "/api/v1/cases/submit/",
        {"item_id": world.serial_item.pk, "form_data": {"name": "张小明", "mobile": "123"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="bad",
    )
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "validation_failed" and "联系电话" in body["errors"]["mobile"]
    assert Case.objects.count() == 0
    r = applicant.post("/api/v1/cases/submit/", {"item_id": world.serial_item.pk}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "idempotency_key"


def test_clock_actions_and_correction_through_the_api(world):
    define_serial(world)
    case = submit_online(world)
    clerk, head = api_for(world.clerk), api_for(world.heads["住建"])
    clerk.post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json")
    r = head.post(
        f"/api/v1/cases/{case.pk}/pause/",
        {
            "procedure": "expert_review",
            "reason": "组织专家评审",
            "expected_days": 5,
            "expected_version": version(case.pk),
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["is_paused"] and r.json()["clock"]["is_paused"]
    r = head.post(f"/api/v1/cases/{case.pk}/resume/", {"expected_version": version(case.pk)}, format="json")
    assert r.status_code == 200 and not r.json()["is_paused"]
    due = r.json()["due_date"]
    r = head.post(f"/api/v1/cases/{case.pk}/extend/", {"days": 3, "reason": "情况复杂"}, format="json")
    assert r.status_code == 200 and r.json()["due_date"] > due and r.json()["extension_days"] == 3
    approver = api_for(world.approvers["住建"])
    m = case.materials.first()
    r = approver.post(
        f"/api/v1/cases/{case.pk}/request-correction/",
        {"items": [{"material_id": m.pk, "reason": "复印件不清晰"}], "expected_version": version(case.pk)},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "supplementing"
    applicant = api_for(world.applicant.user)
    applicant.post(
        f"/api/v1/cases/{case.pk}/materials/{m.pk}/",
        {"file": SimpleUploadedFile("a.pdf", PDF)},
        format="multipart",
    )
    r = applicant.post(
        f"/api/v1/cases/{case.pk}/resubmit/", {"expected_version": version(case.pk)}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "in_review"


def test_immediate_case_and_window_intake(world):
    clerk = api_for(world.clerk)
    r = clerk.post(
        "/api/v1/intake/register/",
        {
            "item_id": world.immediate_item.pk,
            "applicant_id": world.applicant.pk,
            "form_data": form_for(world.applicant),
            "idempotency_key": "window-1",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    case_id = r.json()["id"]
    m = r.json()["materials"][0]
    clerk.post(
        f"/api/v1/cases/{case_id}/materials/{m['id']}/",
        {"file": SimpleUploadedFile("a.pdf", PDF)},
        format="multipart",
    )
    r = clerk.post(
        f"/api/v1/cases/{case_id}/handle-immediately/",
        {
            "reason": "符合条件，当场办结",
            "decision": "approved",
            "identity_checked": True,
            "receiver_name": world.applicant.name,
            "receiver_id_number": world.applicant.id_number,
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["visit_count"] == 1


def test_process_flow_and_schema(world, client):
    define_parallel(world)
    r = client.get(f"/api/v1/processes/{world.parallel_item.code}/")
    assert r.status_code == 200
    stage = r.json()["stages"][0]
    assert stage["kind"] == "parallel" and len(stage["steps"]) == 3
    assert client.get("/api/v1/processes/NOPE/").status_code == 404
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for p in (
        "/api/v1/cases/",
        "/api/v1/cases/submit/",
        "/api/v1/cases/{case_id}/accept/",
        "/api/v1/steps/{step_id}/complete/",
        "/api/v1/cases/{case_id}/handle-immediately/",
        "/api/v1/track/",
        "/api/v1/processes/{code}/",
    ):
        assert p in paths, p
    decide = paths["/api/v1/cases/{case_id}/decide/"]["post"]
    assert "requestBody" in decide and "409" in decide["responses"]


def test_window_finds_or_registers_the_applicant_through_the_api(world):
    """Point 3 over the API: a window app finds the walk-in by ID card (200) or registers them (201);
    the id then files the case. Everyone but a window clerk is refused and nothing is written."""
    from tongban.accounts.models import Applicant
    from tongban.accounts.tests.factories import StaffFactory, make_id_number
    from tongban.organisations.choices import StaffRole

    clerk = api_for(world.clerk)
    number = make_id_number(77)
    body = {"kind": "natural", "name": "陈小明", "id_number": number, "mobile": "13800138077"}
    before = Applicant.objects.count()

    for user in (StaffFactory.with_role(StaffRole.SUPERVISOR), world.approvers["住建"]):
        r = api_for(user).post("/api/v1/intake/applicants/", body, format="json")
        assert r.status_code == 403 and r.json()["message"] == "只有窗口人员可以登记申请人。"
    # an applicant is refused by the staff permission class, before the body is read
    r = api_for(world.applicant.user).post("/api/v1/intake/applicants/", {}, format="json")
    assert r.status_code == 403 and r.json()["message"] == "仅限工作人员访问。"
    assert APIClient().post("/api/v1/intake/applicants/", body, format="json").status_code == 401
    assert Applicant.objects.count() == before

    created = clerk.post("/api/v1/intake/applicants/", body, format="json")
    assert created.status_code == 201, created.json()
    found = clerk.post("/api/v1/intake/applicants/", {**body, "mobile": ""}, format="json")
    assert found.status_code == 200 and found.json()["id"] == created.json()["id"]
    assert found.json()["id_number_masked"].startswith(number[:4]) and number not in str(found.json())
    assert found.json()["has_login"] is False and Applicant.objects.count() == before + 1

    wrong = clerk.post("/api/v1/intake/applicants/", {**body, "name": "陈大明"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "name" and "陈*明" in wrong.json()["message"]
    wrong_check = number[:-1] + ("1" if number[-1] == "0" else "0")
    bad = clerk.post("/api/v1/intake/applicants/", {**body, "id_number": wrong_check}, format="json")
    assert bad.status_code == 400 and "id_number" in bad.json()["errors"]
    assert Applicant.objects.count() == before + 1

    r = clerk.post(
        "/api/v1/intake/register/",
        {
            "item_id": world.immediate_item.pk,
            "applicant_id": created.json()["id"],
            "form_data": {
                "name": "陈小明",
                "identity_number": number,
                "mobile": "13800138077",
                "reason": "新开业申请",
            },
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["applicant"] == created.json()["id"]


def test_application_form_over_the_api_is_prefilled_for_the_applicant_only(world):
    """Point 2 for a mobile app: the form schema, the profile's values and the materials to upload."""
    url = f"/api/v1/forms/{world.parallel_item.code}/"
    public = APIClient().get(url)
    assert public.status_code == 200
    body = public.json()
    assert body["item_code"] == world.parallel_item.code and body["online_application"] is True
    keys = [f["key"] for f in body["fields"]]
    assert {"name", "identity_number", "mobile"} <= set(keys) and body["initial"] == {}
    assert body["materials"] and all({"name", "required", "shared"} <= set(m) for m in body["materials"])

    mine = api_for(world.applicant.user).get(url).json()
    assert mine["initial"]["name"] == world.applicant.name
    assert mine["initial"]["identity_number"] == world.applicant.id_number
    assert mine["fields"] == body["fields"]
    # a staff login has no applicant profile: nothing to pre-fill
    assert api_for(world.clerk).get(url).json()["initial"] == {}
    assert APIClient().get("/api/v1/forms/NO-SUCH-ITEM/").status_code == 404


def test_an_applicant_is_refused_a_staff_action_before_the_body_is_read(world):
    case = submit_online(world)
    applicant = api_for(world.applicant.user)
    before = version(case.pk)
    for action in ("accept", "refuse", "decide", "pause", "extend", "issue", "fee"):
        r = applicant.post(f"/api/v1/cases/{case.pk}/{action}/", {}, format="json")
        assert r.status_code == 403 and r.json()["message"] == "只有工作人员可以办理此操作。", action
    assert version(case.pk) == before


def test_case_list_status_filter_takes_known_states_only(world):
    case = submit_online(world)
    applicant = api_for(world.applicant.user)
    r = applicant.get("/api/v1/cases/", {"status": "submitted,draft"})
    assert r.status_code == 200 and [c["id"] for c in r.json()["results"]] == [case.pk]
    r = applicant.get("/api/v1/cases/", {"status": "submitted,__bogus__"})
    assert r.status_code == 400 and r.json()["field"] == "status" and "__bogus__" in r.json()["message"]
