"""How the search reads a citizen's query: segmentation without spaces, question words, synonyms, life
events, homophone typos, pinyin — and that administrators' changes take effect at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.catalogue import search_index, search_services
from tongban.catalogue.models import LifeEventIntent, SearchSynonym, ServiceItem
from tongban.catalogue.search import highlight_spans, search, search_items
from tongban.catalogue.tests.test_search import make_item
from tongban.organisations.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def names(items) -> list[str]:
    return [i.name for i in items]


@pytest.fixture
def items():
    police = DepartmentFactory(name="测试区公安分局", short_name="公安分局")
    market = DepartmentFactory(name="测试区市场监督管理局", short_name="市场监管局")
    civil = DepartmentFactory(name="测试区民政局", short_name="民政局")
    health = DepartmentFactory(name="测试区卫生健康局", short_name="卫健局")
    return {
        "id": make_item("P1", "居民身份证申领、换领、补领", police, keywords="身份证，办身份证"),
        "temp_id": make_item("P2", "临时居民身份证核发", police, keywords="临时身份证"),
        "licence": make_item(
            "M1", "企业设立登记（营业执照核发）", market, keywords="开办企业，公司注册，营业执照"
        ),
        "sole": make_item("M2", "个体工商户设立登记", market, keywords="个体户，开店"),
        "food": make_item("M3", "食品经营许可（新办）", market, keywords="餐饮许可，食品销售"),
        "works": make_item("M4", "建筑工程施工许可", market, keywords="开工，施工许可证"),
        "marriage": make_item("C1", "内地居民结婚登记", civil, keywords="领证，结婚证"),
        "remarry": make_item("C2", "补领婚姻登记证", civil, keywords="补办结婚证"),
        "birth_cert": make_item("H1", "出生医学证明补发", health, keywords="出生证明补办"),
        "birth_reg": make_item("H2", "出生登记（新生儿入户）", police, keywords="上户口"),
    }


def test_no_spaces_and_question_words(items):
    for query in ("营业执照办理", "办理营业执照", "我想问一下怎么办营业执照"):
        assert names(search_items(query))[0] == "企业设立登记（营业执照核发）", query


def test_words_of_a_sentence_are_weighted_by_how_rare_they_are(items):
    # 身份证 matches two items, 临时 one: the item with both comes first.
    assert names(search_items("身份证还没办好先办个临时的"))[0] == "临时居民身份证核发"


def test_a_synonym_adds_the_catalogues_own_words(items):
    assert names(search_items("身份证丢了"))[0] in {"居民身份证申领、换领、补领", "临时居民身份证核发"}
    search_services.synonym_create(actor=None, fields={"phrase": "丢了", "terms": ["补领", "补办"]})
    assert names(search_items("身份证丢了"))[0] == "居民身份证申领、换领、补领"
    assert names(search_items("结婚证丢了"))[0] == "补领婚姻登记证"


def test_a_synonym_may_point_at_items(items):
    assert search_items("暂住证") == []
    search_services.synonym_create(actor=None, fields={"phrase": "暂住证", "item_codes": ["P1"]})
    assert names(search_items("暂住证")) == ["居民身份证申领、换领、补领"]


def test_changes_take_effect_at_once_and_deactivation_too(items):
    assert search_items("开饭店") == [] or names(search_items("开饭店"))[0] != "食品经营许可（新办）"
    synonym = search_services.synonym_create(actor=None, fields={"phrase": "饭店", "terms": ["餐饮"]})
    assert names(search_items("开饭店"))[0] == "食品经营许可（新办）"
    search_services.synonym_update(actor=None, synonym=synonym.pk, fields={"is_active": False})
    assert "食品经营许可（新办）" not in names(search_items("开饭店"))


def test_a_change_made_by_another_process_is_seen(items):
    """No signal reaches this process; the stamp (count, id sum, latest change) still moves."""
    synonym = search_services.synonym_create(actor=None, fields={"phrase": "饭店", "terms": ["餐饮"]})
    assert names(search_items("开饭店"))[0] == "食品经营许可（新办）"
    later = timezone.now() + dt.timedelta(seconds=5)
    SearchSynonym.objects.filter(pk=synonym.pk).update(terms=["施工"], updated_at=later)
    assert names(search_items("开饭店"))[0] == "建筑工程施工许可"


def test_life_event_lists_its_items_first_in_order(items):
    search_services.life_event_create(
        actor=None,
        fields={
            "code": "open_restaurant",
            "name": "开餐馆",
            "phrases": ["开饭店", "开奶茶店"],
            "item_codes": ["M2", "M3", "M1"],
        },
    )
    in_order = ["个体工商户设立登记", "食品经营许可（新办）", "企业设立登记（营业执照核发）"]
    assert names(search_items("开饭店"))[:3] == in_order
    # The phrasing said in other words (开 … 奶茶店) still counts, a little less.
    assert names(search_items("我想开一家奶茶店需要办什么证"))[:3] == in_order


def test_a_phrasing_counts_only_at_word_boundaries(items):
    search_services.life_event_create(
        actor=None, fields={"code": "born", "name": "宝宝出生", "phrases": ["出生"], "item_codes": ["H2"]}
    )
    assert names(search_items("宝宝出生"))[0] == "出生登记（新生儿入户）"
    # 出生 inside 出生证明 is the document, not the life event.
    assert names(search_items("出生证明丢了"))[0] == "出生医学证明补发"


@pytest.mark.parametrize(
    "typed, read_as, first",
    [
        ("营业只照", "营业执照", "企业设立登记（营业执照核发）"),
        ("结昏登记", "结婚登记", "内地居民结婚登记"),
        ("身分证", "身份证", "临时居民身份证核发"),  # both contain 身份证: the shorter name first
    ],
)
def test_homophone_typos_are_corrected_to_the_catalogues_words(items, typed, read_as, first):
    result = search(typed)
    assert result.read_as == read_as
    assert names(search_items(typed))[0] == first


def test_a_correction_never_cuts_through_a_catalogue_word(items):
    # 开公 reads like 开工 (a keyword), but 公司 is a word of the catalogue: 开公司 stays as typed.
    assert search("开公司").read_as == ""
    assert names(search_items("开公司"))[0] == "企业设立登记（营业执照核发）"


def test_correct_words_are_not_corrected(items):
    assert search("营业执照").read_as == ""
    assert search("结婚登记").read_as == ""


@pytest.mark.parametrize(
    "typed, read_as, first",
    [
        ("yingyezhizhao", "营业执照", "企业设立登记（营业执照核发）"),
        ("jiehundengji", "结婚登记", "内地居民结婚登记"),
        ("linshishenfenzheng", "临时身份证", "临时居民身份证核发"),
    ],
)
def test_full_pinyin_is_spelled_out_in_the_catalogues_words(items, typed, read_as, first):
    assert search(typed).read_as == read_as
    assert names(search_items(typed))[0] == first


def test_initials_still_work(items):
    assert names(search_items("yyzz"))[0] == "企业设立登记（营业执照核发）"
    assert "临时居民身份证核发" in names(search_items("sfz"))


def test_highlight_marks_the_words_the_query_was_read_as(items):
    search_services.synonym_create(actor=None, fields={"phrase": "丢了", "terms": ["补领"]})
    search("身份证丢了")
    text = "居民身份证申领、换领、补领"
    marked = [text[s:e] for s, e in highlight_spans(text, "身份证丢了")]
    assert marked == ["身份证", "补领"]


def test_only_published_items_and_the_queryset_still_narrow(items):
    items["food"].status = "retired"
    items["food"].save()
    assert "食品经营许可（新办）" not in names(search_items("食品经营"))
    police_only = ServiceItem.objects.filter(department=items["id"].department)
    found = set(names(search_items("身份证丢了", police_only)))
    assert found and found <= {"居民身份证申领、换领、补领", "临时居民身份证核发"}


def test_the_stamp_is_read_once_a_second_outside_a_transaction(items, monkeypatch):
    search_items("营业执照")  # builds the index
    reads = []
    real = search_index._db_stamp
    monkeypatch.setattr(search_index, "_db_stamp", lambda: reads.append(1) or real())
    monkeypatch.setattr(type(search_index.connection), "in_atomic_block", False, raising=False)
    clock = [1000.0]
    monkeypatch.setattr(search_index.time, "monotonic", lambda: clock[0])
    search_index.current_index()
    search_index.current_index()
    assert len(reads) == 1
    clock[0] += 1.5
    search_index.current_index()
    assert len(reads) == 2


def test_a_life_event_and_synonym_tables_start_as_the_migration_left_them():
    # One life event per 主题分类 (so the guide's browse keeps its tiles), no synonyms.
    assert LifeEventIntent.objects.filter(theme="birth", code="birth").exists()
    assert not SearchSynonym.objects.exists()
