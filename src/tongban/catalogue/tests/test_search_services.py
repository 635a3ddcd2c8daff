"""Synonyms and life events: who may change them, the checks (Chinese, naming the field), conflicts,
the change log, and import/export as XLSX and CSV (all or nothing, row-by-row errors)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from tongban.accounts.tests.factories import StaffFactory
from tongban.catalogue import search_io
from tongban.catalogue import search_services as svc
from tongban.catalogue.models import LifeEventIntent, SearchEvent, SearchSynonym
from tongban.catalogue.tests.test_search import make_item
from tongban.common.errors import Conflict, NotAllowed, ValidationFailed
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return StaffFactory.with_role(StaffRole.ADMINISTRATOR)


@pytest.fixture
def items():
    department = DepartmentFactory()
    return [make_item("X-1", "居民身份证申领", department), make_item("X-2", "食品经营许可", department)]


class TestSynonyms:
    def test_create_normalises_and_logs(self, admin, items):
        synonym = svc.synonym_create(
            actor=admin, fields={"phrase": " 丢 了 ", "terms": "补领、补办，补领", "item_codes": ["X-1"]}
        )
        assert (synonym.phrase, synonym.terms, synonym.item_codes) == ("丢了", ["补领", "补办"], ["X-1"])
        event = SearchEvent.objects.get()
        assert (event.target, event.key, event.kind, event.actor) == ("synonym", "丢了", "created", admin)
        assert event.detail["after"]["terms"] == ["补领", "补办"]

    def test_full_width_and_case_are_folded(self, admin):
        assert svc.synonym_create(actor=admin, fields={"phrase": "ＫＴＶ", "terms": ["娱乐"]}).phrase == "ktv"

    @pytest.mark.parametrize("role", [StaffRole.CLERK, StaffRole.APPROVER, StaffRole.SUPERVISOR])
    def test_only_catalogue_administrators(self, role, items):
        user = StaffFactory.with_role(role)
        with pytest.raises(NotAllowed) as exc:
            svc.synonym_create(actor=user, fields={"phrase": "丢了", "terms": ["补领"]})
        assert exc.value.status == 403 and "管理员" in exc.value.message
        assert not SearchSynonym.objects.exists()

    @pytest.mark.parametrize(
        "fields, field, words",
        [
            ({"phrase": "", "terms": ["补领"]}, "phrase", "说法：不能为空"),
            ({"phrase": "丢了"}, "terms", "至少填写一项"),
            ({"phrase": "丢了", "item_codes": ["NO-SUCH"]}, "item_codes", "没有编码 NO-SUCH"),
            ({"phrase": "丢了", "terms": ["补" * 40]}, "terms", "超过 32 个字"),
            ({"phrase": "丢了", "terms": 5}, "terms", "应为列表"),
            ({"phrase": "丢了", "terms": ["补领"], "colour": "red"}, "colour", "未知"),
            ({"phrase": "丢了", "terms": ["补领"], "is_active": "yes"}, "is_active", "true 或 false"),
        ],
    )
    def test_bad_input_names_the_field_in_chinese(self, admin, items, fields, field, words):
        with pytest.raises(ValidationFailed) as exc:
            svc.synonym_create(actor=admin, fields=fields)
        assert exc.value.field == field and words in exc.value.message and exc.value.status == 400
        assert not SearchSynonym.objects.exists() and not SearchEvent.objects.exists()

    def test_duplicate_phrase_is_a_conflict(self, admin):
        svc.synonym_create(actor=admin, fields={"phrase": "丢了", "terms": ["补领"]})
        with pytest.raises(Conflict) as exc:
            svc.synonym_create(actor=admin, fields={"phrase": "丢 了", "terms": ["遗失"]})
        assert exc.value.status == 409 and exc.value.field == "phrase"

    def test_a_stale_edit_is_refused_and_writes_nothing(self, admin):
        synonym = svc.synonym_create(actor=admin, fields={"phrase": "丢了", "terms": ["补领"]})
        seen = synonym.updated_at
        svc.synonym_update(
            actor=admin, synonym=synonym.pk, fields={"terms": ["补办"]}, expected_updated_at=seen
        )
        with pytest.raises(Conflict):
            svc.synonym_update(
                actor=admin, synonym=synonym.pk, fields={"terms": ["遗失"]}, expected_updated_at=seen
            )
        assert SearchSynonym.objects.get().terms == ["补办"]
        assert list(SearchEvent.objects.order_by("id").values_list("kind", flat=True)) == [
            "created",
            "updated",
        ]

    def test_update_and_delete_keep_before_and_after_in_the_log(self, admin):
        synonym = svc.synonym_create(actor=admin, fields={"phrase": "丢了", "terms": ["补领"]})
        svc.synonym_update(actor=admin, synonym=synonym.pk, fields={"terms": ["补办"]})
        svc.synonym_delete(actor=admin, synonym=synonym.pk)
        update, delete = SearchEvent.objects.order_by("id")[1:]
        assert update.detail["before"]["terms"] == ["补领"] and update.detail["after"]["terms"] == ["补办"]
        assert delete.kind == "deleted" and delete.detail["before"]["phrase"] == "丢了"
        assert not SearchSynonym.objects.exists()

    def test_an_unchanged_update_writes_nothing(self, admin):
        synonym = svc.synonym_create(actor=admin, fields={"phrase": "丢了", "terms": ["补领"]})
        svc.synonym_update(actor=admin, synonym=synonym.pk, fields={"terms": ["补领"]})
        assert SearchEvent.objects.count() == 1


class TestLifeEvents:
    def test_create_with_items_in_order(self, admin, items):
        event = svc.life_event_create(
            actor=admin,
            fields={
                "code": "open_restaurant",
                "name": "开餐馆",
                "phrases": "开饭店 开奶茶店",
                "item_codes": "X-2、X-1",
            },
        )
        assert event.item_codes == ["X-2", "X-1"] and event.phrases == ["开饭店", "开奶茶店"]
        assert SearchEvent.objects.get().target == "life_event"

    @pytest.mark.parametrize(
        "fields, field",
        [
            ({"code": "Open Restaurant", "name": "开餐馆"}, "code"),
            ({"code": "x", "name": ""}, "name"),
            ({"code": "x", "name": "某事", "theme": "party"}, "theme"),
            ({"code": "x", "name": "某事", "sort_order": -1}, "sort_order"),
            ({"code": "x", "name": "某事", "item_codes": ["NO-SUCH"]}, "item_codes"),
        ],
    )
    def test_bad_input(self, admin, items, fields, field):
        with pytest.raises(ValidationFailed) as exc:
            svc.life_event_create(actor=admin, fields=fields)
        assert exc.value.field == field

    def test_code_and_name_are_unique(self, admin):
        # The migration made one per theme: 出生 (birth) exists.
        with pytest.raises(Conflict) as exc:
            svc.life_event_create(actor=admin, fields={"code": "born", "name": "出生"})
        assert exc.value.field == "name"
        with pytest.raises(Conflict) as exc:
            svc.life_event_create(actor=admin, fields={"code": "birth", "name": "新生"})
        assert exc.value.field == "code"

    def test_stale_delete_is_refused(self, admin):
        event = LifeEventIntent.objects.get(code="birth")
        with pytest.raises(Conflict):
            svc.life_event_delete(
                actor=admin, event=event.pk, expected_updated_at=event.updated_at - dt.timedelta(seconds=1)
            )
        svc.life_event_delete(actor=admin, event=event.pk, expected_updated_at=event.updated_at)
        assert not LifeEventIntent.objects.filter(code="birth").exists()


class TestImportExport:
    def _seed(self, admin):
        svc.synonym_create(actor=admin, fields={"phrase": "丢了", "terms": ["补领", "补办"], "note": "遗失"})
        svc.synonym_create(actor=admin, fields={"phrase": "饭店", "terms": ["餐饮"], "item_codes": ["X-2"]})
        svc.life_event_create(
            actor=admin,
            fields={
                "code": "open_restaurant",
                "name": "开餐馆",
                "phrases": ["开饭店"],
                "item_codes": ["X-2"],
            },
        )

    def test_xlsx_round_trip(self, admin, items):
        self._seed(admin)
        content = search_io.export_xlsx()
        wb = load_workbook(io.BytesIO(content))
        assert wb.sheetnames == ["同义词", "人生事件", "说明"]
        sheet = wb["同义词"]
        assert [c.value for c in sheet[1]][:2] == ["说法 *", "对应检索词"]
        assert [c.value for c in sheet[2]][:3] == ["phrase", "terms", "item_codes"]
        assert [c.value for c in sheet[3]][:3] == ["丢了", "补领、补办", None]
        before = search_io.export_records("synonyms"), search_io.export_records("life_events")
        SearchSynonym.objects.all().delete()
        LifeEventIntent.objects.filter(code="open_restaurant").delete()
        result = search_io.import_file(content, name="search.xlsx", actor=admin)
        assert result.counts["synonyms"] == {"created": 2, "updated": 0, "unchanged": 0}
        assert result.counts["life_events"]["created"] == 1
        assert (search_io.export_records("synonyms"), search_io.export_records("life_events")) == before
        again = search_io.import_file(content, name="search.xlsx", actor=admin)
        assert again.counts["synonyms"] == {"created": 0, "updated": 0, "unchanged": 2}
        assert "导入完成" in again.summary()
        assert SearchEvent.objects.filter(kind="imported").count() == 3

    def test_csv_export_opens_in_excel_and_imports_back(self, admin, items):
        self._seed(admin)
        content = search_io.export_csv("synonyms")
        assert content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[0][:2] == ["说法 *", "对应检索词"] and rows[1][:2] == ["phrase", "terms"]
        assert rows[2][:3] == ["丢了", "补领、补办", ""]
        svc.synonym_update(
            actor=admin, synonym=SearchSynonym.objects.get(phrase="丢了").pk, fields={"terms": ["x"]}
        )
        result = search_io.import_file(content, name="synonyms.csv", actor=admin)
        assert result.counts["synonyms"] == {"created": 0, "updated": 1, "unchanged": 1}
        assert SearchSynonym.objects.get(phrase="丢了").terms == ["补领", "补办"]

    def test_csv_saved_by_excel_in_gb18030_with_chinese_headers_only(self, admin, items):
        text = "说法,对应检索词,直达事项编码\n不见了,补领 补办,X-1\n"
        result = search_io.import_file(text.encode("gb18030"), name="同义词.csv", actor=admin)
        assert result.counts["synonyms"]["created"] == 1
        assert SearchSynonym.objects.get().item_codes == ["X-1"]

    def test_life_events_csv(self, admin, items):
        text = "编码,名称,常见说法,事项编码（按办理顺序）,主题分类\nopen_shop,开小店,开店、开超市,X-1、X-2,\n"
        search_io.import_file(text.encode(), name="events.csv", actor=admin)
        assert LifeEventIntent.objects.get(code="open_shop").item_codes == ["X-1", "X-2"]

    def test_any_error_writes_nothing_and_lists_every_row(self, admin, items):
        wb = Workbook()
        ws = wb.active
        ws.title = "同义词"
        ws.append(["说法", "对应检索词", "直达事项编码", "启用"])
        ws.append(["phrase", "terms", "item_codes", "is_active"])
        ws.append(["丢了", "补领", None, "是"])  # row 3: fine
        ws.append([None, "补办", None, None])  # row 4: no phrase
        ws.append(["饭店", None, "NO-SUCH", None])  # row 5: unknown code
        ws.append(["丢 了", "遗失", None, None])  # row 6: the same phrase as row 3
        ws.append(["过期", "延续", None, "也许"])  # row 7: not 是/否
        buffer = io.BytesIO()
        wb.save(buffer)
        with pytest.raises(ValidationFailed) as exc:
            search_io.import_file(buffer.getvalue(), name="x.xlsx", actor=admin)
        assert "未导入任何数据" in exc.value.message
        found = {(e["row"], e["field"]) for e in exc.value.errors}
        assert found == {(4, "phrase"), (5, "item_codes"), (6, "phrase"), (7, "is_active")}
        assert all(e["sheet"] == "同义词" for e in exc.value.errors)
        assert not SearchSynonym.objects.exists()

    def test_dry_run_writes_nothing(self, admin, items):
        text = "说法,对应检索词\n丢了,补领\n"
        result = search_io.import_file(text.encode(), name="s.csv", actor=admin, dry_run=True)
        assert result.counts["synonyms"]["created"] == 1 and "检查通过" in result.summary()
        assert not SearchSynonym.objects.exists() and not SearchEvent.objects.exists()

    def test_unreadable_files(self, admin):
        with pytest.raises(ValidationFailed) as exc:
            search_io.import_file(b"not a workbook", name="x.xlsx", actor=admin)
        assert exc.value.code == "invalid_file"
        with pytest.raises(ValidationFailed) as exc:
            search_io.import_file("甲,乙\n1,2\n".encode(), name="x.csv", actor=admin)
        assert "无法识别" in exc.value.message

    def test_only_administrators_import(self, items):
        with pytest.raises(NotAllowed):
            search_io.import_file(b"phrase\n", name="x.csv", actor=StaffFactory.with_role(StaffRole.CLERK))
