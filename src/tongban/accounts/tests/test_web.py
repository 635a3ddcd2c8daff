import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tongban.accounts.models import Applicant, User
from tongban.accounts.tests.factories import PASSWORD, ApplicantFactory, StaffFactory, make_id_number
from tongban.common.tests.standards import gb32100_check
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
REGISTER = reverse("accounts:register")
PROFILE = reverse("accounts:profile")


def test_login_page_renders_in_chinese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_username"' in html
    assert "身份证号码" in html
    assert "法人注册" in html


def test_staff_login_and_logout(client):
    StaffFactory(username="clerk1")
    response = client.post(LOGIN, {"username": "clerk1", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_by_get_is_refused(client):
    user = StaffFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_login_wrong_password_shows_remaining_tries_then_lock(client):
    StaffFactory(username="clerk1")
    with time_machine.travel(dt.datetime(2024, 5, 6, 1, 30, tzinfo=dt.UTC), tick=False):
        for remaining in (4, 3, 2, 1):
            response = client.post(LOGIN, {"username": "clerk1", "password": "wrong"})
            assert response.status_code == 400
            assert f"用户名或密码错误，还可尝试 {remaining} 次。" in response.content.decode()
        response = client.post(LOGIN, {"username": "clerk1", "password": "wrong"})
        assert response.status_code == 423
        assert "账户已锁定，请于 09:45 后再试。" in response.content.decode()
        response = client.post(LOGIN, {"username": "clerk1", "password": PASSWORD})
        assert response.status_code == 423
        assert "账户已锁定，请于 09:45 后再试。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_redirects_to_safe_next_only(client):
    StaffFactory(username="clerk1")
    response = client.post(LOGIN + "?next=/accounts/me/", {"username": "clerk1", "password": PASSWORD})
    assert response["Location"] == "/accounts/me/"
    client.logout()
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "clerk1", "password": PASSWORD}
    )
    assert "evil" not in response["Location"]


def test_register_page_has_two_tabs_that_work_without_js(client):
    html = client.get(REGISTER).content.decode()
    assert 'href="/accounts/register/?type=legal"' in html
    assert 'name="id_number"' in html
    html = client.get(REGISTER + "?type=legal").content.decode()
    assert 'name="credit_code"' in html
    assert 'aria-current="page" href="/accounts/register/?type=legal"' in html


def test_register_natural_logs_in_and_shows_masked_profile(client):
    number = make_id_number(321)
    response = client.post(
        REGISTER,
        {
            "type": "natural",
            "name": "张三",
            "id_number": number,
            "mobile": "13800138000",
            "password1": "Qiang-Mima-2024",
            "password2": "Qiang-Mima-2024",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    html = client.get(PROFILE).content.decode()
    assert "我的信息" in html
    assert number[:4] + "**********" + number[-4:] in html
    assert number not in html
    assert "138****8000" in html


def test_register_errors_are_shown_under_fields_and_nothing_is_created(client):
    number = make_id_number(321)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = client.post(
        REGISTER,
        {
            "type": "natural",
            "name": "张三",
            "id_number": wrong,
            "mobile": "123",
            "password1": "Qiang-Mima-2024",
            "password2": "Qiang-Mima-2024",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "身份证号码校验位不正确" in html
    assert "手机号码应为 11 位" in html
    assert 'aria-invalid="true"' in html
    assert User.objects.count() == 0


def test_register_password_mismatch(client):
    response = client.post(
        REGISTER,
        {
            "type": "natural",
            "name": "张三",
            "id_number": make_id_number(1),
            "mobile": "13800138000",
            "password1": "Qiang-Mima-2024",
            "password2": "Qiang-Mima-2025",
        },
    )
    assert "两次输入的密码不一致" in response.content.decode()
    assert User.objects.count() == 0


def test_register_legal_with_letter_code(client):
    first17 = "Y1110105MA0000009"
    code = first17 + gb32100_check(first17)
    response = client.post(
        REGISTER,
        {
            "type": "legal",
            "name": "某某基金会",
            "credit_code": code,
            "legal_representative": "王五",
            "contact_name": "赵六",
            "mobile": "13700137000",
            "password1": "Qiang-Mima-2024",
            "password2": "Qiang-Mima-2024",
        },
    )
    assert response.status_code == 302
    applicant = Applicant.objects.get()
    assert applicant.credit_code == code
    assert applicant.user.username == code
    html = client.get(PROFILE).content.decode()
    assert code in html and "某某基金会" in html


def test_register_duplicate_shows_field_error(client):
    existing = ApplicantFactory(registered=True, name="张三")
    response = client.post(
        REGISTER,
        {
            "type": "natural",
            "name": "张三",
            "id_number": existing.id_number,
            "mobile": "13800138000",
            "password1": "Qiang-Mima-2024",
            "password2": "Qiang-Mima-2024",
        },
    )
    assert response.status_code == 400
    assert "该身份证号码已注册，请直接登录。" in response.content.decode()
    assert User.objects.count() == 1


def test_profile_requires_login(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_profile_of_staff_lists_roles(client):
    user = StaffFactory.with_role(StaffRole.APPROVER)
    client.force_login(user)
    html = client.get(PROFILE).content.decode()
    assert "审批人员" in html
    assert user.assignments.get().department.name in html
