"""The 督办 form names a case by its case number (办件编号), not an internal id (issue 12 point 9): the
form, the list, the detail page and the API, with real cases from the case services."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import StaffFactory
from tongban.cases import services as cases
from tongban.cases.models import Step
from tongban.cases.tests.conftest import world  # noqa: F401  (the cases test world)
from tongban.cases.tests.helpers import define_parallel, define_serial, submit_online
from tongban.organisations.choices import StaffRole
from tongban.supervision.models import Directive
from tongban.testing.plugin import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock_start():
    """The cases tests' moment (10:00), not this app's (09:00): the cases world is used here."""
    return START


@pytest.fixture
def supervisor(world):  # noqa: F811
    return StaffFactory.with_role(StaffRole.SUPERVISOR, display_name="监察员")


def accepted(world, item=None, key="k1"):  # noqa: F811
    case = submit_online(world, item, key=key)
    return cases.case_accept(actor=world.clerk, case_id=case.pk)


def directive_form(**values):
    data = {"title": "加快审查", "required_action": "说明进度并于期限内办结。", "response_days": 3}
    data.update(values)
    return data


def test_the_form_takes_the_case_number_with_or_without_dashes(world, supervisor, client):  # noqa: F811
    define_serial(world)
    case = accepted(world)
    client.force_login(supervisor)
    page = client.get(
        reverse("supervision:directive-new"), {"subject_type": "case", "case_number": case.number}
    )
    body = page.content.decode()
    assert page.status_code == 200 and "办件编号" in body and case.number in body
    assert 'name="subject_id"' not in body  # no internal id to type
    r = client.post(
        reverse("supervision:directive-new"),
        directive_form(subject_type="case", case_number=case.number.replace("-", "")),
    )
    assert r.status_code == 302
    directive = Directive.objects.get()
    assert (directive.subject_type, directive.subject_id, directive.case_number) == (
        "case",
        case.pk,
        case.number,
    )
    assert directive.department == world.housing
    detail = client.get(reverse("supervision:directive", args=[directive.pk])).content.decode()
    assert case.number in detail and reverse("work:case", args=[case.pk]) in detail
    listing = client.get(reverse("supervision:directives"), {"case_number": case.number.replace("-", " ")})
    assert (
        case.number in listing.content.decode()
        and reverse("work:case", args=[case.pk]) in listing.content.decode()
    )
    none = client.get(reverse("supervision:directives"), {"case_number": "440106-20000101-000001"})
    assert directive.number not in none.content.decode()


def test_an_unknown_number_is_refused_on_its_field(world, supervisor, client):  # noqa: F811
    client.force_login(supervisor)
    r = client.post(
        reverse("supervision:directive-new"),
        directive_form(subject_type="case", case_number="440106-20260302-999999"),
    )
    assert r.status_code == 400
    assert "没有编号为“440106-20260302-999999”的办件。" in r.content.decode()
    assert not Directive.objects.exists()


def test_a_step_is_chosen_among_the_cases_open_steps(world, supervisor, client):  # noqa: F811
    define_parallel(world)
    case = accepted(world, world.parallel_item)
    steps = {s.name: s for s in Step.objects.filter(case=case, status="open")}
    assert set(steps) == {"住建审查", "规划审查", "消防审查"}
    client.force_login(supervisor)
    r = client.post(
        reverse("supervision:directive-new"), directive_form(subject_type="step", case_number=case.number)
    )
    body = r.content.decode()
    assert r.status_code == 400 and "有 3 个正在办理的环节，请选择要督办的环节。" in body
    assert all(f'value="{s.pk}"' in body for s in steps.values())
    fire = steps["消防审查"]
    r = client.post(
        reverse("supervision:directive-new"),
        directive_form(subject_type="step", case_number=case.number, step=fire.pk),
    )
    assert r.status_code == 302
    directive = Directive.objects.get()
    assert (directive.subject_id, directive.department, directive.case_number) == (
        fire.pk,
        world.fire,
        case.number,
    )


def test_the_watch_page_links_to_the_form_by_case_number(world, supervisor, client):  # noqa: F811
    from tongban.supervision.models import Deadline

    define_serial(world)
    case = accepted(world)
    client.force_login(supervisor)
    watch = Deadline.objects.get(subject_type="case", subject_id=case.pk)
    body = client.get(reverse("supervision:deadline", args=[watch.pk])).content.decode()
    assert f"subject_type=case&amp;case_number={case.number}" in body


def test_the_api_accepts_the_case_number(world, supervisor):  # noqa: F811
    define_serial(world)
    case = accepted(world)
    api = APIClient()
    api.force_authenticate(supervisor)
    r = api.post(
        "/api/v1/supervision/directives/",
        directive_form(subject_type="case", case_number=case.number.replace("-", "")),
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["case_number"], r.json()["case_id"], r.json()["subject_id"]) == (
        case.number,
        case.pk,
        case.pk,
    )
    bad = api.post(
        "/api/v1/supervision/directives/", directive_form(subject_type="case", case_number="1"), format="json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "case_number"
    listed = api.get("/api/v1/supervision/directives/", {"case_number": case.number}).json()["results"]
    assert [d["case_number"] for d in listed] == [case.number]
    workorder = api.post(
        "/api/v1/supervision/directives/",
        directive_form(subject_type="workorder", subject_id=1),
        format="json",
    )
    assert workorder.status_code == 400 and workorder.json()["field"] == "subject_type"  # no hotline app yet
