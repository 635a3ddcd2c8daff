"""Catalogue admin: writes go through the services, published versions are read-only, import/export."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tongban.accounts.tests.factories import UserFactory
from tongban.catalogue.choices import ItemEventKind, ItemStatus
from tongban.catalogue.importexport import export_json, export_xlsx
from tongban.catalogue.models import ItemEvent, MaterialRequirement, ServiceItem
from tongban.catalogue.tests.factories import DepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:catalogue_serviceitem_changelist"


@pytest.fixture
def superuser():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _form_data(department, **overrides):
    data = {
        "code": "ADM-1",
        "name": "建筑工程施工许可",
        "item_type": "01",
        "department": department.pk,
        "level": "district",
        "region": "",
        "category": "construction",
        "applicant_kinds": ["legal"],
        "summary": "",
        "keywords": "施工许可",
        "legal_basis": "《建筑法》第七条",
        "conditions": "已办理用地批准手续。",
        "result_name": "施工许可证",
        "statutory_limit": "15",
        "statutory_limit_unit": "working",
        "promised_limit": "5",
        "promised_limit_unit": "working",
        "case_kind": "promised",
        "visits_required": "1",
        "online_depth": "4",
        "fee_amount": "0",
        "fee_description": "",
        "fee_basis": "",
        "place": "一楼",
        "hours": "工作日",
        "phone": "12345678",
        "complaint_phone": "12345",
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "1000",
        "materials-0-position": "1",
        "materials-0-name": "施工图设计文件",
        "materials-0-form": "both",
        "materials-0-original_copies": "1",
        "materials-0-copy_copies": "0",
        "materials-0-required": "on",
        "materials-0-condition": "",
        "materials-0-source": "applicant",
        "materials-0-source_note": "",
        "materials-0-notes": "",
    }
    data.update(overrides)
    return data


def test_changelist_links_import_and_export(admin_client):
    ServiceItemFactory(name="可见事项")
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("导入事项清单", "导出 XLSX", "导出 JSON", "下载模板", "可见事项"):
        assert name in html
    filtered = admin_client.get(reverse(CHANGELIST), {"status__exact": "published", "q": "可见"})
    assert filtered.status_code == 200


def test_add_goes_through_services_with_materials(admin_client, superuser):
    department = DepartmentFactory()
    response = admin_client.post(reverse("admin:catalogue_serviceitem_add"), _form_data(department))
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ServiceItem.objects.get(code="ADM-1")
    assert (item.status, item.version, item.applicant_kinds) == (ItemStatus.DRAFT, 1, ["legal"])
    assert list(item.materials.values_list("name", flat=True)) == ["施工图设计文件"]
    kinds = list(ItemEvent.objects.filter(item=item).order_by("id").values_list("kind", "actor"))
    assert kinds == [(ItemEventKind.CREATED, superuser.pk), (ItemEventKind.MATERIAL_ADDED, superuser.pk)]


def test_add_with_promise_over_statute_shows_the_error(admin_client):
    department = DepartmentFactory()
    response = admin_client.post(
        reverse("admin:catalogue_serviceitem_add"), _form_data(department, promised_limit="30")
    )
    assert response.status_code == 200
    assert "承诺办结时限不得超过法定办结时限" in response.content.decode()
    assert not ServiceItem.objects.exists()


def test_edit_draft_in_place_and_remove_material(admin_client):
    draft = ServiceItemFactory(draft=True, materials=1)
    material = draft.materials.get()
    data = _form_data(
        draft.department,
        code=draft.code,
        name="改后的名称",
        **{
            "materials-INITIAL_FORMS": "1",
            "materials-0-id": str(material.pk),
            "materials-0-item": str(draft.pk),
            "materials-0-name": material.name,
            "materials-0-DELETE": "on",
        },
    )
    url = reverse("admin:catalogue_serviceitem_change", args=[draft.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.name == "改后的名称" and draft.version == 1
    assert not draft.materials.exists()
    assert ItemEvent.objects.filter(item=draft, kind=ItemEventKind.MATERIAL_REMOVED).exists()


def test_published_version_is_read_only(admin_client):
    item = ServiceItemFactory(name="原名称", materials=1)
    url = reverse("admin:catalogue_serviceitem_change", args=[item.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "新建版本（编辑）" in html and 'name="_save"' not in html
    response = admin_client.post(url, _form_data(item.department, code=item.code, name="偷偷改"))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.name == "原名称"


def test_new_version_button_then_publish(admin_client):
    item = ServiceItemFactory(materials=2)
    response = admin_client.post(reverse("admin:catalogue_serviceitem_new_version", args=[item.pk]))
    draft = ServiceItem.objects.get(code=item.code, version=2)
    assert response.status_code == 302 and response["Location"].endswith(f"/{draft.pk}/change/")
    assert draft.status == ItemStatus.DRAFT and draft.materials.count() == 2
    admin_client.post(reverse("admin:catalogue_serviceitem_publish", args=[draft.pk]))
    draft.refresh_from_db()
    item.refresh_from_db()
    assert (draft.status, item.status) == (ItemStatus.PUBLISHED, ItemStatus.RETIRED)


def test_actions_publish_new_version_retire(admin_client):
    published = ServiceItemFactory()
    draft = ServiceItemFactory(draft=True)
    url = reverse(CHANGELIST)
    admin_client.post(url, {"action": "publish_selected", "_selected_action": [draft.pk, published.pk]})
    draft.refresh_from_db()
    assert draft.status == ItemStatus.PUBLISHED
    admin_client.post(url, {"action": "new_version_selected", "_selected_action": [published.pk]})
    assert ServiceItem.objects.filter(code=published.code, version=2, status=ItemStatus.DRAFT).exists()
    admin_client.post(url, {"action": "retire_selected", "_selected_action": [published.pk]})
    published.refresh_from_db()
    assert published.status == ItemStatus.RETIRED


def test_export_downloads(admin_client):
    ServiceItemFactory(code="EX-1")
    xlsx = admin_client.get(reverse("admin:catalogue_serviceitem_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content))["事项"].cell(3, 1).value == "EX-1"
    data = admin_client.get(reverse("admin:catalogue_serviceitem_export", args=["json"]))
    assert json.loads(data.content)["items"][0]["code"] == "EX-1"
    template = admin_client.get(reverse("admin:catalogue_serviceitem_export", args=["template"]))
    assert load_workbook(io.BytesIO(template.content))["事项"].max_row == 2


def test_import_view_shows_row_errors_and_writes_nothing(admin_client):
    ServiceItemFactory(code="IM-1")
    bad = export_json()
    bad["items"][0]["promised_limit"] = 999
    bad["items"].append(dict(bad["items"][0], code="IM-2", promised_limit=1, item_type="xx"))
    upload = io.BytesIO(json.dumps(bad).encode())
    upload.name = "bad.json"
    response = admin_client.post(reverse("admin:catalogue_serviceitem_import"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "未导入任何数据" in html and 'id="import-errors"' in html
    assert "承诺办结时限不得超过法定办结时限" in html and "IM-2" in html
    assert ServiceItem.objects.count() == 1


def test_import_view_imports_a_workbook(admin_client):
    item = ServiceItemFactory(code="IM-3", materials=1)
    content = export_xlsx()
    MaterialRequirement.objects.all().delete()
    ServiceItem.objects.filter(pk=item.pk).delete()
    upload = io.BytesIO(content)
    upload.name = "catalogue.xlsx"
    response = admin_client.post(reverse("admin:catalogue_serviceitem_import"), {"file": upload})
    assert response.status_code == 302
    imported = ServiceItem.objects.get(code="IM-3")
    assert imported.status == ItemStatus.PUBLISHED and imported.materials.count() == 1


def test_import_view_refuses_other_file_types(admin_client):
    upload = io.BytesIO(b"a,b")
    upload.name = "x.csv"
    response = admin_client.post(reverse("admin:catalogue_serviceitem_import"), {"file": upload})
    assert response.status_code == 200 and "只接受 .xlsx 或 .json 文件" in response.content.decode()


def test_staff_without_permissions_are_denied(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(reverse("admin:catalogue_serviceitem_import")).status_code == 403
    assert client.get(reverse("admin:catalogue_serviceitem_export", args=["json"])).status_code == 403
