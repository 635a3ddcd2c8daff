import datetime as dt

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tongban.accounts.models import User
from tongban.accounts.tests.factories import (
    PASSWORD,
    ApplicantFactory,
    LegalApplicantFactory,
    StaffFactory,
    make_id_number,
)
from tongban.common.tests.standards import gb32100_check
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/auth/me/"
REGISTER = "/api/v1/auth/register/"


@pytest.fixture
def api():
    return APIClient()


def test_token_with_username_and_password(api):
    user = StaffFactory(username="api1")
    response = api.post(TOKEN, {"username": "api1", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_token_bad_credentials_400_in_chinese(api):
    StaffFactory(username="api1")
    response = api.post(TOKEN, {"username": "api1", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码错误，还可尝试 4 次。"}
    response = api.post(TOKEN, {"username": "ghost", "password": "nope"}, format="json")
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码错误。"}


def test_token_missing_fields_400(api):
    response = api.post(TOKEN, {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert set(body["errors"]) == {"username", "password"}


def test_token_locked_423_even_with_right_password_and_counts_like_web(api, client):
    StaffFactory(username="api1")
    with time_machine.travel(dt.datetime(2024, 5, 6, 2, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(3):
            api.post(TOKEN, {"username": "api1", "password": "nope"}, format="json")
        # the web form continues the same count
        for _ in range(2):
            client.post("/accounts/login/", {"username": "api1", "password": "nope"})
        response = api.post(TOKEN, {"username": "api1", "password": PASSWORD}, format="json")
    assert response.status_code == 423
    body = response.json()
    assert body["code"] == "account_locked"
    assert body["message"] == "账户已锁定，请于 10:15 后再试。"
    assert body["locked_until"].startswith("2024-05-06T02:15:00")
    assert not Token.objects.exists()


def test_me_with_token_shows_roles_and_departments(api):
    user = StaffFactory.with_role(StaffRole.APPROVER, username="dept1")
    token = api.post(TOKEN, {"username": "dept1", "password": PASSWORD}, format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = api.get(ME).json()
    assignment = user.assignments.get()
    assert body["kind"] == "staff"
    assert body["roles"] == ["approver"]
    assert body["departments"] == [{"id": assignment.department_id, "name": assignment.department.name}]
    assert body["halls"] == []
    assert body["applicant"] is None


def test_me_requires_authentication(api):
    response = api.get(ME)
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_me_of_applicant_masks_id(api):
    applicant = ApplicantFactory(registered=True)
    api.force_authenticate(applicant.user)
    body = api.get(ME).json()
    assert body["kind"] == "applicant"
    assert body["roles"] == []
    assert body["applicant"]["kind"] == "natural"
    assert (
        body["applicant"]["id_number_masked"] == applicant.id_number[:4] + "*" * 10 + applicant.id_number[-4:]
    )
    assert "id_number" not in body["applicant"]


def test_register_natural_via_api(api):
    number = make_id_number(555)
    payload = {
        "kind": "natural",
        "name": "张三",
        "id_number": number,
        "mobile": "13800138000",
        "password": "Qiang-Mima-2024",
    }
    response = api.post(REGISTER, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["username"] == number
    token = api.post(TOKEN, {"username": number, "password": "Qiang-Mima-2024"}, format="json")
    assert token.status_code == 200
    again = api.post(REGISTER, payload, format="json")
    assert again.status_code == 409
    assert again.json() == {
        "code": "already_registered",
        "message": "该身份证号码已注册，请直接登录。",
        "field": "id_number",
    }


def test_register_natural_validation_errors_via_api(api):
    response = api.post(
        REGISTER,
        {
            "kind": "natural",
            "name": "张三",
            "id_number": "110105",
            "mobile": "1",
            "password": "Qiang-Mima-2024",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert set(body["errors"]) == {"id_number", "mobile"}
    assert User.objects.count() == 0


def test_register_legal_via_api_accepts_letter_code(api):
    first17 = "N2110105MA0000001"
    code = first17 + gb32100_check(first17)
    response = api.post(
        REGISTER,
        {
            "kind": "legal",
            "name": "某某农民专业合作社",
            "credit_code": code,
            "legal_representative": "王五",
            "contact_name": "赵六",
            "mobile": "13700137000",
            "password": "Qiang-Mima-2024",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["applicant"]["credit_code"] == code


def test_register_legal_duplicate_via_api(api):
    existing = LegalApplicantFactory(registered=True)
    response = api.post(
        REGISTER,
        {
            "kind": "legal",
            "name": existing.name,
            "credit_code": existing.credit_code,
            "legal_representative": "王五",
            "contact_name": "赵六",
            "mobile": "13700137000",
            "password": "Qiang-Mima-2024",
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["field"] == "credit_code"
