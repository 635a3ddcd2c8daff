"""The guide's side of the search: life events to browse (home tiles, their page, the browse filter),
the search page's live results and its notes, and the admin pages of synonyms and life events."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import UserFactory
from tongban.catalogue import search_services as svc
from tongban.catalogue.models import LifeEventIntent, SearchEvent, SearchSynonym
from tongban.catalogue.tests.test_search import make_item
from tongban.organisations.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    market = DepartmentFactory(name="测试区市场监督管理局")
    return {
        "sole": make_item(
            "M1", "个体工商户设立登记", market, keywords="个体户", life_events=["start_business"]
        ),
        "food": make_item(
            "M2", "食品经营许可", market, keywords="餐饮许可", life_events=["operate_business"]
        ),
        "company": make_item("M3", "企业设立登记（营业执照）", market, life_events=["start_business"]),
        "marriage": make_item("C1", "内地居民结婚登记", market, category="citizen", life_events=["marriage"]),
    }


@pytest.fixture
def restaurant(items):
    return svc.life_event_create(
        actor=None,
        fields={
            "code": "open_restaurant",
            "name": "开餐馆",
            "description": "先办营业执照，再办食品经营许可。",
            "phrases": ["开饭店"],
            "item_codes": ["M1", "M2"],
            "sort_order": 1,
        },
    )


def body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


class TestLifeEvents:
    def test_home_tiles_link_each_event_with_its_number_of_items(self, client, restaurant):
        page = body(client.get(reverse("catalogue:guide-home")))
        url = reverse("catalogue:life-event", args=["open_restaurant"])
        assert re.search(
            rf'href="{url}">\s*<span class="fw-semibold">开餐馆</span>\s*<span class="count">2 个事项', page
        )
        # A theme's event counts its theme's items plus the listed ones outside the theme.
        svc.life_event_update(
            actor=None,
            event=LifeEventIntent.objects.get(code="marriage").pk,
            fields={"item_codes": ["M2", "C1"]},
        )
        page = body(client.get(reverse("catalogue:guide-home")))
        marriage = reverse("catalogue:life-event", args=["marriage"])
        assert re.search(
            rf'href="{marriage}">\s*<span class="fw-semibold">结婚</span>\s*<span class="count">2 个', page
        )

    def test_the_event_page_lists_its_items_in_order_then_related(self, client, restaurant, items):
        svc.life_event_update(actor=None, event=restaurant.pk, fields={"theme": "start_business"})
        page = body(client.get(reverse("catalogue:life-event", args=["open_restaurant"])))
        assert "<h1" in page and "开餐馆" in page and "先办营业执照" in page
        steps = page.index("通常要办的事项（按办理顺序）")
        related = page.index("其他相关事项")
        sole, food, company = (page.index(f"/items/{c}/") for c in ("M1", "M2", "M3"))
        assert steps < sole < food < related < company

    def test_unknown_and_inactive_events_are_404_in_chinese(self, client, restaurant):
        assert client.get(reverse("catalogue:life-event", args=["nope"])).status_code == 404
        svc.life_event_update(actor=None, event=restaurant.pk, fields={"is_active": False})
        response = client.get(reverse("catalogue:life-event", args=["open_restaurant"]))
        assert response.status_code == 404 and "人生事件不存在或已停用" in response.content.decode()

    def test_browse_filters_by_event(self, client, restaurant):
        page = body(client.get(reverse("catalogue:browse"), {"event": "open_restaurant"}))
        assert "/items/M1/" in page and "/items/M2/" in page and "/items/C1/" not in page
        assert '<option value="open_restaurant" selected>开餐馆</option>' in page
        everything = body(
            client.get(reverse("catalogue:browse"), {"event": "gone"})
        )  # stale links: no filter
        assert "/items/C1/" in everything


class TestSearchPage:
    def test_live_results_are_a_fragment(self, client, items):
        response = client.get(reverse("catalogue:guide-search"), {"q": "食品"}, HTTP_HX_REQUEST="true")
        fragment = body(response)
        assert "<html" not in fragment and "/items/M2/" in fragment and 'id="search-status"' in fragment
        page = body(client.get(reverse("catalogue:guide-search"), {"q": "食品"}))
        assert 'hx-target="#search-results"' in page and 'id="search-results"' in page

    def test_a_corrected_typo_says_what_was_searched(self, client, items):
        page = body(client.get(reverse("catalogue:guide-search"), {"q": "食品经营许渴"}))
        assert "已按“食品经营许可”查找" in page and "/items/M2/" in page

    def test_no_item_with_every_word_says_so(self, client, items):
        page = body(client.get(reverse("catalogue:guide-search"), {"q": "食品 结婚"}))
        assert "没有同时符合所有词的事项" in page
        assert "/items/M2/" in page and "/items/C1/" in page

    def test_nothing_found_offers_other_ways(self, client, items):
        page = body(client.get(reverse("catalogue:guide-search"), {"q": "量子纠缠"}))
        assert "未找到" in page and "#by-event" in page and "12345" in page


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


class TestAdmin:
    def test_add_a_synonym_through_the_service(self, admin_client, items):
        url = reverse("admin:catalogue_searchsynonym_add")
        response = admin_client.post(
            url, {"phrase": "饭店", "terms": "餐饮、食品经营", "item_codes": "", "is_active": "on"}
        )
        assert response.status_code == 302
        synonym = SearchSynonym.objects.get()
        assert synonym.terms == ["餐饮", "食品经营"]
        assert SearchEvent.objects.get().actor.is_superuser

    def test_an_error_shows_at_its_field(self, admin_client, items):
        url = reverse("admin:catalogue_searchsynonym_add")
        response = admin_client.post(
            url, {"phrase": "饭店", "terms": "", "item_codes": "NOPE", "is_active": "on"}
        )
        page = body(response)
        assert "事项清单中没有编码 NOPE" in page and not SearchSynonym.objects.exists()

    def test_saving_over_someone_elses_change_is_refused(self, admin_client, items):
        synonym = svc.synonym_create(actor=None, fields={"phrase": "饭店", "terms": ["餐饮"]})
        url = reverse("admin:catalogue_searchsynonym_change", args=[synonym.pk])
        form = body(admin_client.get(url))
        seen = re.search(r'name="seen" value="([^"]+)"', form).group(1)
        assert "餐饮" in form
        svc.synonym_update(actor=None, synonym=synonym.pk, fields={"terms": ["食品"]})
        data = {"phrase": "饭店", "terms": "小吃", "item_codes": "", "is_active": "on", "seen": seen}
        response = admin_client.post(url, data, follow=True)
        assert "刚被其他人修改" in response.content.decode()
        assert SearchSynonym.objects.get().terms == ["食品"]

    def test_delete_goes_through_the_service(self, admin_client, items):
        synonym = svc.synonym_create(actor=None, fields={"phrase": "饭店", "terms": ["餐饮"]})
        url = reverse("admin:catalogue_searchsynonym_delete", args=[synonym.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
        assert SearchEvent.objects.filter(kind="deleted", key="饭店").exists()

    def test_life_event_form(self, admin_client, items):
        url = reverse("admin:catalogue_lifeeventintent_add")
        data = {
            "code": "open_shop",
            "name": "开小店",
            "description": "",
            "phrases": "开店，开超市",
            "theme": "",
            "item_codes": "M1 M2",
            "sort_order": "5",
            "is_active": "on",
        }
        assert admin_client.post(url, data).status_code == 302
        event = LifeEventIntent.objects.get(code="open_shop")
        assert (event.phrases, event.item_codes, event.sort_order) == (["开店", "开超市"], ["M1", "M2"], 5)

    def test_import_and_export_from_the_list_page(self, admin_client, items):
        page = body(admin_client.get(reverse("admin:catalogue_searchsynonym_changelist")))
        assert reverse("admin:catalogue_search_import") in page
        assert reverse("admin:catalogue_search_export", args=["xlsx"]) in page
        upload = io.BytesIO("说法,对应检索词\n饭店,餐饮\n".encode())
        upload.name = "synonyms.csv"
        response = admin_client.post(reverse("admin:catalogue_search_import"), {"file": upload}, follow=True)
        assert (
            "导入完成" in response.content.decode() and SearchSynonym.objects.filter(phrase="饭店").exists()
        )
        bad = io.BytesIO("说法,直达事项编码\n丢了,NOPE\n".encode())
        bad.name = "bad.csv"
        response = admin_client.post(reverse("admin:catalogue_search_import"), {"file": bad})
        assert response.status_code == 400 and "import-errors" in response.content.decode()
        csv = admin_client.get(reverse("admin:catalogue_search_export", args=["synonyms"]))
        assert "饭店" in csv.content.decode("utf-8-sig")

    def test_the_change_log_is_read_only(self, admin_client):
        svc.synonym_create(actor=None, fields={"phrase": "饭店", "terms": ["餐饮"]})
        event = SearchEvent.objects.get()
        assert admin_client.get(reverse("admin:catalogue_searchevent_changelist")).status_code == 200
        assert admin_client.get(reverse("admin:catalogue_searchevent_add")).status_code == 403
        assert (
            admin_client.post(reverse("admin:catalogue_searchevent_delete", args=[event.pk])).status_code
            == 403
        )
