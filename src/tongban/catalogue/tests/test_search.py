"""Catalogue search: pinyin index, matching and ranking (identical on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongban.catalogue.choices import ItemStatus
from tongban.catalogue.models import ServiceItem
from tongban.catalogue.search import (
    INITIALS_MAX,
    PINYIN_MAX,
    highlight_spans,
    index_text,
    load_items,
    query_terms,
    reindex_items,
    search,
    search_items,
    search_suggest,
)
from tongban.organisations.tests.factories import DepartmentFactory


def make_item(code: str, name: str, department=None, **fields) -> ServiceItem:
    """A published, valid item (tests of the guide build their own until the demo data lands)."""
    values = {
        "item_type": "01",
        "category": "business",
        "applicant_kinds": ["legal"],
        "legal_basis": "《中华人民共和国行政许可法》",
        "conditions": "符合法定条件的申请人。",
        "statutory_limit": 20,
        "promised_limit": 5,
        "status": ItemStatus.PUBLISHED,
        "published_at": timezone.now(),
    }
    values.update(fields)
    return ServiceItem.objects.create(
        code=code, name=name, department=department or DepartmentFactory(), **values
    )


def names(items) -> list[str]:
    return [i.name for i in items]


class TestIndexText:
    def test_name_and_keywords(self):
        full, initials = index_text("企业设立登记（营业执照）", "开办企业，公司注册")
        assert full.split() == ["qiyeshelidengjiyingyezhizhao", "kaibanqiye", "gongsizhuce"]
        assert initials.split() == ["qysldjyyzz", "kbqy", "gszc"]

    def test_heteronym_keeps_context_reading_first_and_the_other_too(self):
        full, initials = index_text("银行开户", "")
        assert full.split()[0] == "yinhangkaihu"
        assert "yinxingkaihu" in full.split()
        assert initials.split() == ["yhkh", "yxkh"]
        assert index_text("行政许可", "")[1].split() == ["xzxk", "hzxk"]

    def test_rare_readings_are_not_indexed(self):
        # pypinyin lists 立 wei and 登 de; nobody types them, so they must not add noise.
        assert index_text("设立登记", "")[1] == "sldj"

    def test_latin_letters_and_digits_stay_whole_full_width_folded(self):
        full, initials = index_text("ＩＣＰ备案 2 号", "")
        assert full == "icpbeian2hao"
        assert initials == "icpba2h"

    def test_columns_never_overflow(self):
        keywords = " ".join(f"关键词{i}号" for i in range(400))
        full, initials = index_text("很长的事项名称" * 10, keywords)
        assert len(full) <= PINYIN_MAX
        assert len(initials) <= INITIALS_MAX
        assert not full.endswith(" ")

    @pytest.mark.django_db
    def test_save_fills_the_columns_and_update_fields_keeps_them_in_step(self):
        item = make_item("C1", "结婚登记")
        assert (item.search_pinyin, item.search_initials) == ("jiehundengji", "jhdj")
        item.name = "离婚登记"
        item.save(update_fields=["name"])
        item.refresh_from_db()
        assert item.search_initials == "lhdj"

    @pytest.mark.django_db
    def test_reindex_fixes_rows_written_without_save(self):
        item = make_item("C1", "结婚登记")
        ServiceItem.objects.filter(pk=item.pk).update(search_pinyin="", search_initials="")
        assert reindex_items() == 1
        item.refresh_from_db()
        assert item.search_initials == "jhdj"
        assert reindex_items() == 0


def test_query_terms_split_fold_and_cap():
    assert query_terms("  营业执照　YYZZ, 企业（设立） ") == ["营业执照", "yyzz", "企业设立"]
    assert query_terms("a b c d e f g h") == ["a", "b", "c", "d", "e", "f"]
    assert query_terms("  ，。 ") == []


@pytest.fixture
def catalogue(db):
    market = DepartmentFactory(name="测试区市场监督管理局", short_name="市场监管局")
    civil = DepartmentFactory(name="测试区民政局", short_name="民政局")
    items = {
        "setup": make_item("B001", "企业设立登记（营业执照）", market, keywords="开办企业 公司注册"),
        "change": make_item("B002", "营业执照变更登记", market),
        "exact": make_item("B003", "营业执照", market),
        "food": make_item("B004", "食品经营许可", market, keywords="餐饮 营业"),
        "hours": make_item("B005", "个体工商户登记", market, summary="办理后领取营业执照。"),
        "marriage": make_item("B006", "结婚登记", civil, category="citizen", applicant_kinds=["natural"]),
        "bank": make_item("B007", "银行业金融机构设立审批", market),
        "draft": make_item("B008", "营业执照遗失补领", market, status=ItemStatus.DRAFT, published_at=None),
    }
    return items


class TestSearchItems:
    def test_chinese_word_ranks_exact_then_prefix_then_contains_then_keyword_then_summary(self, catalogue):
        assert names(search_items("营业执照")) == [
            "营业执照",  # exact name
            "营业执照变更登记",  # name prefix
            "企业设立登记（营业执照）",  # name contains
            "个体工商户登记",  # summary
        ]

    def test_fragment(self, catalogue):
        result = names(search_items("营业"))
        assert result[:3] == ["营业执照", "营业执照变更登记", "企业设立登记（营业执照）"]
        assert result[3] == "食品经营许可"  # keyword 营业 beats the summary
        assert result[4] == "个体工商户登记"

    def test_pinyin_initials(self, catalogue):
        result = names(search_items("yyzz"))
        assert result[0] == "营业执照"  # initials equal the whole name
        assert set(result) == {"营业执照", "营业执照变更登记", "企业设立登记（营业执照）"}
        assert names(search_items("YYZZ")) == result

    def test_full_pinyin(self, catalogue):
        result = names(search_items("yingyezhizhao"))
        assert result[0] == "营业执照"
        assert "企业设立登记（营业执照）" in result

    def test_heteronym_either_reading_finds_the_item(self, catalogue):
        assert names(search_items("yhy")) == ["银行业金融机构设立审批"]
        assert names(search_items("yxy")) == ["银行业金融机构设立审批"]

    def test_terms_are_anded(self, catalogue):
        assert names(search_items("营业执照 变更")) == ["营业执照变更登记"]
        assert names(search_items("qysl yyzz")) == ["企业设立登记（营业执照）"]
        assert search("营业执照 变更").partial is False

    def test_when_no_item_has_every_term_the_items_with_some_are_listed_and_flagged(self, catalogue):
        result = search("营业执照 结婚")
        assert result.partial is True
        found = names(load_items(result.ids))
        assert {"营业执照", "结婚登记"} <= set(found)

    def test_department_matches(self, catalogue):
        assert names(search_items("民政局")) == ["结婚登记"]

    def test_code_matches_exactly(self, catalogue):
        assert names(search_items("b006")) == ["结婚登记"]

    def test_no_match_and_empty_query(self, catalogue):
        assert search_items("量子纠缠") == []
        assert search_items("xqzw") == []
        assert search_items("   ") == []

    def test_only_published_even_when_the_queryset_includes_drafts(self, catalogue):
        everything = ServiceItem.objects.all()
        assert "营业执照遗失补领" not in names(search_items("遗失", everything))
        assert "营业执照遗失补领" not in names(search_items("yyzz"))

    def test_queryset_narrows(self, catalogue):
        civil = catalogue["marriage"].department
        assert search_items("登记", ServiceItem.objects.filter(department=civil)) == [catalogue["marriage"]]

    def test_like_wildcards_and_punctuation_are_dropped(self, catalogue):
        assert search_items("%") == []
        assert search_items("_%_") == []
        assert search_items("营业%") == search_items("营业")

    def test_ties_break_by_shorter_name_then_code(self, db):
        department = DepartmentFactory()
        make_item("Z2", "甲乙登记", department)
        make_item("Z1", "丙丁登记", department)
        make_item("A9", "戊登记事项", department)
        # All three contain 登记 (same tier): shorter names first, then code order.
        assert [i.code for i in search_items("登记")] == ["Z1", "Z2", "A9"]

    def test_suggest(self, catalogue):
        suggestions = search_suggest("yyzz", limit=2)
        assert [s.name for s in suggestions] == ["营业执照", "营业执照变更登记"]
        assert suggestions[0].department == "测试区市场监督管理局"
        assert search_suggest("") == []


class TestHighlight:
    def test_word(self):
        assert highlight_spans("企业设立登记（营业执照）", "营业执照") == [(7, 11)]

    def test_initials_and_full_pinyin_map_to_characters(self):
        text = "企业设立登记（营业执照）"
        assert highlight_spans(text, "yyzz") == [(7, 11)]
        assert highlight_spans(text, "yingye") == [(7, 9)]
        assert highlight_spans(text, "qysl zz") == [(0, 4), (9, 11)]

    def test_nothing_to_mark(self):
        assert highlight_spans("结婚登记", "xyz") == []
