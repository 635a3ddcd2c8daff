"""Who an item is for (issue 12 point 8): a personal account could start a 法人-only item, got its ID
number put in the credit-code field and hit a wall at submission. Now the item and apply pages say who
the item is for before the form and what to do instead; nothing is pre-filled into the wrong field; the
services refuse the application cleanly (400 naming the applicant, nothing written) — online, over the
API and at the window — while acting as agent for a registered enterprise still works."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import LegalApplicantFactory
from tongban.cases import services
from tongban.cases.choices import CaseStatus
from tongban.cases.models import Case
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.common.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal_item(world):
    return ServiceItemFactory(
        code="QY001", name="企业设立登记", department=world.housing, applicant_kinds=["legal"]
    )


@pytest.fixture
def company(world):
    return LegalApplicantFactory(registered=True, name="广州测试科技有限公司")


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def company_form(company) -> dict:
    return {
        "name": company.name,
        "identity_number": company.credit_code,
        "mobile": company.mobile,
        "reason": "设立",
    }


class TestPagesSayWhoBeforeTheForm:
    def test_item_page_for_a_visitor(self, client, legal_item):
        html = client.get(reverse("catalogue:item-detail", args=["QY001"])).content.decode()
        assert "本事项仅限法人（企业、事业单位、社会组织等）申请。" in html
        assert 'data-fits="1"' in html and "您当前登录的是" not in html
        # the notice comes before the button that leads to the form
        assert html.index('id="audience"') < html.index('data-capability="apply_online"')

    def test_item_page_for_a_personal_account(self, client, world, legal_item):
        client.force_login(world.applicant.user)
        html = client.get(reverse("catalogue:item-detail", args=["QY001"])).content.decode()
        assert 'data-fits="0"' in html
        assert "您当前登录的是个人账户，不能以本人名义申请本事项" in html
        assert "退出并使用法人账户登录" in html
        assert f'value="/accounts/login/?next={reverse("cases:apply", args=["QY001"])}"' in html
        assert "填写单位的统一社会信用代码" in html

    def test_item_page_for_the_right_account(self, client, company, legal_item):
        client.force_login(company.user)
        html = client.get(reverse("catalogue:item-detail", args=["QY001"])).content.decode()
        assert 'data-fits="1"' in html and "不能以本人名义申请" not in html

    def test_apply_page_warns_and_fills_nothing_into_the_credit_code(self, client, world, legal_item):
        client.force_login(world.applicant.user)
        html = client.get(reverse("cases:apply", args=["QY001"])).content.decode()
        assert html.index('id="audience"') < html.index('id="application-form"')
        assert "您当前登录的是个人账户" in html
        assert world.applicant.id_number not in html  # not put in the 统一社会信用代码 field

    def test_apply_page_for_a_company_is_prefilled(self, client, company, legal_item):
        client.force_login(company.user)
        html = client.get(reverse("cases:apply", args=["QY001"])).content.decode()
        assert f'value="{company.credit_code}"' in html and 'data-fits="1"' in html

    def test_a_legal_account_on_a_personal_item(self, client, world, company):
        client.force_login(company.user)
        html = client.get(reverse("cases:apply", args=[world.serial_item.code])).content.decode()
        assert "本事项仅限个人（自然人）申请。" in html and "您当前登录的是法人账户" in html
        assert "退出并使用个人账户登录" in html


class TestTheFormRefusesCleanly:
    def test_web_save_is_refused_and_nothing_written(self, client, world, legal_item):
        client.force_login(world.applicant.user)
        data = {
            "f_name": world.applicant.name,
            "f_identity_number": world.applicant.id_number,
            "f_mobile": world.applicant.mobile,
            "f_reason": "设立",
            "action": "save",
        }
        response = client.post(reverse("cases:apply", args=["QY001"]), data)
        assert response.status_code == 400
        html = response.content.decode()
        assert "“企业设立登记”本事项仅限法人（企业、事业单位、社会组织等）申请，" in html
        assert f"{world.applicant.name}是自然人，不能作为申请人" in html
        assert not Case.objects.exists()

    def test_api_draft_and_one_go_submit_are_refused(self, world, legal_item):
        api = api_for(world.applicant.user)
        for url, body in (
            ("/api/v1/cases/drafts/", {"item_code": "QY001", "form_data": {}}),
            ("/api/v1/cases/submit/", {"item_id": legal_item.pk, "form_data": {}}),
        ):
            r = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
            assert r.status_code == 400, r.json()
            assert r.json()["field"] == "applicant" and "不能作为申请人" in r.json()["message"]
        assert not Case.objects.exists()

    def test_a_draft_saved_before_the_rule_cannot_be_submitted(self, world, legal_item):
        case = Case.objects.create(
            item=legal_item,
            applicant=world.applicant,
            submitted_by=world.applicant.user,
            channel="online",
            status=CaseStatus.DRAFT,
        )
        with pytest.raises(ValidationFailed) as exc:
            services.case_submit(actor=world.applicant.user, case_id=case.pk, idempotency_key="k")
        assert exc.value.field == "applicant"
        case.refresh_from_db()
        assert case.status == CaseStatus.DRAFT and case.number is None

    def test_window_intake_refuses_the_wrong_kind(self, world, legal_item):
        r = api_for(world.clerk).post(
            "/api/v1/intake/register/",
            {"item_id": legal_item.pk, "applicant_id": world.applicant.pk, "form_data": {}},
            format="json",
        )
        assert r.status_code == 400 and r.json()["field"] == "applicant"
        assert not Case.objects.exists()

    def test_acting_as_agent_for_a_registered_company_still_works(self, client, world, company, legal_item):
        client.force_login(world.applicant.user)
        data = {
            **{f"f_{k}": v for k, v in company_form(company).items()},
            "action": "save",
            "as_agent": "1",
            "for_identity": company.credit_code,
            "agent_name": world.applicant.name,
            "agent_id_number": world.applicant.id_number,
            "agent_mobile": world.applicant.mobile,
        }
        response = client.post(reverse("cases:apply", args=["QY001"]), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        case = Case.objects.get()
        assert case.applicant == company and case.agent_name == world.applicant.name


def test_the_form_api_says_who_may_apply(world, company, legal_item):
    personal = api_for(world.applicant.user).get("/api/v1/forms/QY001/").json()
    assert personal["applicant_kinds"] == ["legal"] and personal["account_fits"] is False
    assert personal["initial"] == {} and "不能作为申请人" in personal["account_message"]
    own = api_for(company.user).get("/api/v1/forms/QY001/").json()
    assert own["account_fits"] is True and own["initial"]["identity_number"] == company.credit_code
    assert own["account_message"] == ""
