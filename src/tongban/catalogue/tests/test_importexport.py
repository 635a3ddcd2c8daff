"""Catalogue import/export: round trips, all-or-nothing imports with row-by-row errors, commands."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from tongban.accounts.tests.factories import StaffFactory
from tongban.catalogue import services
from tongban.catalogue.choices import ItemStatus
from tongban.catalogue.importexport import (
    ITEM_COLUMNS,
    MATERIAL_COLUMNS,
    export_json,
    export_xlsx,
    import_json,
    import_xlsx,
)
from tongban.catalogue.models import ItemEvent, MaterialRequirement, ServiceItem
from tongban.catalogue.tests.factories import (
    DepartmentFactory,
    MaterialRequirementFactory,
    RegionFactory,
    ServiceItemFactory,
)
from tongban.common.errors import NotAllowed, ValidationFailed
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    """Three published items with varied elements, one with an older retired version and a draft elsewhere."""
    region = RegionFactory(code="440106", name="天河区")
    market = DepartmentFactory(name="某区市场监督管理局", region=region)
    civil = DepartmentFactory(name="某区民政局", region=region)
    food = ServiceItemFactory(
        code="XK-001",
        name="食品经营许可",
        department=market,
        region=region,
        category="business",
        applicant_kinds=["legal"],
        life_events=["start_business", "operate_business"],
        statutory_limit=20,
        promised_limit=10,
        charges_fee=True,
        fee_amount=Decimal("12.50"),
        fee_description="每证 12.5 元",
        fee_basis="物价文件",
        keywords="食品 餐饮",
        summary="=SUM(A1) 不是公式\n第二行",
    )
    MaterialRequirementFactory(item=food, position=1, name="营业执照", source="shared", source_note="法人库")
    MaterialRequirementFactory(
        item=food, position=2, name="授权委托书", required=False, condition="委托代办时", form="paper"
    )
    marriage = ServiceItemFactory(
        code="QR-002",
        name="结婚登记",
        item_type="07",
        department=civil,
        applicant_kinds=["natural"],
        life_events=["marriage"],
        case_kind="immediate",
        statutory_limit=1,
        promised_limit=0,
        statutory_limit_unit="natural",
        promised_limit_unit="natural",
        visits_required=1,
        online_depth=3,
    )
    MaterialRequirementFactory(item=marriage, position=1, name="居民身份证", original_copies=2, copy_copies=0)
    ServiceItemFactory(code="GG-003", name="政策咨询", item_type="20", department=civil, visits_required=0)
    ServiceItemFactory(code="QR-002", version=0, status=ItemStatus.RETIRED, department=civil)
    ServiceItemFactory(code="DR-004", draft=True, department=civil)
    return {"market": market, "civil": civil, "region": region}


def _wipe_items():
    ItemEvent.objects.all().delete()
    MaterialRequirement.objects.all().delete()
    ServiceItem.objects.all().delete()


def test_export_json_lists_published_items_with_materials(catalogue):
    data = export_json()
    assert data["format"] == "tongban-catalogue" and data["format_version"] == 1
    assert [i["code"] for i in data["items"]] == ["GG-003", "QR-002", "XK-001"]
    food = data["items"][2]
    assert food["department_credit_code"] == catalogue["market"].credit_code
    assert food["department_name"] == "某区市场监督管理局"
    assert food["region_code"] == "440106"
    assert food["fee_amount"] == "12.50"
    assert food["life_events"] == ["start_business", "operate_business"]
    assert [m["name"] for m in food["materials"]] == ["营业执照", "授权委托书"]
    assert set(food) == {c.key for c in ITEM_COLUMNS} | {"materials"}
    assert set(food["materials"][0]) == {c.key for c in MATERIAL_COLUMNS} - {"item_code"}
    json.dumps(data, ensure_ascii=False)  # serialisable as it is


def test_json_round_trip_into_an_empty_catalogue(catalogue):
    before = export_json()
    _wipe_items()
    result = import_json(json.dumps(before, ensure_ascii=False))
    assert sorted(result.created) == ["GG-003", "QR-002", "XK-001"]
    assert export_json()["items"] == before["items"]
    assert set(ServiceItem.objects.values_list("status", "version")) == {(ItemStatus.PUBLISHED, 1)}


def test_xlsx_round_trip_into_an_empty_catalogue(catalogue):
    before = export_json()["items"]
    content = export_xlsx()
    _wipe_items()
    result = import_xlsx(io.BytesIO(content))
    assert result.total == 3
    assert export_json()["items"] == before


def test_xlsx_layout_headers_keys_and_text_cells(catalogue):
    wb = load_workbook(io.BytesIO(export_xlsx()))
    assert wb.sheetnames == ["事项", "材料", "说明"]
    items = wb["事项"]
    assert items.cell(1, 1).value == "事项编码 *" and items.cell(2, 1).value == "code"
    assert [c.value for c in items[2]] == [c.key for c in ITEM_COLUMNS]
    summary_col = [c.key for c in ITEM_COLUMNS].index("summary") + 1
    cell = next(items.cell(r, summary_col) for r in range(3, 6) if items.cell(r, 1).value == "XK-001")
    assert cell.data_type == "s" and cell.value.startswith("=SUM")
    materials = wb["材料"]
    assert [c.value for c in materials[2]] == [c.key for c in MATERIAL_COLUMNS]
    assert materials.max_row == 2 + 3


def test_reimport_of_same_file_changes_nothing(catalogue):
    data = export_json()
    events = ItemEvent.objects.count()
    result = import_json(data)
    assert sorted(result.unchanged) == ["GG-003", "QR-002", "XK-001"]
    assert ItemEvent.objects.count() == events
    assert ServiceItem.objects.count() == 5


def test_import_of_changed_item_publishes_a_new_version(catalogue):
    data = export_json()
    food = next(i for i in data["items"] if i["code"] == "XK-001")
    old = ServiceItem.objects.get(code="XK-001", status=ItemStatus.PUBLISHED)
    food["promised_limit"] = 5
    food["materials"].pop()
    result = import_json(data)
    assert result.updated == ["XK-001"] and sorted(result.unchanged) == ["GG-003", "QR-002"]
    new = ServiceItem.objects.get(code="XK-001", status=ItemStatus.PUBLISHED)
    assert (new.version, new.promised_limit, new.materials.count()) == (2, 5, 1)
    old.refresh_from_db()
    assert old.status == ItemStatus.RETIRED and old.materials.count() == 2


def test_import_accepts_chinese_labels_and_department_by_name(catalogue):
    record = export_json()["items"][0]
    record.update(
        code="NEW-1",
        item_type="公共服务",
        applicant_kinds="自然人、法人",
        category="公民类",
        department_credit_code="",
        department_name="某区民政局",
        charges_fee="否",
        statutory_limit_unit="工作日",
    )
    import_json([record])
    item = ServiceItem.objects.get(code="NEW-1")
    assert (item.item_type, item.applicant_kinds, item.category) == ("20", ["natural", "legal"], "citizen")
    assert item.department == catalogue["civil"]


def test_bad_file_reports_every_row_and_writes_nothing(catalogue):
    data = export_json()
    good = dict(data["items"][0], code="OK-1")
    bad_limit = dict(data["items"][1], code="BAD-1", promised_limit=30, statutory_limit=20)
    bad_values = dict(
        data["items"][2],
        code="BAD-2",
        item_type="99",
        statutory_limit="二十",
        department_credit_code="91440106000000000X",
    )
    bad_material = dict(data["items"][0], code="BAD-3", materials=[{"name": "委托书", "required": False}])
    missing = {k: v for k, v in data["items"][0].items() if k != "legal_basis"}
    missing["code"] = "BAD-4"
    duplicate = dict(good)
    before = (ServiceItem.objects.count(), MaterialRequirement.objects.count(), ItemEvent.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        import_json([good, bad_limit, bad_values, bad_material, missing, duplicate])
    errors = exc.value.errors
    assert exc.value.message.startswith("导入失败") and "未导入任何数据" in exc.value.message
    where = {(e["sheet"], e["row"], e["field"]) for e in errors}
    assert ("事项", 2, "promised_limit") in where
    assert ("事项", 3, "item_type") in where
    assert ("事项", 3, "statutory_limit") in where
    assert ("材料", 4, "condition") in where
    assert ("事项", 5, "legal_basis") in where
    assert ("事项", 6, "code") in where
    assert all(set(e) >= {"sheet", "row", "field", "message"} for e in errors)
    assert any("承诺办结时限不得超过法定办结时限" in e["message"] for e in errors)
    material_error = next(e for e in errors if e["sheet"] == "材料")
    assert material_error["material"] == 1 and material_error["code"] == "BAD-3"
    after = (ServiceItem.objects.count(), MaterialRequirement.objects.count(), ItemEvent.objects.count())
    assert after == before
    assert not ServiceItem.objects.filter(code="OK-1").exists()


def test_unknown_department_and_mismatched_name(catalogue):
    base = export_json()["items"][0]
    unknown = dict(base, code="U-1", department_credit_code="", department_name="不存在的局")
    mismatch = dict(base, code="U-2", department_name="某区市场监督管理局")  # civil's code, market's name
    with pytest.raises(ValidationFailed) as exc:
        import_json([unknown, mismatch])
    messages = {e["row"]: e["message"] for e in exc.value.errors}
    assert "找不到名为“不存在的局”的部门" in messages[1]
    assert "不符" in messages[2]


def test_pending_draft_blocks_import_of_its_code(catalogue):
    record = dict(export_json()["items"][0], code="DR-004")
    with pytest.raises(ValidationFailed) as exc:
        import_json([record])
    assert exc.value.errors[0]["field"] == "code" and "草稿" in exc.value.errors[0]["message"]


def test_unknown_keys_and_bad_json(catalogue):
    record = dict(export_json()["items"][0], code="K-1", stauts="x")
    with pytest.raises(ValidationFailed) as exc:
        import_json([record])
    assert exc.value.errors[0]["field"] == "stauts"
    with pytest.raises(ValidationFailed) as exc:
        import_json(b"{not json")
    assert exc.value.code == "invalid_file"
    with pytest.raises(ValidationFailed):
        import_json({"format": "other", "items": []})
    with pytest.raises(ValidationFailed) as exc:
        import_json({"items": []})
    assert "没有任何事项" in exc.value.errors[0]["message"]


def test_only_administrators_import(catalogue):
    approver = StaffFactory.with_role(StaffRole.APPROVER, department=catalogue["civil"])
    data = export_json()
    _wipe_items()
    with pytest.raises(NotAllowed):
        import_json(data, actor=approver)
    assert not ServiceItem.objects.exists()
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    import_json(data, actor=admin)
    assert ItemEvent.objects.filter(kind="imported", actor=admin).count() == 3


def test_dry_run_checks_without_writing(catalogue):
    data = export_json()
    _wipe_items()
    result = import_json(data, dry_run=True)
    assert result.dry_run and len(result.created) == 3
    assert not ServiceItem.objects.exists()


def _sheet_rows(content: bytes, sheet: str):
    return load_workbook(io.BytesIO(content))[sheet]


def test_xlsx_errors_name_excel_rows(catalogue):
    content = export_xlsx()
    wb = load_workbook(io.BytesIO(content))
    keys = [c.value for c in wb["事项"][2]]
    wb["事项"].cell(4, keys.index("promised_limit") + 1, 99)
    m_keys = [c.value for c in wb["材料"][2]]
    wb["材料"].cell(3, m_keys.index("item_code") + 1, "NOPE")
    wb["材料"].cell(4, m_keys.index("required") + 1, "也许")
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(ValidationFailed) as exc:
        import_xlsx(buffer.getvalue())
    where = {(e["sheet"], e["row"], e["field"]) for e in exc.value.errors}
    assert ("事项", 4, "promised_limit") in where
    assert ("材料", 3, "item_code") in where
    assert ("材料", 4, "required") in where


def test_xlsx_with_chinese_headers_only():
    department = DepartmentFactory(name="某区人社局")
    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append(["事项编码", "事项名称", "事项类型", "实施主体名称", "事项分类", "服务对象", "设定依据"])
    ws["H1"], ws["I1"], ws["J1"] = "受理条件", "法定办结时限", "承诺办结时限"
    ws.append(["RS-1", "失业登记", 5, "某区人社局", "公民类", "自然人", "《就业促进法》", "失业人员", 5, 1])
    ws2 = wb.create_sheet("材料")
    ws2.append(["事项编码", "材料名称", "是否必需", "适用情形"])
    ws2.append(["RS-1", "身份证", "是", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = import_xlsx(buffer.getvalue())
    assert result.created == ["RS-1"]
    item = ServiceItem.objects.get(code="RS-1")
    assert (item.item_type, item.department, item.status) == ("05", department, ItemStatus.PUBLISHED)
    assert list(item.materials.values_list("name", flat=True)) == ["身份证"]


def test_not_a_workbook():
    with pytest.raises(ValidationFailed) as exc:
        import_xlsx(b"PK not really")
    assert exc.value.code == "invalid_file"


def test_empty_template_has_headers_only():
    wb = load_workbook(io.BytesIO(export_xlsx(records=[])))
    assert wb["事项"].max_row == 2 and wb["材料"].max_row == 2
    assert wb["说明"].max_row > len(ITEM_COLUMNS)


def test_commands_round_trip(catalogue, tmp_path, capsys):
    before = export_json()["items"]
    json_path, xlsx_path = tmp_path / "c.json", tmp_path / "c.xlsx"
    call_command("catalogue_export", "--format", "json", "-o", str(json_path))
    call_command("catalogue_export", "--format", "xlsx", "-o", str(xlsx_path))
    assert json.loads(json_path.read_text(encoding="utf-8"))["items"] == before
    _wipe_items()
    call_command("catalogue_import", str(xlsx_path))
    assert "新增 3 个" in capsys.readouterr().out
    assert export_json()["items"] == before
    call_command("catalogue_import", str(json_path))
    assert "未变化 3 个" in capsys.readouterr().out


def test_command_reports_errors(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"items": [{"code": "X"}]}), encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("catalogue_import", str(path))
    err = capsys.readouterr().err
    assert "事项 第 1 行" in err and "name" in err


def test_services_and_import_agree_on_materials_copy(catalogue):
    # new version via the service keeps the export identical apart from the edited element
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    before = export_json()["items"]
    item = ServiceItem.objects.get(code="XK-001", status=ItemStatus.PUBLISHED)
    draft = services.item_update(actor=admin, item=item, fields={"hours": "全天"})
    services.item_publish(actor=admin, item=draft)
    after = export_json()["items"]
    changed = [k for k in before[2] if before[2][k] != after[2][k]]
    assert changed == ["hours"]


def _with_extension_rules():
    """XK-001 becomes a joint-processing item under another law's extension rule."""
    ServiceItem.objects.filter(code="XK-001", status=ItemStatus.PUBLISHED).update(
        processing_mode="joint",
        extension_max_times=2,
        extension_max_days=20,
        extension_basis="《某某条例》第十二条",
        statutory_limit=60,
    )


