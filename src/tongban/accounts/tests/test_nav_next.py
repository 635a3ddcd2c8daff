"""The menu's 登录 / 注册 links carry the page the visitor is on (`next`), so signing in or up comes back
to it — and only ever a path on this site."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import ApplicantFactory
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.common.redirects import local_target

pytestmark = pytest.mark.django_db

PASSWORD = "Qiang-Mima-2024"


def menu_links(html: str) -> dict[str, str]:
    """{label: href} of the menu's sign-in and sign-up links."""
    nav = html[html.index("<nav") : html.index("</nav>")]
    return {
        label: href for href, label in re.findall(r'<a class="nav-link" href="([^"]+)">(登录|注册)</a>', nav)
    }


def test_menu_links_carry_the_current_page(client):
    item = ServiceItemFactory()
    page = reverse("catalogue:item-detail", args=[item.code])
    links = menu_links(client.get(page).content.decode())
    assert links == {
        "登录": f"{reverse('accounts:login')}?next={quote(page)}",
        "注册": f"{reverse('accounts:register')}?next={quote(page)}",
    }


def test_query_string_is_kept_and_encoded(client):
    page = (
        reverse("catalogue:guide-home") + f"?q={quote('营业执照')}&category=business"
    )  # as browsers send it
    links = menu_links(client.get(page).content.decode())
    assert links["登录"] == f"{reverse('accounts:login')}?next={quote(page, safe='/')}"
    login_page = client.get(links["登录"]).content.decode()
    assert f'<input type="hidden" name="next" value="{page.replace("&", "&amp;")}">' in login_page


def test_on_the_sign_in_pages_the_links_keep_their_next(client):
    target = "/cases/track/"
    links = menu_links(client.get(reverse("accounts:login") + f"?next={target}").content.decode())
    assert links["注册"] == f"{reverse('accounts:register')}?next={target}"
    links = menu_links(
        client.get(reverse("accounts:register") + "?next=https://evil.example.com/").content.decode()
    )
    assert links == {"登录": reverse("accounts:login"), "注册": reverse("accounts:register")}


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/guide/?q=1", True),
        ("//evil.example.com/guide/", False),
        ("/\\evil.example.com/", False),
        ("https://evil.example.com/", False),
        ("http://testserver/guide/", False),  # only paths, even of this host
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_only_local_paths_are_targets(rf, target, kept):
    assert local_target(rf.get("/"), target) == (target if kept else "")


def test_signing_in_from_the_menu_returns_to_the_page(client):
    item = ServiceItemFactory()
    page = reverse("catalogue:item-detail", args=[item.code])
    login_url = menu_links(client.get(page).content.decode())["登录"]
    applicant = ApplicantFactory(registered=True)
    applicant.user.set_password(PASSWORD)
    applicant.user.save()
    login_page = client.get(login_url).content.decode()
    assert f'<input type="hidden" name="next" value="{page}">' in login_page
    response = client.post(
        reverse("accounts:login"), {"username": applicant.user.username, "password": PASSWORD, "next": page}
    )
    assert response.status_code == 302 and response["Location"] == page


def test_signed_in_users_get_no_next(client):
    applicant = ApplicantFactory(registered=True)
    client.force_login(applicant.user)
    assert menu_links(client.get(reverse("catalogue:guide-home")).content.decode()) == {}
