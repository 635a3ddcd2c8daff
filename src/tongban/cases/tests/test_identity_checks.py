"""Issue 12, point 1 in the cases app: every ID number a case reads is checked — the receiver's at pickup
(出件), the agent's (代办人), the person filed for, the walk-in at the window — with a Chinese error
naming the field, a 4xx and nothing written. Valid numbers are the GB 11643 worked example and numbers
whose check digit the test computes from the standard (``common.tests.standards``)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tongban.accounts.models import Applicant
from tongban.cases import services
from tongban.cases.choices import CaseStatus, Decision
from tongban.cases.models import Case, Step, Visit
from tongban.common.errors import ValidationFailed
from tongban.common.tests.standards import gb11643_check, wrong_check

from .helpers import define_serial, register_at_window, submit_online

GB11643_EXAMPLE = "11010519491231002X"


def concluded(world) -> Case:
    define_serial(world)
    case = submit_online(world)
    services.case_accept(actor=world.clerk, case_id=case.pk)
    review = Step.objects.get(case=case, status="open")
    services.step_complete(actor=world.approvers["住建"], step_id=review.pk, outcome="pass", opinion="符合")
    return services.case_decide(
        actor=world.heads["住建"],
        case_id=case.pk,
        decision="approved",
        reason="符合条件",
        legal_basis="第八条",
    )


def written(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.status,
        case.version,
        case.closed_at,
        case.events.count(),
        Visit.objects.filter(case=case).count(),
    )


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


PICKUP = {"method": "pickup", "identity_checked": True, "receiver_name": "张小明"}


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (wrong_check(GB11643_EXAMPLE), "领取人身份证号码校验位不正确"),
        ("", "请填写领取人身份证号码"),
        ("4401061990", "领取人身份证号码应为 18 位"),
    ],
)
def test_pickup_with_a_bad_receiver_number_is_refused_and_nothing_written(world, number, reason):
    case = concluded(world)
    before = written(case)
    with pytest.raises(ValidationFailed) as exc:
        services.case_issue(actor=world.clerk, case_id=case.pk, receiver_id_number=number, **PICKUP)
    assert exc.value.field == "receiver_id_number" and reason in exc.value.message
    assert written(case) == before and before[0] == CaseStatus.CONCLUDED


def test_pickup_through_the_api_names_the_field(world):
    case = concluded(world)
    before = written(case)
    bad = {**PICKUP, "receiver_id_number": wrong_check(GB11643_EXAMPLE), "expected_version": case.version}
    r = api_for(world.clerk).post(f"/api/v1/cases/{case.pk}/issue/", bad, format="json")
    assert r.status_code == 400
    assert r.json()["field"] == "receiver_id_number" and "校验位不正确" in r.json()["message"]
    assert written(case) == before
    good = {**bad, "receiver_id_number": GB11643_EXAMPLE.lower()}
    r = api_for(world.clerk).post(f"/api/v1/cases/{case.pk}/issue/", good, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    issued = case.events.get(kind="issued")
    assert issued.detail["receiver_id_number"] == GB11643_EXAMPLE


def test_pickup_on_the_staff_page_shows_the_error_at_the_field(client, world):
    case = concluded(world)
    before = written(case)
    client.force_login(world.clerk)
    response = client.post(
        reverse("work:case-issue", args=[case.pk]),
        {
            "expected_version": case.version,
            "method": "pickup",
            "identity_checked": "1",
            "receiver_name": "张小明",
            "receiver_id_number": wrong_check(GB11643_EXAMPLE),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'name="receiver_id_number"' in html and 'aria-invalid="true"' in html
    assert "领取人身份证号码校验位不正确" in html
    assert written(case) == before


def test_immediate_case_with_a_bad_receiver_number_stays_unaccepted(world):
    """即办: acceptance, decision and issuance are one transaction; a bad number undoes all three."""
    case = register_at_window(world, world.immediate_item)
    before = written(case)
    with pytest.raises(ValidationFailed) as exc:
        services.case_handle_immediately(
            actor=world.clerk,
            case_id=case.pk,
            reason="当场办结",
            decision=Decision.APPROVED,
            receiver_id_number=wrong_check(world.applicant.id_number),
            **PICKUP,
        )
    assert exc.value.field == "receiver_id_number"
    assert written(case) == before and case.accepted_on is None and not case.steps.exists()


def test_agent_number_is_checked_at_the_window(world):
    first17 = "44010619800229003"  # a leap day
    agent = {"name": "王代办", "id_number": first17 + gb11643_check(first17), "mobile": "13800138099"}
    register = {
        "actor": world.clerk,
        "item_id": world.serial_item.pk,
        "applicant_id": world.applicant.pk,
        "form_data": {
            "name": world.applicant.name,
            "identity_number": world.applicant.id_number,
            "mobile": world.applicant.mobile,
            "reason": "代办",
        },
    }
    before = Case.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.case_intake_register(
            **register, agent={**agent, "id_number": wrong_check(agent["id_number"])}
        )
    assert exc.value.errors == {"agent_id_number": "代办人身份证号码校验位不正确，请核对后重新输入。"}
    assert Case.objects.count() == before
    case = services.case_intake_register(**register, agent=agent)
    assert case.agent_id_number == agent["id_number"]


def test_walk_in_registration_accepts_the_standard_example_and_refuses_a_wrong_digit(world):
    clerk = api_for(world.clerk)
    body = {"kind": "natural", "name": "陈小红", "id_number": wrong_check(GB11643_EXAMPLE)}
    before = Applicant.objects.count()
    r = clerk.post("/api/v1/intake/applicants/", body, format="json")
    assert r.status_code == 400 and r.json()["errors"]["id_number"] == [
        "身份证号码校验位不正确，请核对后重新输入。"
    ]
    assert Applicant.objects.count() == before
    r = clerk.post("/api/v1/intake/applicants/", {**body, "id_number": GB11643_EXAMPLE}, format="json")
    assert r.status_code == 201, r.json()
    # a legal person's contact too
    legal = {"kind": "legal", "name": "某某公司", "credit_code": "91350100M000100Y43", "contact_name": "赵六"}
    r = clerk.post(
        "/api/v1/intake/applicants/",
        {**legal, "contact_id_number": wrong_check(GB11643_EXAMPLE)},
        format="json",
    )
    assert r.status_code == 400 and set(r.json()["errors"]) == {"contact_id_number"}
    r = clerk.post(
        "/api/v1/intake/applicants/", {**legal, "credit_code": "91350100M000100Y44"}, format="json"
    )
    assert r.status_code == 400 and "统一社会信用代码校验位不正确" in r.json()["errors"]["credit_code"][0]
    assert Applicant.objects.count() == before + 1


def test_walk_in_on_the_window_page(client, world):
    client.force_login(world.clerk)
    url = reverse("work:intake-new")
    data = {"kind": "natural", "name": "陈小红", "id_number": wrong_check(GB11643_EXAMPLE)}
    response = client.post(url, data)
    assert response.status_code == 400 and "身份证号码校验位不正确" in response.content.decode()
    assert not Applicant.objects.filter(name="陈小红").exists()
    response = client.post(url, {**data, "id_number": GB11643_EXAMPLE})
    assert response.status_code == 302
    assert Applicant.objects.get(name="陈小红").id_number == GB11643_EXAMPLE


def test_filing_for_someone_names_a_mistyped_number(client, world):
    client.force_login(world.other_applicant.user)
    data = {
        "as_agent": "1",
        "agent_name": "李四",
        "agent_id_number": world.other_applicant.id_number,
        "agent_mobile": "13800138002",
        "for_identity": wrong_check(world.applicant.id_number),
        "action": "save",
        "submit_key": "key-1",
        "f_name": world.applicant.name,
        "f_identity_number": world.applicant.id_number,
        "f_mobile": world.applicant.mobile,
        "f_reason": "代办",
    }
    url = reverse("cases:apply", kwargs={"code": world.serial_item.code})
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400 and "被代办人证件号码：身份证号码校验位不正确" in html
    assert not Case.objects.exists()
    response = client.post(url, {**data, "for_identity": world.applicant.id_number.lower()})
    assert response.status_code == 302
    assert Case.objects.get().applicant == world.applicant


@pytest.mark.parametrize(
    ("ftype", "value", "error"),
    [
        ("idnumber", GB11643_EXAMPLE.lower(), None),
        ("idnumber", wrong_check(GB11643_EXAMPLE), "“证件号码”身份证号码校验位不正确，请核对后重新输入。"),
        ("creditcode", "91350100M000100Y43", None),
        ("creditcode", "91350100M000100Y44", "“证件号码”统一社会信用代码校验位不正确，请核对后重新输入。"),
        ("identity", GB11643_EXAMPLE, None),
        ("identity", "91350100M000100Y43", None),
        ("identity", wrong_check(GB11643_EXAMPLE), "“证件号码”身份证号码校验位不正确，请核对后重新输入。"),
    ],
)
def test_item_form_fields_check_numbers_with_the_reason(ftype, value, error):
    from tongban.cases.forms import form_clean

    schema = {"fields": [{"key": "no", "label": "证件号码", "type": ftype, "required": True}]}
    cleaned, errors = form_clean(schema, {"no": value})
    assert errors == ({"no": error} if error else {})
    if not error:
        assert cleaned["no"] == value.upper()