def test_extension_rules_are_exported(catalogue):
    _with_extension_rules()
    items = {i["code"]: i for i in export_json()["items"]}
    food, marriage = items["XK-001"], items["QR-002"]
    assert (food["processing_mode"], food["extension_max_times"]) == ("joint", 2)
    assert (food["extension_max_days"], food["extension_basis"]) == (20, "《某某条例》第十二条")
    assert (marriage["processing_mode"], marriage["extension_max_times"]) == ("single", 1)
    assert (marriage["extension_max_days"], marriage["extension_basis"]) == (None, "")
    sheet = load_workbook(io.BytesIO(export_xlsx()))["事项"]
    keys = [c.value for c in sheet[2]]
    for key in ("processing_mode", "extension_max_times", "extension_max_days", "extension_basis"):
        assert key in keys


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_extension_rules_round_trip(catalogue, fmt):
    _with_extension_rules()
    before = export_json()
    content = export_xlsx() if fmt == "xlsx" else json.dumps(before, ensure_ascii=False)
    _wipe_items()
    result = import_xlsx(io.BytesIO(content)) if fmt == "xlsx" else import_json(content)
    assert result.total == 3
    assert export_json()["items"] == before["items"]
    food = ServiceItem.objects.get(code="XK-001")
    assert (food.processing_mode, food.extension_max_times, food.extension_max_days) == ("joint", 2, 20)
    assert food.extension_basis == "《某某条例》第十二条"
    assert import_json(before).unchanged == ["GG-003", "QR-002", "XK-001"]  # the rules are compared too


