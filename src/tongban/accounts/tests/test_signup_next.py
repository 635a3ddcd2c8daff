"""Sign-up (issue 12 point 8): every error in one round, and the page the person came from (`next`) kept
through login, the sign-up tabs, a refused form and a successful registration."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tongban.accounts.models import Applicant, User
from tongban.accounts.tests.factories import ApplicantFactory
from tongban.common.tests.standards import credit_code, id_number, wrong_check

pytestmark = pytest.mark.django_db

PASSWORD = "Qiang-Mima-2024"
NEXT = "/items/440106-SCJG-001/apply/"


def errors_by_input(html: str) -> dict[str, str]:
    """{input id: its error text} from the rendered form (the invalid-feedback under each input)."""
    return dict(re.findall(r'id="(id_\w+)_error">(.*?)</div></div>', html, flags=re.S))


class TestAllErrorsAtOnce:
    def test_missing_and_invalid_fields_together(self, client):
        data = {
            "type": "natural",
            "name": "",  # missing: the form's own check
            "id_number": wrong_check(id_number(7)),  # registration's check
            "mobile": "1380013",  # registration's check
            "password1": "12345678",  # too common and all digits: registration's check
            "password2": "12345678",
        }
        response = client.post(reverse("accounts:register"), data)
        assert response.status_code == 400
        html = response.content.decode()
        errors = errors_by_input(html)
        assert set(errors) == {"id_name", "id_id_number", "id_mobile", "id_password1"}, errors
        assert "校验位不正确" in errors["id_id_number"]
        assert "11 位" in errors["id_mobile"]
        assert "密码" in errors["id_password1"]
        summary = html[html.index('id="form-error-list"') :]
        assert summary.count("<li>") == 5  # the password has two reasons
        assert 'href="#id_id_number"' in summary
        assert not User.objects.exists()

    def test_already_registered_in_the_same_round_as_a_mismatched_password(self, client):
        taken = ApplicantFactory(registered=True)
        data = {
            "type": "natural",
            "name": "张三",
            "id_number": taken.id_number,
            "mobile": "13800138000",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        }
        errors = errors_by_input(client.post(reverse("accounts:register"), data).content.decode())
        assert "两次输入的密码不一致" in errors["id_password2"]
        assert "已注册，请直接登录" in errors["id_id_number"]

    def test_legal_person_every_error_at_once(self, client):
        data = {
            "type": "legal",
            "name": "",
            "credit_code": wrong_check(credit_code(3)),
            "legal_representative": "",
            "contact_name": "王芳",
            "contact_id_number": wrong_check(id_number(9)),
            "mobile": "12",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        errors = errors_by_input(client.post(reverse("accounts:register"), data).content.decode())
        assert set(errors) == {
            "id_name",
            "id_credit_code",
            "id_legal_representative",
            "id_contact_id_number",
            "id_mobile",
        }, errors

    def test_a_valid_form_still_registers(self, client):
        number = id_number(11)
        data = {
            "type": "natural",
            "name": "张三",
            "id_number": number,
            "mobile": "13800138000",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        assert client.post(reverse("accounts:register"), data).status_code == 302
        assert Applicant.objects.get().id_number == number


class TestNextIsKept:
    def test_login_page_offers_sign_up_with_next(self, client):
        html = client.get(reverse("accounts:login") + f"?next={NEXT}").content.decode()
        assert f'href="/accounts/register/?next={NEXT}"' in html
        assert f'href="/accounts/register/?type=legal&amp;next={NEXT}"' in html

    def test_tabs_form_and_refusal_keep_next(self, client):
        html = client.get(reverse("accounts:register") + f"?type=legal&next={NEXT}").content.decode()
        assert f'<input type="hidden" name="next" value="{NEXT}">' in html
        assert f'?type=natural&amp;next={NEXT}"' in html
        assert f'href="/accounts/login/?next={NEXT}"' in html
        refused = client.post(reverse("accounts:register"), {"type": "natural", "next": NEXT})
        assert f'<input type="hidden" name="next" value="{NEXT}">' in refused.content.decode()

    def test_registration_continues_where_the_person_came_from(self, client):
        data = {
            "type": "natural",
            "name": "张三",
            "id_number": id_number(12),
            "mobile": "13800138000",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": NEXT,
        }
        response = client.post(reverse("accounts:register"), data)
        assert response.status_code == 302 and response["Location"] == NEXT

    def test_a_next_off_the_site_is_ignored(self, client):
        data = {
            "type": "legal",
            "name": "广州测试科技有限公司",
            "credit_code": credit_code(5),
            "legal_representative": "张三",
            "contact_name": "王芳",
            "mobile": "13800138000",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "https://evil.example.com/",
        }
        response = client.post(reverse("accounts:register"), data)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")
