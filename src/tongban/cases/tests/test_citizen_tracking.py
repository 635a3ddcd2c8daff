"""After submitting and on tracking (issue 12 point 8): what happens next and by when, the citizen-facing
events only, no "current stage" on a closed case, a printable receipt, case numbers typed with or without
dashes, and uploads that say 已上传，待提交 until they are submitted — on the pages and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.cases import services
from tongban.cases.choices import CaseEventKind
from tongban.cases.models import CaseEvent, Step, TrackingFailure
from tongban.cases.numbering import normalize_case_number
from tongban.cases.tracking import TRACKING_MAX_FAILURES

from .helpers import define_serial, submit_online

pytestmark = pytest.mark.django_db

INTERNAL = {"draft_saved", "material_uploaded", "step_opened", "step_completed", "material_checked"}


def closed_case(world):
    define_serial(world)
    case = submit_online(world)
    services.case_accept(actor=world.clerk, case_id=case.pk)
    for _ in range(2):
        step = Step.objects.get(case=case, status="open")
        actor = world.approvers["住建"] if step.role == "approver" else world.heads["住建"]
        if step.kind == "decision":
            services.case_decide(
                actor=actor, case_id=case.pk, decision="approved", reason="符合条件", legal_basis="第八条"
            )
        else:
            services.step_complete(actor=actor, step_id=step.pk, outcome="pass", opinion="符合")
    return services.case_issue(
        actor=world.clerk,
        case_id=case.pk,
        method="pickup",
        identity_checked=True,
        receiver_name=world.applicant.name,
        receiver_id_number=world.applicant.id_number,
    )


def track(client, number, code):
    return client.get(reverse("cases:track"), {"no": number, "code": code})


def api_track(number, code):
    return APIClient().get("/api/v1/track/", {"no": number, "code": code})


class TestNextStep:
    def test_after_submitting_the_office_decides_on_intake_within_five_working_days(self, client, world):
        define_serial(world)
        case = submit_online(world)
        client.force_login(world.applicant.user)
        html = client.get(reverse("cases:case-detail", args=[case.number]) + "?submitted=1").content.decode()
        # submitted on Monday 2 March 2026: five working days later is Monday 9 March
        assert case.intake_due == dt.date(2026, 3, 9)
        assert 'id="next-step"' in html and 'data-actor="office"' in html
        assert "在2026年3月9日前决定是否受理" in html
        assert f'href="/my/{case.number}/receipt/"' in html
        status = api_track(case.number, case.query_code).json()
        assert status["next_step"] == {
            "text": status["next_step"]["text"],
            "by": "2026-03-09",
            "actor": "office",
            "provisional": False,
        }
        assert "决定是否受理" in status["next_step"]["text"]

    def test_in_review_says_who_decides_by_when(self, client, world):
        define_serial(world)
        case = submit_online(world)
        case = services.case_accept(actor=world.clerk, case_id=case.pk)
        html = track(client, case.number, case.query_code).content.decode()
        day = case.due_date
        assert f"天河区住房和城乡建设局正在审查，将在{day.year}年{day.month}月{day.day}日前作出决定" in html

    def test_a_correction_names_the_materials_and_the_deadline(self, client, world):
        define_serial(world)
        case = submit_online(world)
        m = case.materials.order_by("id").first()
        case = services.case_request_correction(
            actor=world.clerk, case_id=case.pk, items=[{"material_id": m.pk, "reason": "缺少签字"}]
        )
        status = api_track(case.number, case.query_code).json()["next_step"]
        assert status["actor"] == "applicant" and m.name in status["text"]
        assert status["by"] == (case.correction_due.isoformat() if case.correction_due else None)

    def test_closed_case_needs_nothing_more(self, client, world):
        case = closed_case(world)
        status = api_track(case.number, case.query_code).json()["next_step"]
        assert status == {
            "text": "办件已办结，办理结果已在窗口领取，无需再做什么。",
            "by": None,
            "actor": "",
            "provisional": False,
        }


class TestPublicEvents:
    def test_case_page_tracking_and_api_show_the_public_events_only(self, client, world):
        case = closed_case(world)
        all_kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
        assert INTERNAL & all_kinds  # there are internal rows to hide
        public = [
            k
            for k in CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True)
            if k in CaseEventKind.public()
        ]
        assert public == ["submitted", "accepted", "decided", "issued", "visit"]

        client.force_login(world.applicant.user)
        html = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
        shown = [k for k in INTERNAL | set(public) if f'data-event="{k}"' in html]
        assert sorted(shown) == sorted(public)

        client.logout()
        html = track(client, case.number, case.query_code).content.decode()
        assert sorted(k for k in INTERNAL | set(public) if f'data-event="{k}"' in html) == sorted(public)
        events = api_track(case.number, case.query_code).json()["events"]
        assert [e["kind"] for e in events] == public
        assert all(set(e) == {"kind", "label", "at", "status_label"} for e in events)  # no names, no notes
        assert events[0]["at"].endswith("+08:00")  # Beijing time

    def test_the_set_is_defined_once(self):
        assert CaseEventKind.public() <= set(CaseEventKind.values)
        assert not INTERNAL & CaseEventKind.public()


class TestClosedCaseHasNoCurrentStage:
    def test_page_and_api(self, client, world):
        case = closed_case(world)
        assert case.current_stage  # the stored column still holds the last stage
        client.force_login(world.applicant.user)
        html = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
        assert 'aria-current="step"' not in html and "当前阶段" not in html
        api = APIClient()
        api.force_authenticate(world.applicant.user)
        assert api.get(f"/api/v1/cases/{case.pk}/").json()["current_stage"] is None

    def test_a_case_in_review_has_one(self, client, world):
        define_serial(world)
        case = services.case_accept(actor=world.clerk, case_id=submit_online(world).pk)
        client.force_login(world.applicant.user)
        html = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
        assert html.count('aria-current="step"') == 1
        api = APIClient()
        api.force_authenticate(world.applicant.user)
        assert api.get(f"/api/v1/cases/{case.pk}/").json()["current_stage"] == 1


class TestReceipt:
    def test_receipt_is_a_printable_page_with_number_code_next_step_and_qr(self, client, world):
        define_serial(world)
        case = submit_online(world)
        client.force_login(world.applicant.user)
        response = client.get(reverse("cases:receipt", args=[case.number]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "申请提交回执" in html and case.number in html and case.query_code in html
        assert "tongban/print.css" in html and 'id="print-receipt"' in html
        assert "<svg" in html and "在2026年3月9日前决定是否受理" in html
        assert "2026年3月2日 10:00" in html  # submitted at, Beijing time
        assert f"/track/?no={case.number}&amp;code={case.query_code}" in html
        for m in case.materials.all():
            assert m.name in html

    def test_only_the_owner_and_not_for_drafts(self, client, world):
        define_serial(world)
        case = submit_online(world)
        client.force_login(world.other_applicant.user)
        assert client.get(reverse("cases:receipt", args=[case.number])).status_code == 404


class TestCaseNumbersAsPeopleTypeThem:
    @pytest.mark.parametrize(
        "typed",
        [
            "{n}",
            "{compact}",
            " {spaced} ",
            "{fullwidth}",
        ],
    )
    def test_web_and_api(self, client, world, typed):
        define_serial(world)
        case = submit_online(world)
        compact = case.number.replace("-", "")
        number = typed.format(
            n=case.number,
            compact=compact,
            spaced=case.number.replace("-", " "),
            fullwidth=case.number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
        )
        response = track(client, number, case.query_code.lower())
        assert response.status_code == 200 and f'data-status="{case.status}"' in response.content.decode()
        assert api_track(number, case.query_code).json()["number"] == case.number

    def test_normalisation(self):
        assert normalize_case_number("44010620261123000123") == "440106-20261123-000123"
        assert normalize_case_number("440106 20261123 000123") == "440106-20261123-000123"
        assert normalize_case_number("440106—20261123—000123") == "440106-20261123-000123"
        assert normalize_case_number("abc-1") == "ABC-1"
        assert normalize_case_number("4401062026112300012") == "4401062026112300012"  # one digit short

    def test_spellings_of_one_number_share_its_guessing_limit(self, client, world, settings):
        define_serial(world)
        case = submit_online(world)
        compact = case.number.replace("-", "")
        for i in range(TRACKING_MAX_FAILURES):
            spelling = compact if i % 2 else case.number.replace("-", " ")
            assert track(client, spelling, "AAAAAAAA").status_code == 404
        assert set(TrackingFailure.objects.filter(scope="number").values_list("key", flat=True)) == {
            case.number
        }
        assert track(client, compact, case.query_code).status_code == 429


class TestUploadsBeforeSubmission:
    def test_a_correction_upload_waits_for_resubmission(self, client, world):
        define_serial(world)
        case = submit_online(world)
        m = case.materials.order_by("id").first()
        services.case_request_correction(
            actor=world.clerk, case_id=case.pk, items=[{"material_id": m.pk, "reason": "缺少签字"}]
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        from .conftest import PDF

        client.force_login(world.applicant.user)
        url = reverse("cases:material-upload", kwargs={"case_id": case.pk, "material_id": m.pk})
        row = client.post(url, {"file": SimpleUploadedFile("new.pdf", PDF)}, HTTP_HX_REQUEST="true")
        assert "已上传，待提交" in row.content.decode() and "SHA-256" not in row.content.decode()
        page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
        assert "已上传，待提交" in page
        client.post(reverse("cases:resubmit", args=[case.number]), {"expected_version": ""})
        page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
        assert "已上传，待提交" not in page and "已提交" in page


def test_the_case_api_says_what_happens_next_and_what_is_not_yet_submitted(world):
    from tongban.cases.models import CaseMaterial

    from .conftest import form_for
    from .helpers import upload_all

    define_serial(world)
    draft = services.case_draft_save(
        actor=world.applicant.user,
        item_id=world.serial_item.pk,
        form_data={"name": world.applicant.name},
    )
    upload_all(draft, world.applicant.user)
    api = APIClient()
    api.force_authenticate(world.applicant.user)
    body = api.get(f"/api/v1/cases/{draft.pk}/").json()
    assert body["next_step"]["actor"] == "applicant" and "提交申请" in body["next_step"]["text"]
    assert {(m["status_display"], m["pending_submission"]) for m in body["materials"]} == {
        ("已上传，待提交", True)
    }
    case = services.case_submit(
        actor=world.applicant.user,
        case_id=draft.pk,
        idempotency_key="k9",
        form_data=form_for(world.applicant),
    )
    body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["next_step"] == {
        "text": body["next_step"]["text"],
        "by": case.intake_due.isoformat(),
        "actor": "office",
        "provisional": False,
    }
    assert {(m["status_display"], m["pending_submission"]) for m in body["materials"]} == {("已提交", False)}
    assert CaseMaterial.objects.filter(case=case).count() == 2
