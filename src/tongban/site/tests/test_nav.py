import pytest

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.organisations.choices import StaffRole


@pytest.mark.django_db
def test_anonymous_visitor_gets_no_personal_menu(client):
    html = client.get("/guide/").content.decode()
    assert "/my/" not in html
    assert 'href="/work/"' not in html
    assert 'href="/track/"' in html  # 办件查询: a visitor holding a paper notice finds it from every page


@pytest.mark.django_db
def test_applicant_menu_offers_my_cases_not_the_workbench(client):
    applicant = ApplicantFactory(registered=True)
    client.force_login(applicant.user)
    html = client.get("/guide/").content.decode()
    assert 'href="/my/"' in html
    assert 'href="/work/"' not in html
    assert 'href="/track/"' in html


@pytest.mark.django_db
def test_clerk_menu_offers_the_workbench_and_calling(client):
    clerk = StaffFactory.with_role(StaffRole.CLERK)
    client.force_login(clerk)
    html = client.get("/guide/").content.decode()
    assert 'href="/work/"' in html
    assert 'href="/hall/window/"' in html
    assert 'href="/my/"' not in html
    assert 'href="/track/"' not in html  # staff find cases in their own lists
