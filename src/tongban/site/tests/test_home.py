"""The front door (/ and LOGIN_REDIRECT_URL): staff land on the 工作台, everyone else on the guide;
a login with ?next= still goes to next."""

import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import PASSWORD, ApplicantFactory, StaffFactory
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
WORK = reverse("work:dashboard")
GUIDE = reverse("catalogue:guide-home")


def test_anonymous_visitor_goes_to_the_guide(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == GUIDE


@pytest.mark.parametrize("role", [StaffRole.CLERK, StaffRole.APPROVER, StaffRole.SUPERVISOR])
def test_staff_land_on_the_workbench_after_login(client, role):
    StaffFactory.with_role(role, username="staff1")
    response = client.post(LOGIN, {"username": "staff1", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == (WORK, 302)
    assert response.status_code == 200
    assert client.get("/")["Location"] == WORK


def test_applicant_lands_on_the_guide_after_login(client):
    applicant = ApplicantFactory(registered=True)
    response = client.post(LOGIN, {"username": applicant.user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == (GUIDE, 302)
    assert response.status_code == 200
    assert client.get("/")["Location"] == GUIDE


def test_an_explicit_next_still_wins(client):
    StaffFactory.with_role(StaffRole.CLERK, username="staff1")
    response = client.post(LOGIN + "?next=/track/", {"username": "staff1", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/track/"
    client.logout()
    applicant = ApplicantFactory(registered=True)
    response = client.post(
        LOGIN + "?next=" + reverse("cases:my-cases"),
        {"username": applicant.user.username, "password": PASSWORD},
    )
    assert response["Location"] == reverse("cases:my-cases")


def test_error_pages_say_why_in_chinese(client):
    """403 and 404 carry the service's own message in the site's layout; an unknown path gets a plain
    sentence, never Django's English default or an exception name."""
    applicant = ApplicantFactory(registered=True)
    client.force_login(applicant.user)
    denied = client.get("/work/")
    assert denied.status_code == 403
    page = denied.content.decode()
    assert "工作台仅供工作人员使用。" in page and 'id="error-message"' in page
    missing = client.get("/no-such-page/")
    body = missing.content.decode()
    assert missing.status_code == 404 and "您要找的页面不存在。" in body and "Resolver404" not in body
    case = client.get("/my/999999/")
    assert case.status_code == 404 and 'id="error-message"' in case.content.decode()


def test_api_paths_get_errors_in_the_api_shape(client):
    r = client.get("/api/v1/cases/abc/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "not_found" and r.json()["message"] == "您要找的页面不存在。"
    assert "您要找的页面不存在。" in r.content.decode()  # written as text, as DRF does


def test_a_server_error_on_the_api_is_json(rf):
    from tongban.site.views import server_error

    r = server_error(rf.get("/api/v1/cases/"))
    assert r.status_code == 500 and r["Content-Type"].startswith("application/json")
    assert server_error(rf.get("/guide/"))["Content-Type"].startswith("text/html")
