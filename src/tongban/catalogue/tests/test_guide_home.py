"""Guide home: tile counts equal a plain count over the published items, and follow every catalogue write
at once (the rendered body is memoised on its inputs, so nothing may go stale)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import StaffFactory
from tongban.catalogue import services, views
from tongban.catalogue.choices import ItemStatus, LifeEvent
from tongban.catalogue.models import ServiceItem
from tongban.catalogue.selectors import guide_counts
from tongban.catalogue.tests.test_search import make_item
from tongban.common.choices import ApplicantKind, ItemCategory
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

TILE = re.compile(
    r'(?:\?(applicant|category)=|/guide/(event)s/)([a-z_]+)/?">.*?<span class="count">(\d+) ', re.S
)
TOTAL = re.compile(r"共 (\d+) 个政务服务事项")


def python_counts() -> dict[tuple[str, str], int]:
    """The straightforward computation: decode every published item and count, once per item."""
    counts: Counter = Counter()
    for item in ServiceItem.objects.filter(status=ItemStatus.PUBLISHED):
        counts["category", item.category] += 1
        for kind in set(item.applicant_kinds):
            counts["applicant", kind] += 1
        for event in set(item.life_events):
            counts["event", event] += 1
    tiles = (
        [("applicant", k) for k in ApplicantKind.values]
        + [("category", c) for c in ItemCategory.values]
        + [("event", e) for e in LifeEvent.values]
    )
    return {tile: counts[tile] for tile in tiles}


def page_counts(client) -> tuple[int, dict[tuple[str, str], int]]:
    body = client.get(reverse("catalogue:guide-home")).content.decode()
    tiles = {(kind or event, value): int(n) for kind, event, value, n in TILE.findall(body)}
    return int(TOTAL.search(body).group(1)), tiles


def published_total() -> int:
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()


@pytest.fixture
def catalogue():
    market, civil = DepartmentFactory(), DepartmentFactory()
    make_item("A1", "营业执照", market, applicant_kinds=["legal"], life_events=["start_business"])
    make_item(
        "A2",
        "食品经营许可",
        market,
        applicant_kinds=["legal", "natural", "legal"],  # a repeated code counts once
        life_events=["start_business", "operate_business"],
    )
    make_item(
        "A3",
        "结婚登记",
        civil,
        category="citizen",
        applicant_kinds=["natural"],
        life_events=["marriage", "housing"],
    )
    make_item("A4", "出生登记", civil, category="citizen", applicant_kinds=["natural"], life_events=[])
    make_item("A5", "施工许可", market, category="construction", life_events=["construction"])
    make_item("D1", "草稿事项", civil, status=ItemStatus.DRAFT, published_at=None, life_events=["birth"])
    make_item("R1", "废止事项", civil, status=ItemStatus.RETIRED, life_events=["birth"])
    return market, civil


def test_counts_equal_a_python_count_over_the_published_items(client, catalogue):
    expected = python_counts()
    counts = guide_counts()
    assert counts.total == published_total() == 5
    selector = (
        {("applicant", k): n for k, n in counts.applicant_kinds.items()}
        | {("category", c): n for c, n in counts.categories.items()}
        | {("event", e): n for e, n in counts.life_events.items()}
    )
    assert selector == expected
    assert expected["applicant", "legal"] == 3 and expected["event", "birth"] == 0
    assert page_counts(client) == (5, expected)


def test_every_catalogue_write_shows_on_the_home_page_at_once(client, catalogue):
    market, _civil = catalogue
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    assert page_counts(client) == (5, python_counts())  # the body is now memoised

    item = services.item_create(
        actor=admin,
        code="N1",
        fields={
            "name": "新办事项",
            "item_type": "01",
            "department": market,
            "category": "citizen",
            "applicant_kinds": ["natural"],
            "life_events": ["birth"],
            "legal_basis": "依据",
            "conditions": "条件",
            "statutory_limit": 20,
            "promised_limit": 5,
        },
    )
    assert page_counts(client) == (5, python_counts())  # a draft is not shown
    services.item_publish(actor=admin, item=item)
    total, tiles = page_counts(client)
    assert (total, tiles) == (6, python_counts())
    assert tiles["event", "birth"] == 1 and tiles["category", "citizen"] == 3

    draft = services.item_new_version(actor=admin, item=item)
    services.item_update(actor=admin, item=draft, fields={"life_events": ["school"]})
    assert page_counts(client)[1]["event", "birth"] == 1  # the published version still counts
    services.item_publish(actor=admin, item=draft)
    total, tiles = page_counts(client)
    assert (total, tiles) == (6, python_counts())
    assert (tiles["event", "birth"], tiles["event", "school"]) == (0, 1)

    services.item_retire(actor=admin, item=draft, reason="测试")
    total, tiles = page_counts(client)
    assert (total, tiles) == (5, python_counts())
    assert tiles["event", "school"] == 0 and tiles["category", "citizen"] == 2


def test_department_and_latest_item_changes_show_at_once(client, catalogue):
    market, _civil = catalogue
    first = client.get(reverse("catalogue:guide-home")).content.decode()
    market.name = "改名后的市场监管局"
    market.save()
    body = client.get(reverse("catalogue:guide-home")).content.decode()
    assert "改名后的市场监管局" in body and body != first
    ServiceItem.objects.filter(code="A5").update(name="施工许可（改名）")  # even behind the services' back
    assert "施工许可（改名）" in client.get(reverse("catalogue:guide-home")).content.decode()


def test_memoised_body_equals_a_fresh_render(client, catalogue, settings):
    views._HOME_BODIES.clear()
    url = reverse("catalogue:guide-home")
    first, second = (client.get(url).content.decode() for _ in range(2))
    assert len(views._HOME_BODIES) == 1
    settings.DEBUG = True  # renders without the memo
    fresh = client.get(url).content.decode()
    csrf = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
    assert csrf.sub("", first) == csrf.sub("", second) == csrf.sub("", fresh)
    settings.DEBUG = False
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "Service guide" in english and "For individuals" in english  # the language is in the key
    assert len(views._HOME_BODIES) == 2


def test_query_count_does_not_grow_with_the_catalogue(client, catalogue, django_assert_num_queries):
    url = reverse("catalogue:guide-home")
    client.get(url)
    # counts, departments, latest items, life events (and their listed items, when any are listed)
    with django_assert_num_queries(4):
        client.get(url)
    civil = DepartmentFactory()
    for n in range(30):
        make_item(f"M{n}", f"事项{n}", civil, life_events=["birth", f"x{n}"])
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
