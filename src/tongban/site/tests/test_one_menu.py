"""One menu for the same role on every page (issue 12, point 9): the site's pages, the staff pages, the
error pages and the admin all draw templates/site/menu.html from the same entries, so a clerk on a
404 page or an administrator in the admin finds the same way around as everywhere else."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory

pytestmark = pytest.mark.django_db


class Menu(HTMLParser):
    """The entries of the page's menu, by key, and which one is the current page."""

    def __init__(self, html: str):
        super().__init__()
        self.keys: list[str] = []
        self.current: list[str] = []
        self.accesskeys: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "data-nav" in a:
            self.keys.append(a["data-nav"])
            if a.get("aria-current") == "page":
                self.current.append(a["data-nav"])
            if a.get("accesskey"):
                self.accesskeys[a["data-nav"]] = a["accesskey"]


def menu_of(client, path: str, expect: int = 200) -> Menu:
    response = client.get(path)
    assert response.status_code == expect, (path, response.status_code)
    return Menu(response.content.decode())


@pytest.fixture
def people():
    dept = DepartmentFactory(name="天河区住房和城乡建设局")
    hall = HallFactory(name="天河区政务服务中心")
    return {
        "clerk": StaffFactory.with_role(StaffRole.CLERK, hall=hall),
        "approver": StaffFactory.with_role(StaffRole.APPROVER, department=dept),
        "supervisor": StaffFactory.with_role(StaffRole.SUPERVISOR),
        "admin": StaffFactory.with_role(StaffRole.ADMINISTRATOR, is_superuser=True),  # as in the demo
        "applicant": ApplicantFactory(registered=True).user,
    }


STAFF_PAGES = ["/guide/", "/work/", "/notifications/", "/no-such-page/", "/work/cases/999999/"]


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor", "admin"])
def test_staff_see_one_menu_on_site_staff_and_error_pages(client, people, role):
    client.force_login(people[role])
    menus = {}
    for path in STAFF_PAGES:
        expect = 404 if path in ("/no-such-page/", "/work/cases/999999/") else 200
        menus[path] = menu_of(client, path, expect).keys
    first = menus["/guide/"]
    assert "dashboard" in first and "guide" in first
    assert all(keys == first for keys in menus.values()), menus


def test_the_window_and_task_links_follow_the_role_on_every_page(client, people):
    client.force_login(people["clerk"])
    menu = menu_of(client, "/guide/")
    assert {"intake", "issuance"} <= set(menu.keys) and "tasks" not in menu.keys
    assert menu.accesskeys == {"intake": "q"}
    client.force_login(people["approver"])
    menu = menu_of(client, "/notifications/")
    assert "tasks" in menu.keys and "intake" not in menu.keys and menu.accesskeys == {"tasks": "t"}


def test_the_admin_shows_the_same_menu(client, people):
    client.force_login(people["admin"])
    site = menu_of(client, "/guide/").keys
    assert "admin" in site
    admin = menu_of(client, "/admin/")
    assert admin.keys == site and admin.current == ["admin"]
    # a page deeper in the admin, and the admin's own 404, too
    assert menu_of(client, "/admin/catalogue/serviceitem/").keys == site
    assert menu_of(client, "/admin/no-such-page/", 404).keys == site


def test_the_current_page_is_marked(client, people):
    client.force_login(people["clerk"])
    assert menu_of(client, "/work/intake/").current == ["intake"]
    assert menu_of(client, "/work/issuance/").current == ["issuance"]
    assert menu_of(client, "/work/").current == ["dashboard"]
    assert menu_of(client, "/guide/").current == ["guide"]


def test_visitors_and_applicants_keep_their_menu_on_error_pages(client, people):
    visitor = menu_of(client, "/guide/").keys
    assert visitor == ["guide", "track"]
    assert menu_of(client, "/no-such-page/", 404).keys == visitor
    client.force_login(people["applicant"])
    mine = menu_of(client, "/guide/").keys
    assert "my-cases" in mine and "dashboard" not in mine and "admin" not in mine
    assert menu_of(client, "/work/", 403).keys == mine
    assert menu_of(client, "/my/999999/", 404).keys == mine
