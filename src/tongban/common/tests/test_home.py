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