def test_a_changed_extension_rule_publishes_a_new_version(catalogue):
    data = export_json()
    data["items"][0]["extension_max_times"] = 0
    result = import_json(data)
    assert result.updated == ["GG-003"]
    assert ServiceItem.objects.get(code="GG-003", status=ItemStatus.PUBLISHED).extension_max_times == 0


def test_bad_extension_rules_name_the_field_and_the_row(catalogue):
    base = export_json()["items"][0]
    rows = [
        dict(base, code="E-1", processing_mode="combined"),
        dict(base, code="E-2", extension_max_times=9),
        dict(base, code="E-3", extension_max_days=0),
        dict(base, code="E-4", extension_max_days="十天"),
        dict(base, code="E-5", processing_mode="joint", statutory_limit=60, promised_limit=20),
        dict(base, code="E-6", extension_basis="法" * 201),
    ]
    with pytest.raises(ValidationFailed) as exc:
        import_json(rows)
    by_row = {e["row"]: e for e in exc.value.errors}
    assert set(by_row) == {1, 2, 3, 4, 5, 6}
    expected = {
        1: ("processing_mode", "办理方式"),
        2: ("extension_max_times", "最多延期次数"),
        3: ("extension_max_days", "每次最多延长（日）"),
        4: ("extension_max_days", "每次最多延长（日）"),
        5: ("statutory_limit", "45 个工作日"),
        6: ("extension_basis", "延期依据"),
    }
    for row, (field, words) in expected.items():
        assert by_row[row]["field"] == field, by_row[row]
        assert words in by_row[row]["message"], by_row[row]
        assert by_row[row]["code"] == f"E-{row}"
    assert not ServiceItem.objects.filter(code__startswith="E-").exists()


def test_extension_rules_in_an_xlsx_name_the_excel_row(catalogue):
    records = export_json()["items"]
    records[1] = dict(records[1], extension_max_times=7)
    with pytest.raises(ValidationFailed) as exc:
        import_xlsx(io.BytesIO(export_xlsx(records=records)))
    [error] = exc.value.errors
    assert (error["sheet"], error["row"], error["field"]) == ("事项", 4, "extension_max_times")
    assert error["message"].startswith("最多延期次数：")
