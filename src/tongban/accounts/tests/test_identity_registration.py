"""Issue 12, point 1 at registration: the numbers the issue reports as refused (the GB 11643 worked
example and 440106199001011235) register on the web and over the API, the GB 32100 example registers a
legal person, and a wrong check character is refused naming the field — for the contact person too. Every
other write of an applicant (admin, demo loader: ``full_clean``) checks the same numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.accounts.models import Applicant, User
from tongban.accounts.tests.factories import StaffFactory
from tongban.common.choices import ApplicantKind
from tongban.common.tests.standards import gb11643_check, wrong_check
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db

ISSUE_NUMBERS = ["11010519491231002X", "440106199001011235"]
GB32100_EXAMPLE = "91350100M000100Y43"
PASSWORD = "Qiang-Mima-2024"


def natural(number: str) -> dict:
    return {"name": "张三", "id_number": number, "mobile": "13800138000"}


@pytest.mark.parametrize("number", ISSUE_NUMBERS)
def test_the_issue_numbers_register_on_the_web(client, number):
    data = {"type": "natural", **natural(number), "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 302, response.content.decode()
    assert Applicant.objects.get().id_number == number and User.objects.get().username == number


@pytest.mark.parametrize("number", ISSUE_NUMBERS)
def test_a_wrong_check_digit_is_refused_on_the_web(client, number):
    data = {"type": "natural", **natural(wrong_check(number)), "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 400 and "身份证号码校验位不正确" in response.content.decode()
    assert not User.objects.exists() and not Applicant.objects.exists()


@pytest.mark.parametrize("number", ISSUE_NUMBERS)
def test_the_issue_numbers_register_over_the_api(number):
    api = APIClient()
    r = api.post(
        "/api/v1/auth/register/", {"kind": "natural", **natural(wrong_check(number)), "password": PASSWORD}
    )
    assert r.status_code == 400 and r.json()["errors"] == {
        "id_number": ["身份证号码校验位不正确，请核对后重新输入。"]
    }
    r = api.post(
        "/api/v1/auth/register/", {"kind": "natural", **natural(number.lower()), "password": PASSWORD}
    )
    assert r.status_code == 201, r.json()
    assert r.json()["username"] == number


def test_a_legal_person_with_the_gb32100_example_and_its_contact():
    api = APIClient()
    body = {
        "kind": "legal",
        "name": "某某有限公司",
        "credit_code": GB32100_EXAMPLE,
        "legal_representative": "王五",
        "contact_name": "赵六",
        "contact_id_number": wrong_check(ISSUE_NUMBERS[0]),
        "mobile": "13700137000",
        "password": PASSWORD,
    }
    r = api.post(
        "/api/v1/auth/register/", {**body, "credit_code": wrong_check(GB32100_EXAMPLE)}, format="json"
    )
    assert r.status_code == 400 and set(r.json()["errors"]) == {"credit_code", "contact_id_number"}
    assert "统一社会信用代码校验位不正确" in r.json()["errors"]["credit_code"][0]
    assert "身份证号码校验位不正确" in r.json()["errors"]["contact_id_number"][0]
    r = api.post("/api/v1/auth/register/", {**body, "contact_id_number": ISSUE_NUMBERS[0]}, format="json")
    assert r.status_code == 201, r.json()
    assert Applicant.objects.get().contact_id_number == ISSUE_NUMBERS[0]


def test_model_validation_checks_every_number_and_normalises():
    """What the admin and the demo loader run before saving (both call full_clean)."""
    first17 = "44010619900101123"
    good = first17 + gb11643_check(first17)
    applicant = Applicant(kind=ApplicantKind.NATURAL, name="张三", id_number=wrong_check(good))
    with pytest.raises(ValidationError) as exc:
        applicant.full_clean()
    assert exc.value.message_dict == {"id_number": ["身份证号码校验位不正确，请核对后重新输入。"]}
    applicant.id_number = ISSUE_NUMBERS[0].lower()
    applicant.contact_id_number = wrong_check(good)
    with pytest.raises(ValidationError) as exc:
        applicant.full_clean()
    assert set(exc.value.message_dict) == {"contact_id_number"}
    applicant.contact_id_number = ""
    applicant.full_clean()
    assert applicant.id_number == ISSUE_NUMBERS[0]
    legal = Applicant(kind=ApplicantKind.LEGAL, name="某公司", credit_code=wrong_check(GB32100_EXAMPLE))
    with pytest.raises(ValidationError) as exc:
        legal.full_clean()
    assert set(exc.value.message_dict) == {"credit_code"}


def test_the_admin_refuses_a_wrong_number(client):
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:accounts_applicant_add")
    data = {"kind": "natural", "name": "张三", "id_number": wrong_check(ISSUE_NUMBERS[1]), "mobile": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and "身份证号码校验位不正确" in response.content.decode()
    assert not Applicant.objects.exists()
    response = client.post(url, {**data, "id_number": ISSUE_NUMBERS[1]})
    assert response.status_code == 302
    assert Applicant.objects.get().id_number == ISSUE_NUMBERS[1]


def test_the_audit_lists_stored_numbers_that_fail_validation():
    """Numbers stored before the fix (a wrong check digit was accepted then) are reported, masked."""
    import io

    from django.core.management import call_command

    from tongban.accounts.tests.factories import ApplicantFactory, LegalApplicantFactory

    ApplicantFactory(name="张三", id_number=ISSUE_NUMBERS[0])
    bad = ApplicantFactory(name="李四", id_number=wrong_check(ISSUE_NUMBERS[1]))
    LegalApplicantFactory(name="某公司", contact_id_number=wrong_check(ISSUE_NUMBERS[0]))
    out = io.StringIO()
    call_command("identity_audit", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "未通过校验的号码：2 个。"
    assert f"申请人身份证号码\t#{bad.pk}\t李四\t4401**********" in lines[0]
    assert "联系人身份证号码" in lines[1] and "某公司" in lines[1]
    assert wrong_check(ISSUE_NUMBERS[1]) not in out.getvalue()  # masked
