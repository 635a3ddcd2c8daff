"""No destructive action is the default (issue 12, point 9): the window's 受理 button is not where the
keyboard starts (Enter accepted the case), and 通过/准予 are never preselected — a decision is made by
the person, and a form sent without one is refused with a Chinese message naming the field, nothing
changed, through the pages and the API alike."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.cases import services
from tongban.cases.choices import CaseStatus, StepKind, StepStatus
from tongban.cases.models import Case, Step

from .helpers import define_serial, register_at_window

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, in order (enough to ask what is checked/focused)."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: (v if v is not None else "") for k, v in attrs}))

    def find(self, tag: str | None = None, **attrs) -> list[dict]:
        return [
            a
            for t, a in self.tags
            if (tag is None or t == tag) and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def autofocused(self) -> list[tuple[str, dict]]:
        return [(t, a) for t, a in self.tags if "autofocus" in a]


def page(client, user, case: Case) -> Elements:
    client.force_login(user)
    response = client.get(reverse("work:case", args=[case.pk]))
    assert response.status_code == 200
    return Elements(response.content.decode())


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return case.status, case.version, case.events.count(), case.documents.count(), case.decision


def test_the_accept_button_is_not_autofocused(client, world):
    case = register_at_window(world, world.serial_item)
    html = page(client, world.clerk, case)
    accept = [a for t, a in html.tags if t == "button" and a.get("accesskey") == "a"]
    assert accept and all("autofocus" not in a for a in accept)
    # the keyboard starts at the decision's heading: Enter there does nothing
    assert [(t, a.get("id")) for t, a in html.autofocused()] == [("h2", "h-intake")]


def test_immediate_decision_is_not_preselected(client, world):
    case = register_at_window(world, world.immediate_item)
    radios = page(client, world.clerk, case).find("input", name="decision")
    assert {r["value"] for r in radios} == {"approved", "denied"}
    assert not [r for r in radios if "checked" in r]


def _at_decision(world) -> tuple[Case, Step]:
    define_serial(world)
    case = register_at_window(world, world.serial_item)
    services.case_accept(actor=world.clerk, case_id=case.pk)
    review = case.steps.get(status=StepStatus.OPEN)
    services.step_complete(actor=world.approvers["住建"], step_id=review.pk, outcome="pass", opinion="同意")
    return Case.objects.get(pk=case.pk), case.steps.get(status=StepStatus.OPEN)


def test_step_outcome_is_not_preselected(client, world):
    define_serial(world)
    case = register_at_window(world, world.serial_item)
    services.case_accept(actor=world.clerk, case_id=case.pk)
    outcomes = page(client, world.approvers["住建"], case).find("input", name="outcome")
    assert {r["value"] for r in outcomes} == {"pass", "fail", "return"}
    assert not [r for r in outcomes if "checked" in r]


def test_decision_is_not_preselected(client, world):
    case, _step = _at_decision(world)
    decisions = page(client, world.heads["住建"], case).find("input", name="decision")
    assert {r["value"] for r in decisions} == {"approved", "denied"}
    assert not [r for r in decisions if "checked" in r]


def test_a_decision_sent_without_a_choice_is_refused_on_the_page(client, world):
    case, step = _at_decision(world)
    assert step.kind == StepKind.DECISION
    before = snapshot(case)
    client.force_login(world.heads["住建"])
    response = client.post(
        reverse("work:case-decide", args=[case.pk]),
        {"expected_version": case.version, "reason": "符合条件", "legal_basis": "《行政许可法》"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请选择审批决定（准予、不予）。" in body
    radios = Elements(body).find("input", name="decision")
    assert radios and all(r.get("aria-invalid") == "true" for r in radios)
    assert snapshot(case) == before


def test_a_step_sent_without_an_outcome_is_refused_on_the_page(client, world):
    define_serial(world)
    case = register_at_window(world, world.serial_item)
    case = services.case_accept(actor=world.clerk, case_id=case.pk)
    step = case.steps.get(status=StepStatus.OPEN)
    before = snapshot(case)
    client.force_login(world.approvers["住建"])
    response = client.post(
        reverse("work:step-complete", args=[case.pk, step.pk]),
        {"expected_version": case.version, "opinion": "同意"},
    )
    assert response.status_code == 400
    assert "请选择办理结果（通过、不通过、退回窗口）。" in response.content.decode()
    assert snapshot(case) == before
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN


def test_immediate_without_a_decision_is_refused_on_the_page(client, world):
    case = register_at_window(world, world.immediate_item)
    before = snapshot(case)
    client.force_login(world.clerk)
    response = client.post(
        reverse("work:case-immediate", args=[case.pk]),
        {
            "expected_version": case.version,
            "reason": "材料齐全",
            "method": "pickup",
            "identity_checked": "1",
            "receiver_name": world.applicant.name,
            "receiver_id_number": world.applicant.id_number,
        },
    )
    assert response.status_code == 400
    assert "请选择审批决定（准予、不予）。" in response.content.decode()
    assert snapshot(case) == before and case.status == CaseStatus.SUBMITTED


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_requires_the_choice_too(world):
    case, _step = _at_decision(world)
    before = snapshot(case)
    r = _api(world.heads["住建"]).post(
        f"/api/v1/cases/{case.pk}/decide/", {"reason": "符合", "legal_basis": "依据"}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"]["decision"] == ["请选择审批决定（准予、不予）。"]
    r = _api(world.heads["住建"]).post(
        f"/api/v1/cases/{case.pk}/decide/",
        {"decision": "maybe", "reason": "符合", "legal_basis": "依据"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"]["decision"] == ["审批决定只能是准予、不予之一。"]
    assert snapshot(case) == before

    immediate = register_at_window(world, world.immediate_item)
    before = snapshot(immediate)
    r = _api(world.clerk).post(
        f"/api/v1/cases/{immediate.pk}/handle-immediately/",
        {
            "reason": "材料齐全",
            "identity_checked": True,
            "receiver_name": world.applicant.name,
            "receiver_id_number": world.applicant.id_number,
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"]["decision"] == ["请选择审批决定（准予、不予）。"]
    assert snapshot(immediate) == before


def test_the_api_requires_a_step_outcome(world):
    define_serial(world)
    case = register_at_window(world, world.serial_item)
    case = services.case_accept(actor=world.clerk, case_id=case.pk)
    step = case.steps.get(status=StepStatus.OPEN)
    r = _api(world.approvers["住建"]).post(
        f"/api/v1/steps/{step.pk}/complete/", {"opinion": "同意"}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["errors"]["outcome"] == ["请选择办理结果（通过、不通过、退回窗口）。"]
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN


def test_the_service_has_no_default_decision(world):
    case = register_at_window(world, world.immediate_item)
    with pytest.raises(TypeError):
        services.case_handle_immediately(actor=world.clerk, case_id=case.pk, reason="材料齐全")  # type: ignore[call-arg]
    from tongban.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        services.case_handle_immediately(actor=world.clerk, case_id=case.pk, reason="材料齐全", decision="")
    assert exc.value.field == "decision" and exc.value.message == "请选择审批决定（准予、不予）。"
