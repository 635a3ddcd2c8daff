"""Public guide pages: anonymous access, 404s, badges, materials, flow, filters, search, English."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tongban.catalogue.choices import CaseKind, ItemStatus, LifeEvent, MaterialSource
from tongban.catalogue.models import MaterialRequirement
from tongban.catalogue.templatetags.guide import CHOICE_LABELS
from tongban.catalogue.tests.test_search import make_item
from tongban.catalogue.views import PAGE_SIZE, item_flow
from tongban.common.choices import ApplicantKind, ItemCategory
from tongban.organisations.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def market():
    return DepartmentFactory(name="测试区市场监督管理局", short_name="市场监管局")


@pytest.fixture
def civil():
    return DepartmentFactory(name="测试区民政局", short_name="民政局")


@pytest.fixture
def licence(market, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(
        "B001",
        "企业设立登记（营业执照）",
        market,
        keywords="开办企业",
        life_events=[LifeEvent.START_BUSINESS],
        visits_required=0,
        online_depth=7,
        summary="开办企业的第一步。",
        legal_basis="《中华人民共和国市场主体登记管理条例》第三条",
        conditions="依法申请设立登记的市场主体。",
        statutory_limit=15,
        promised_limit=3,
        charges_fee=True,
        fee_amount="10.00",
        fee_description="工本费每件10元",
        fee_basis="财政部相关文件",
        place="测试区政务服务中心一楼",
        hours="工作日 9:00–17:00",
        phone="020-12345678",
        complaint_phone="12345",
        result_name="营业执照",
    )
    MaterialRequirement.objects.create(
        item=item,
        position=1,
        name="公司登记（备案）申请书",
        original_copies=1,
        copy_copies=0,
        blank_form=ContentFile(b"%PDF-1.4 blank", name="form.pdf"),
        sample=ContentFile(b"%PDF-1.4 sample", name="sample.pdf"),
    )
    MaterialRequirement.objects.create(
        item=item, position=2, name="法定代表人身份证明", source=MaterialSource.SHARED
    )
    MaterialRequirement.objects.create(
        item=item, position=3, name="住所使用证明", required=False, condition="住所为租赁的提交租赁合同"
    )
    return item


@pytest.fixture
def marriage(civil):
    return make_item(
        "C001",
        "结婚登记",
        civil,
        item_type="07",
        category=ItemCategory.CITIZEN,
        applicant_kinds=[ApplicantKind.NATURAL],
        life_events=[LifeEvent.MARRIAGE],
        case_kind=CaseKind.IMMEDIATE,
        statutory_limit=1,
        promised_limit=0,
        visits_required=1,
    )


@pytest.fixture
def permit(market):
    return make_item(
        "B002", "食品经营许可", market, visits_required=2, life_events=[LifeEvent.START_BUSINESS]
    )


@pytest.fixture
def draft(market):
    return make_item("B009", "营业执照遗失补领", market, status=ItemStatus.DRAFT, published_at=None)


class TestAnonymousAccess:
    def test_every_page_answers_anonymously(self, client, licence, marriage):
        for url in [
            "/",
            reverse("catalogue:guide-home"),
            reverse("catalogue:browse"),
            reverse("catalogue:guide-search") + "?q=yyzz",
            reverse("catalogue:guide-suggest") + "?q=yyzz",
            reverse("catalogue:item-detail", args=[licence.code]),
        ]:
            response = client.get(url, follow=True)
            assert response.status_code == 200, url

    def test_unknown_and_unpublished_codes_are_404(self, client, draft):
        assert client.get(reverse("catalogue:item-detail", args=["NOPE"])).status_code == 404
        assert client.get(reverse("catalogue:item-detail", args=[draft.code])).status_code == 404

    def test_retired_item_is_404(self, client, market):
        old = make_item("B010", "旧事项", market, status=ItemStatus.RETIRED)
        assert client.get(reverse("catalogue:item-detail", args=[old.code])).status_code == 404

    def test_post_is_refused(self, client, licence):
        assert client.post(reverse("catalogue:guide-home")).status_code == 405


class TestHome:
    def test_tiles_and_counts(self, client, licence, marriage, permit, draft, civil):
        DepartmentFactory(name="测试区档案馆")  # a department without items is listed with 0
        body = text(client.get(reverse("catalogue:guide-home")))
        assert "autofocus" in body and '<label for="guide-q"' in body
        assert "个人办事" in body and "法人办事" in body
        assert "?applicant=legal" in body and "?applicant=natural" in body
        for category in ItemCategory:
            assert f"?category={category.value}" in body
        for event in LifeEvent:  # every theme is a life event from the start (migration 0003)
            assert reverse("catalogue:life-event", args=[event.value]) in body
        # counts: the draft is not counted
        assert re.search(r"测试区市场监督管理局</span>\s*<span class=\"count\">2 个事项", body)
        assert re.search(r"测试区档案馆</span>\s*<span class=\"count\">0 个事项", body)
        assert re.search(r"开办企业</span>\s*<span class=\"count\">2 个事项", body)
        assert "营业执照遗失补领" not in body
        assert "企业设立登记（营业执照）" in body  # latest published items


class TestItemPage:
    def test_every_element(self, client, licence):
        body = text(client.get(reverse("catalogue:item-detail", args=[licence.code])))
        for fragment in [
            "企业设立登记（营业执照）",
            "B001",
            "行政许可",
            "测试区市场监督管理局",
            "区级",
            "法人",
            "经营类",
            "开办企业",
            "《中华人民共和国市场主体登记管理条例》第三条",
            "依法申请设立登记的市场主体。",
            "15个工作日",
            "3个工作日",
            "承诺件",
            "0 次",
            "工本费每件10元",
            "财政部相关文件",
            "测试区政务服务中心一楼",
            "工作日 9:00–17:00",
            "020-12345678",
            'href="tel:12345"',
            "营业执照",
        ]:
            assert fragment in body, fragment

    def test_once_badge_only_when_at_most_one_visit(self, client, licence, marriage, permit):
        assert 'id="badge-once"' in text(client.get(reverse("catalogue:item-detail", args=[licence.code])))
        assert 'id="badge-once"' in text(client.get(reverse("catalogue:item-detail", args=[marriage.code])))
        assert 'id="badge-once"' not in text(client.get(reverse("catalogue:item-detail", args=[permit.code])))

    def test_materials_table(self, client, licence):
        body = text(client.get(reverse("catalogue:item-detail", args=[licence.code])))
        table = body[body.index('id="materials"') : body.index("</table>")]
        order = [table.index(n) for n in ["公司登记（备案）申请书", "法定代表人身份证明", "住所使用证明"]]
        assert order == sorted(order)
        form, sample = licence.materials.get(position=1).blank_form, licence.materials.get(position=1).sample
        assert f'href="{form.url}"' in table and f'href="{sample.url}"' in table
        assert "空白表格" in table and "示例样表" in table
        assert "免提交" in table  # shared data
        assert "按情形提交" in table and "住所为租赁的提交租赁合同" in table
        assert "原件 1 份" in table

    def test_no_materials(self, client, marriage):
        body = text(client.get(reverse("catalogue:item-detail", args=[marriage.code])))
        assert "本事项无需提交申请材料" in body

    def test_flow_chart_is_an_ordered_list(self, client, licence, marriage):
        body = text(client.get(reverse("catalogue:item-detail", args=[licence.code])))
        flow = body[body.index('<ol class="guide-flow"') :]
        flow = flow[: flow.index("</ol>")]
        # The review stages come from the item's process (cases app); without one, the default single stage.
        stages = re.findall(r'data-stage="([\w-]+)"', flow)
        assert stages == ["apply", "accept", "stage-1", "decide", "deliver"]
        assert "自受理之日起3个工作日内作出决定" in flow

    def test_item_flow_of_promised_and_immediate_items(self, licence, marriage):
        titles = [s["title"] for s in item_flow(licence)]
        assert titles[:2] == ["申请", "受理"] and titles[-2:] == ["决定", "送达/出件"] and len(titles) == 5
        assert item_flow(licence)[2]["actor"] == "测试区市场监督管理局"
        # declared 七级 (电子证照), but no e-licence is issued on this platform: the flow does not promise one
        assert "电子证照" not in item_flow(licence)[-1]["detail"]
        assert [s["title"] for s in item_flow(marriage)] == ["申请", "受理并当场办结", "出件"]

    def test_apply_button_follows_the_online_application(self, client, licence):
        # Shown exactly when the item takes online applications: never a dead button.
        body = text(client.get(reverse("catalogue:item-detail", args=[licence.code])))
        assert (
            f'href="{reverse("cases:apply", args=[licence.code])}" data-capability="apply_online">在线办理'
            in body
        )


class TestBrowse:
    def codes(self, client, query: str) -> list[str]:
        body = text(client.get(reverse("catalogue:browse") + query))
        return re.findall(r'href="/items/([^/]+)/"', body)

    def test_filters_combine(self, client, licence, marriage, permit, draft, market, civil):
        assert self.codes(client, "") == ["B001", "B002", "C001"]
        assert self.codes(client, "?applicant=natural") == ["C001"]
        assert self.codes(client, "?applicant=legal") == ["B001", "B002"]
        assert self.codes(client, "?category=citizen") == ["C001"]
        assert self.codes(client, f"?department={market.pk}") == ["B001", "B002"]
        assert self.codes(client, "?event=start_business") == ["B001", "B002"]
        assert self.codes(client, "?event=start_business&once=1") == ["B001"]
        assert self.codes(client, f"?department={civil.pk}&event=start_business") == []

    def test_unknown_filter_values_are_ignored(self, client, licence, marriage):
        assert self.codes(client, "?applicant=alien&category=x&event=y&department=abc") == ["B001", "C001"]

    def test_row_shows_department_badge_capabilities_and_limit(self, client, licence, permit):
        body = text(client.get(reverse("catalogue:browse")))
        row = body[body.index("企业设立登记（营业执照）") :]
        row = row[: row.index("</li>")]
        assert "最多跑一次" in row
        assert "测试区市场监督管理局" in row
        assert "网上办理" in row
        assert "电子证照" not in row and "网办深度" not in row  # a declared depth is no capability
        assert "3个工作日" in row
        other = body[body.index("食品经营许可") :]
        assert "最多跑一次" not in other[: other.index("</li>")]

    def test_pagination_keeps_filters(self, client, civil):
        for n in range(PAGE_SIZE + 3):
            make_item(f"P{n:03d}", f"测试事项{n}", civil, category="citizen")
        first = self.codes(client, f"?department={civil.pk}")
        assert len(first) == PAGE_SIZE
        body = text(client.get(reverse("catalogue:browse") + f"?department={civil.pk}"))
        assert f"?department={civil.pk}&amp;page=2" in body
        second = self.codes(client, f"?department={civil.pk}&page=2")
        assert len(second) == 3 and not set(first) & set(second)

    def test_no_results_message(self, client, marriage):
        body = text(client.get(reverse("catalogue:browse") + "?category=construction"))
        assert "没有符合筛选条件的事项" in body


class TestSearchPage:
    def test_results_best_first_with_count_and_highlight(self, client, licence, market):
        make_item("B003", "营业执照变更登记", market)
        body = text(client.get(reverse("catalogue:guide-search") + "?q=yyzz"))
        assert "找到 2 个与“yyzz”相关的事项" in body
        assert re.findall(r'href="/items/([^/]+)/"', body) == ["B003", "B001"]
        assert "<mark>营业执照</mark>变更登记" in body
        assert "企业设立登记（<mark>营业执照</mark>）" in body

    def test_no_match_says_so_with_tips(self, client, licence):
        body = text(client.get(reverse("catalogue:guide-search") + "?q=量子纠缠"))
        assert "未找到与“量子纠缠”相关的事项" in body
        assert "yyzz" in body  # the pinyin-initials tip
        assert reverse("catalogue:guide-home") in body

    def test_query_is_escaped(self, client, licence):
        body = text(client.get(reverse("catalogue:guide-search") + "?q=<script>x</script>"))
        assert "<script>x</script>" not in body
        assert "&lt;script&gt;" in body

    def test_empty_query(self, client, licence):
        body = text(client.get(reverse("catalogue:guide-search")))
        assert "请输入想办的事" in body

    def test_drafts_never_found(self, client, draft):
        assert "未找到" in text(client.get(reverse("catalogue:guide-search") + "?q=遗失"))

    def test_suggest_fragment(self, client, licence):
        body = text(client.get(reverse("catalogue:guide-suggest") + "?q=yyzz"))
        assert f'href="/items/{licence.code}/"' in body
        assert "<html" not in body
        assert "没有匹配的建议" in text(client.get(reverse("catalogue:guide-suggest") + "?q=xqzw"))


class TestEnglish:
    def test_guide_switches_to_english(self, client, licence):
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = text(client.get(reverse("catalogue:item-detail", args=[licence.code])))
        assert 'lang="en"' in body
        assert "Application materials" in body
        assert "Administrative licensing" in body  # choice label translated
        assert "At most one visit" in body
        home = text(client.get(reverse("catalogue:guide-home")))
        assert "Service guide" in home and "For individuals" in home

    def test_every_choice_label_is_listed_for_translation(self):
        from tongban.catalogue import choices

        labels = set(CHOICE_LABELS)
        for enum in [
            choices.ItemType,
            choices.LimitUnit,
            choices.CaseKind,
            choices.ServiceLevel,
            choices.OnlineDepth,
            choices.MaterialForm,
            choices.MaterialSource,
            choices.LifeEvent,
            ItemCategory,
            ApplicantKind,
        ]:
            missing = {str(label) for label in enum.labels} - labels
            assert not missing, (enum.__name__, missing)
