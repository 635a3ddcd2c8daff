"""The fee charged on a case (登记收费): the service, its denials, the API, the staff page, and the
fee_mismatch anomaly it feeds (exact evidence)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tongban.analytics.choices import AnomalyKind
from tongban.analytics.models import Anomaly
from tongban.analytics.services import anomalies_detect
from tongban.cases import services
from tongban.cases.choices import CaseEventKind, CaseStatus
from tongban.cases.models import Case, CaseEvent
from tongban.catalogue.models import ServiceItem
from tongban.common.errors import IllegalTransition, NotAllowed, ValidationFailed

from .conftest import START
from .helpers import define_serial, register_at_window

pytestmark = pytest.mark.django_db


def charging(item, amount: str = "50.00", description: str = "每件 50 元") -> None:
    ServiceItem.objects.filter(pk=item.pk).update(
        charges_fee=True, fee_amount=Decimal(amount), fee_description=description
    )


def accepted(world, item=None) -> Case:
    if item is None:
        define_serial(world)
    case = register_at_window(world, item or world.serial_item)
    return services.case_accept(actor=world.clerk, case_id=case.pk)


def state(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.fee_charged,
        case.fee_receipt_number,
        case.fee_recorded_at,
        case.fee_recorded_by_id,
        case.version,
        case.events.count(),
    )


def fee_events(case: Case):
    return list(CaseEvent.objects.filter(case=case, kind=CaseEventKind.FEE_RECORDED).order_by("id"))


# ---- the service -----------------------------------------------------------------------------------


def test_clerk_records_the_fee_with_its_receipt_and_the_log_says_so(
    world, django_capture_on_commit_callbacks
):
    charging(world.serial_item)
    case = accepted(world)
    version = case.version
    with django_capture_on_commit_callbacks(execute=True):
        services.case_fee_record(
            actor=world.clerk,
            case_id=case.pk,
            amount="50",
            receipt_number=" 粤财0001 ",
            expected_version=version,
        )
    case.refresh_from_db()
    assert case.fee_charged == Decimal("50.00") and case.fee_receipt_number == "粤财0001"
    assert case.fee_recorded_by == world.clerk and case.fee_recorded_at == START
    assert case.version == version + 1 and case.status == CaseStatus.IN_REVIEW
    [ev] = fee_events(case)
    assert ev.actor == world.clerk and ev.from_status == ev.to_status == CaseStatus.IN_REVIEW
    assert ev.note == "实收 50.00 元，票据号 粤财0001"
    assert ev.detail == {
        "amount": "50.00",
        "receipt_number": "粤财0001",
        "charges_fee": True,
        "catalogue_fee": "50.00",
    }
    assert not Anomaly.objects.filter(case=case).exists()  # as the catalogue says


def test_zero_is_allowed_without_a_receipt(world):
    case = accepted(world)
    services.case_fee_record(actor=world.clerk, case_id=case.pk, amount=0)
    case.refresh_from_db()
    assert case.fee_charged == Decimal("0.00") and case.fee_receipt_number == ""
    assert fee_events(case)[0].note == "实收 0.00 元"
    assert anomalies_detect() == 0  # nothing charged on an item that charges nothing


def test_denied_roles_and_states_change_nothing(world):
    define_serial(world)
    case = register_at_window(world)
    before = state(case)
    with pytest.raises(IllegalTransition) as exc:  # not yet accepted
        services.case_fee_record(actor=world.clerk, case_id=case.pk, amount="50", receipt_number="R1")
    assert exc.value.message == "办件当前状态为“待受理”，不能登记收费。"
    assert state(case) == before
    case = services.case_accept(actor=world.clerk, case_id=case.pk)
    before = state(case)
    for actor in (world.applicant.user, world.approvers["住建"], world.heads["住建"], world.other_clerk):
        with pytest.raises(NotAllowed):
            services.case_fee_record(actor=actor, case_id=case.pk, amount="50", receipt_number="R1")
    assert state(case) == before
    services.case_withdraw(actor=world.applicant.user, case_id=case.pk, reason="不办了")
    before = state(case)
    with pytest.raises(IllegalTransition):
        services.case_fee_record(actor=world.clerk, case_id=case.pk, amount="50", receipt_number="R1")
    assert state(case) == before and not fee_events(case)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "请填写实收金额（元），不收费请填 0。"),
        ("五十", "实收金额应为数字（元），例如 50 或 50.00。"),
        ("NaN", "实收金额应为数字（元），例如 50 或 50.00。"),
        ("-1", "实收金额不能为负数。"),
        ("12.345", "实收金额最多保留两位小数（精确到分）。"),
        ("1e12", "实收金额过大，请核对。"),
        ("1e400", "实收金额过大，请核对。"),  # too large to quantize: was a 500
    ],
)
def test_bad_amount_is_refused_naming_the_field(world, amount, message):
    case = accepted(world)
    before = state(case)
    with pytest.raises(ValidationFailed) as exc:
        services.case_fee_record(actor=world.clerk, case_id=case.pk, amount=amount, receipt_number="R1")
    assert (exc.value.field, exc.value.message) == ("amount", message)
    assert state(case) == before


def test_a_charge_needs_its_receipt_and_a_correction_its_reason(world):
    case = accepted(world)
    with pytest.raises(ValidationFailed) as exc:
        services.case_fee_record(actor=world.clerk, case_id=case.pk, amount="50.00")
    assert (
        exc.value.field == "receipt_number"
        and exc.value.message == "收取费用须填写票据号（财政票据或发票号码）。"
    )
    services.case_fee_record(actor=world.clerk, case_id=case.pk, amount="40", receipt_number="R1")
    before = state(case)
    # the same again (a double click): nothing happens
    services.case_fee_record(actor=world.clerk, case_id=case.pk, amount="40.00", receipt_number="R1")
    assert state(case) == before
    with pytest.raises(ValidationFailed) as exc:
        services.case_fee_record(actor=world.clerk, case_id=case.pk, amount="50", receipt_number="R2")
    assert exc.value.field == "reason" and exc.value.message == "请填写更正原因（已登记过收费）。"
    assert state(case) == before
    services.case_fee_record(
        actor=world.clerk, case_id=case.pk, amount="50", receipt_number="R2", reason="票据开错，已作废重开"
    )
    case.refresh_from_db()
    assert (case.fee_charged, case.fee_receipt_number) == (Decimal("50.00"), "R2")
    _, second = fee_events(case)
    assert second.note == "实收 50.00 元，票据号 R2（更正：原登记 40.00 元；原因：票据开错，已作废重开）"
    assert second.detail["previous"] == {"amount": "40.00", "receipt_number": "R1"}


def test_an_immediate_case_gets_its_fee_after_the_sitting(world):
    case = register_at_window(world, world.immediate_item)
    services.case_handle_immediately(
        actor=world.clerk,
        case_id=case.pk,
        reason="材料齐全",
        decision="approved",
        identity_checked=True,
        receiver_name="张小明",
        receiver_id_number=world.applicant.id_number,
    )
    services.case_fee_record(actor=world.clerk, case_id=case.pk, amount="10", receipt_number="R9")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.fee_charged == Decimal("10.00")


# ---- the anomaly -------------------------------------------------------------------------------------


def test_fee_on_a_free_item_is_an_anomaly_found_on_commit(world, django_capture_on_commit_callbacks):
    case = accepted(world)  # the serial item charges nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.case_fee_record(actor=world.clerk, case_id=case.pk, amount="30", receipt_number="R3")
    anomaly = Anomaly.objects.get(case=case)
    assert anomaly.kind == AnomalyKind.FEE_MISMATCH and anomaly.department_id == world.housing.pk
    assert anomaly.evidence == {
        "charged": "30.00",
        "catalogue_fee": None,
        "charges_fee": False,
        "fee_description": "",
        "receipt_number": "R3",
        "text": "实收 30.00 元，事项清单为不收费",
    }
    assert anomalies_detect() == 0  # once per case


def test_fee_other_than_the_catalogue_amount_and_what_is_not_flagged(world):
    charging(world.serial_item)
    define_serial(world)
    dearer = accepted(world, world.serial_item)
    services.case_fee_record(actor=world.clerk, case_id=dearer.pk, amount="80", receipt_number="R4")
    exact = accepted(world, world.serial_item)
    services.case_fee_record(actor=world.clerk, case_id=exact.pk, amount="50", receipt_number="R5")
    waived = accepted(world, world.serial_item)
    services.case_fee_record(actor=world.clerk, case_id=waived.pk, amount="0")
    not_recorded = accepted(world, world.serial_item)
    charging(world.immediate_item, amount="0", description="按证件张数每张 5 元")  # no fixed amount
    by_count = register_at_window(world, world.immediate_item)
    services.case_handle_immediately(
        actor=world.clerk,
        case_id=by_count.pk,
        reason="材料齐全",
        decision="approved",
        identity_checked=True,
        receiver_name="张小明",
        receiver_id_number=world.applicant.id_number,
    )
    services.case_fee_record(actor=world.clerk, case_id=by_count.pk, amount="15", receipt_number="R6")

    assert anomalies_detect() == 2  # dearer (80 ≠ 50) and waived (0 ≠ 50)
    found = {a.case_id: a.evidence for a in Anomaly.objects.filter(kind=AnomalyKind.FEE_MISMATCH)}
    assert set(found) == {dearer.pk, waived.pk}
    assert found[dearer.pk] == {
        "charged": "80.00",
        "catalogue_fee": "50.00",
        "charges_fee": True,
        "fee_description": "每件 50 元",
        "receipt_number": "R4",
        "text": "实收 80.00 元，事项清单收费标准 50.00 元",
    }
    assert found[waived.pk]["text"] == "实收 0.00 元，事项清单收费标准 50.00 元"
    assert exact.pk not in found and not_recorded.pk not in found and by_count.pk not in found


# ---- the API -----------------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_fee_through_the_api(world, client):
    charging(world.serial_item)
    case = accepted(world)
    path = f"/api/v1/cases/{case.pk}/fee/"
    before = state(case)
    r = api_for(world.applicant.user).post(path, {"amount": "50", "receipt_number": "R1"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = api_for(world.approvers["规划"]).post(path, {"amount": "50", "receipt_number": "R1"}, format="json")
    assert r.status_code == 404
    clerk = api_for(world.clerk)
    r = clerk.post(path, {"amount": "-5", "receipt_number": "R1"}, format="json")
    assert r.status_code == 400
    assert r.json() == {"code": "validation_failed", "message": "实收金额不能为负数。", "field": "amount"}
    r = clerk.post(path, {"receipt_number": "R1"}, format="json")
    assert r.status_code == 400 and r.json()["errors"]["amount"] == ["请填写实收金额（元），不收费请填 0。"]
    r = clerk.post(
        path, {"amount": 50, "receipt_number": "R1", "expected_version": case.version - 1}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert state(case) == before

    r = clerk.post(
        path, {"amount": 50.5, "receipt_number": "R1", "expected_version": case.version}, format="json"
    )
    assert r.status_code == 200
    body = r.json()
    assert body["fee_charged"] == "50.50" and body["fee_receipt_number"] == "R1"
    assert body["item_charges_fee"] is True and body["item_fee_amount"] == "50.00"
    assert body["version"] == case.version + 1 and "record_fee" in body["allowed_actions"]
    events = clerk.get(f"/api/v1/cases/{case.pk}/events/").json()
    rows = events["results"] if isinstance(events, dict) else events
    assert rows[-1]["kind"] == "fee_recorded" and rows[-1]["note"] == "实收 50.50 元，票据号 R1"

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    op = schema["paths"]["/api/v1/cases/{case_id}/fee/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(op["responses"])
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    props = schema["components"]["schemas"][ref]["properties"]
    assert (
        props["amount"]["format"] == "decimal"
        and "amount" in schema["components"]["schemas"][ref]["required"]
    )


# ---- the staff page ----------------------------------------------------------------------------------


def test_staff_page_form_records_the_fee_and_shows_it(world, client):
    charging(world.serial_item)
    case = accepted(world)
    page = reverse("work:case", args=[case.pk])
    client.force_login(world.approvers["住建"])
    assert 'id="fee"' not in client.get(page).content.decode()  # no form for department staff
    before = state(case)
    r = client.post(reverse("work:case-fee", args=[case.pk]), {"amount": "50", "receipt_number": "R1"})
    assert r.status_code == 403 and state(case) == before

    client.force_login(world.clerk)
    body = client.get(page).content.decode()
    assert 'id="fee"' in body and 'id="fee-amount" name="amount" value="50.00"' in body
    assert "收费 50.00 元（每件 50 元）" in body and "尚未登记" in body
    url = reverse("work:case-fee", args=[case.pk])
    r = client.post(url, {"amount": "5.005", "receipt_number": "R1", "expected_version": case.version})
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="fee-amount-error">实收金额最多保留两位小数（精确到分）。<' in body and 'value="5.005"' in body
    assert state(case) == before

    r = client.post(url, {"amount": "80", "receipt_number": "R1", "expected_version": case.version})
    assert r.status_code == 302 and r["Location"].endswith("#fee")
    body = client.get(page).content.decode()
    assert 'id="case-fee">实收 80.00 元 · 票据号 R1' in body and 'id="fee-differs"' in body
    assert 'data-event="fee_recorded"' in body and "实收 80.00 元，票据号 R1" in body
    assert 'id="fee-reason"' in body  # the form now corrects, with a reason
