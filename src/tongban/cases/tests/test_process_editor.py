"""The process editor (issue 12, point 9): an item version's stages, parallel groups and steps on ONE
page with a flow chart that redraws as they are edited; saving through `process_define`, which follows
the catalogue's versions (a published version is never edited in place) and writes the item-log entry;
the same through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import StaffFactory
from tongban.cases import services
from tongban.cases.models import ProcessDefinition
from tongban.cases.process_editor import apply_op, rows_from_plan, rows_from_post
from tongban.cases.processes import plan_revision, process_for_item
from tongban.catalogue import services as catalogue_services
from tongban.catalogue.choices import ItemEventKind, ItemStatus
from tongban.catalogue.models import ItemEvent, ServiceItem
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.organisations.choices import StaffRole

from .helpers import define_serial

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return StaffFactory.with_role(StaffRole.ADMINISTRATOR)


def url(item, name="process-edit") -> str:
    return reverse(f"work:{name}", args=[item.pk])


def form_of(rows: list[dict], **extra) -> dict:
    """The editor's form as the browser posts it."""
    data = {"name": "", "note": "", **extra}
    for i, stage in enumerate(rows):
        for key in ("name", "kind", "lead_department_id", "joint_limit_days"):
            data[f"stages-{i}-{key}"] = str(stage.get(key, ""))
        for j, step in enumerate(stage["steps"]):
            for key in ("name", "department_id", "role", "limit_days"):
                data[f"stages-{i}-steps-{j}-{key}"] = str(step.get(key, ""))
    return data


def serial_rows(world) -> list[dict]:
    dept = world.housing.pk
    return [
        {
            "name": "审查",
            "kind": "single",
            "steps": [{"name": "材料审查", "department_id": dept, "limit_days": 5}],
        },
        {
            "name": "决定",
            "kind": "single",
            "steps": [{"name": "负责人决定", "department_id": dept, "limit_days": 2}],
        },
    ]


def shape(item) -> list[tuple]:
    return [
        (s.name, s.kind, [(t.name, t.limit_days) for t in s.steps]) for s in process_for_item(item).stages
    ]


# ---- the form as data ---------------------------------------------------------------------------


def test_rows_round_trip_and_operations(world):
    rows = rows_from_post(form_of(serial_rows(world)))
    assert [r["name"] for r in rows] == ["审查", "决定"] and rows[0]["steps"][0]["limit_days"] == "5"
    added = apply_op(rows, "add-step:0", department_id=world.planning.pk)
    assert added.rows[0]["kind"] == "parallel" and len(added.rows[0]["steps"]) == 2
    assert added.focus == "stages-0-steps-1-name" and added.said == "已在第 1 阶段添加第 2 个环节。"
    assert added.rows[0]["steps"][1]["department_id"] == str(world.planning.pk)
    moved = apply_op(rows, "down-stage:0", department_id=None)
    assert [r["name"] for r in moved.rows] == ["决定", "审查"] and moved.focus == "stage-1-down"
    assert [r["name"] for r in rows] == ["审查", "决定"]  # the rows given are not changed
    gone = apply_op(rows, "remove-stage:1", department_id=None)
    assert [r["name"] for r in gone.rows] == ["审查"] and gone.focus == "stages-0-name"
    new = apply_op(rows, "add-stage", department_id=world.housing.pk)
    assert len(new.rows) == 3 and new.focus == "stages-2-name" and new.rows[2]["steps"]
    for nonsense in ("", "up-stage:0", "down-stage:1", "remove-step:0:7", "up-step:x", "explode:1"):
        assert apply_op(rows, nonsense, department_id=None).rows == rows, nonsense


# ---- the page ------------------------------------------------------------------------------------


def test_only_administrators_open_the_editor(client, world, admin):
    for user in (world.clerk, world.approvers["住建"], world.applicant.user):
        client.force_login(user)
        assert client.get(url(world.serial_item)).status_code == 403
    client.force_login(admin)
    assert client.get(url(world.serial_item)).status_code == 200
    assert client.get(reverse("work:process-edit", args=[999999])).status_code == 404


def test_the_page_holds_the_whole_process_and_its_chart(client, world, admin):
    define_serial(world)
    client.force_login(admin)
    html = client.get(url(world.serial_item)).content.decode()
    for name in (
        "stages-0-name",
        "stages-1-name",
        "stages-0-steps-0-department_id",
        "stages-1-steps-0-limit_days",
    ):
        assert f'name="{name}"' in html, name
    assert 'id="process-chart"' in html and "材料审查" in html and "负责人决定" in html
    assert 'hx-post="' + url(world.serial_item, "process-preview") + '"' in html


def test_an_edit_shows_the_form_again_and_saves_nothing(client, world, admin):
    define_serial(world)
    before = shape(world.serial_item)
    client.force_login(admin)
    data = form_of(rows_from_plan(process_for_item(world.serial_item).as_list()), op="add-step:0")
    response = client.post(url(world.serial_item), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="stages-0-steps-1-name"' in html and 'data-focus="stages-0-steps-1-name"' in html
    assert (
        shape(world.serial_item) == before
        and not ServiceItem.objects.filter(status=ItemStatus.DRAFT).exists()
    )


def test_the_chart_redraws_from_the_form_as_it_stands(client, world, admin):
    client.force_login(admin)
    rows = serial_rows(world)
    rows[0]["steps"].append({"name": "消防审查", "department_id": world.fire.pk, "limit_days": "abc"})
    rows[0]["kind"] = "parallel"
    response = client.post(url(world.serial_item, "process-preview"), form_of(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "消防审查" in html and "天河区应急管理局" in html and "并联" in html
    assert "第 1 阶段第 2 个环节：办理时限应为整数（工作日）。" in html
    assert "为并联审批，必须指定牵头部门。" in html
    assert not ProcessDefinition.objects.exists()


def test_saving_a_draft_changes_it_in_place_with_the_log_entry(client, world, admin):
    draft = catalogue_services.item_new_version(actor=admin, item=world.serial_item.pk)
    client.force_login(admin)
    revision = plan_revision(process_for_item(draft))
    response = client.post(url(draft), form_of(serial_rows(world), op="save", revision=revision))
    assert response.status_code == 302 and response["Location"] == url(draft)
    assert shape(draft) == [
        ("审查", "single", [("材料审查", 5)]),
        ("决定", "single", [("负责人决定", 2)]),
    ]
    event = ItemEvent.objects.filter(item=draft).latest("id")
    assert (event.kind, event.actor, event.detail["stages"], event.detail["steps"]) == (
        ItemEventKind.PROCESS_UPDATED,
        admin,
        2,
        2,
    )


def test_saving_a_published_version_makes_a_new_draft(client, world, admin):
    define_serial(world)
    published = world.serial_item
    before = shape(published)
    client.force_login(admin)
    rows = serial_rows(world)
    rows[1]["steps"][0]["limit_days"] = 1
    revision = plan_revision(process_for_item(published))
    response = client.post(url(published), form_of(rows, op="save", revision=revision), follow=True)
    draft = ServiceItem.objects.get(code=published.code, status=ItemStatus.DRAFT)
    assert draft.version == published.version + 1
    assert response.redirect_chain[-1][0] == url(draft)
    assert "办理流程已保存到新建的第 2 版草稿" in response.content.decode()
    assert shape(published) == before  # the published version and the cases filed under it keep theirs
    assert shape(draft)[1] == ("决定", "single", [("负责人决定", 1)])
    kinds = list(ItemEvent.objects.filter(item=draft).order_by("id").values_list("kind", flat=True))
    assert kinds == [ItemEventKind.NEW_VERSION, ItemEventKind.PROCESS_UPDATED]


def test_a_published_version_with_a_draft_is_refused(client, world, admin):
    draft = catalogue_services.item_new_version(actor=admin, item=world.serial_item.pk)
    client.force_login(admin)
    page = client.get(url(world.serial_item)).content.decode()
    assert url(draft) in page and 'id="process-form"' not in page  # edit the draft instead
    response = client.post(url(world.serial_item), form_of(serial_rows(world), op="save"))
    assert response.status_code == 409
    assert "已有未发布的草稿（第 2 版）" in response.content.decode()
    assert not ProcessDefinition.objects.exists()


def test_a_save_over_a_newer_edit_is_a_conflict(client, world, admin):
    define_serial(world)
    draft = catalogue_services.item_new_version(actor=admin, item=world.serial_item.pk)
    seen = plan_revision(process_for_item(draft))
    rows = serial_rows(world)
    services.process_define(actor=admin, item_id=draft.pk, stages=rows)  # someone else saves first
    after_them = shape(draft)
    client.force_login(admin)
    mine = serial_rows(world)
    mine[0]["name"] = "我的改动"
    response = client.post(url(draft), form_of(mine, op="save", revision=seen))
    assert response.status_code == 409 and "该办理流程刚被其他人修改" in response.content.decode()
    assert shape(draft) == after_them


def test_a_wrong_process_is_refused_with_every_problem(client, world, admin):
    draft = catalogue_services.item_new_version(actor=admin, item=world.serial_item.pk)
    client.force_login(admin)
    rows = serial_rows(world)
    rows[0]["steps"][0]["department_id"] = ""
    rows[1]["steps"][0]["limit_days"] = 30
    response = client.post(url(draft), form_of(rows, op="save", revision=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "办理流程有误：第 1 阶段第 1 个环节：请选择办理部门。" in html
    assert "超过了承诺办结时限 8 个工作日" in html  # listed beside the chart
    assert not ProcessDefinition.objects.filter(item=draft).exists()


def test_saving_what_is_there_changes_nothing(world, admin):
    define_serial(world)
    current = rows_from_plan(process_for_item(world.serial_item).as_list())
    name = ProcessDefinition.objects.get(item=world.serial_item).name
    count = ItemEvent.objects.count()
    services.process_define(actor=admin, item_id=world.serial_item.pk, stages=current, name=name)
    assert not ServiceItem.objects.filter(status=ItemStatus.DRAFT).exists()
    assert ItemEvent.objects.count() == count


def test_a_retired_version_is_read_only(client, world, admin):
    item = ServiceItemFactory(department=world.housing, promised_limit=8, statutory_limit=20)
    catalogue_services.item_retire(actor=admin, item=item.pk)
    client.force_login(admin)
    assert 'id="process-form"' not in client.get(url(item)).content.decode()
    assert client.post(url(item), form_of(serial_rows(world), op="save")).status_code == 409


def test_the_item_admin_and_the_process_list_lead_to_the_editor(client, world, admin):
    define_serial(world)
    superuser = StaffFactory.with_role(StaffRole.ADMINISTRATOR, is_superuser=True, is_staff=True)
    client.force_login(superuser)
    item_page = client.get(reverse("admin:catalogue_serviceitem_change", args=[world.serial_item.pk]))
    assert url(world.serial_item) in item_page.content.decode()
    definition = ProcessDefinition.objects.get(item=world.serial_item)
    change = client.get(reverse("admin:cases_processdefinition_change", args=[definition.pk]))
    assert change.status_code == 302 and change["Location"] == url(world.serial_item)
    assert (
        url(world.serial_item)
        in client.get(reverse("admin:cases_processdefinition_changelist")).content.decode()
    )
    from django.contrib import admin as django_admin

    from tongban.cases.models import StageDefinition

    assert StageDefinition not in django_admin.site._registry  # no second page for steps


# ---- the API -------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_reads_checks_and_saves(world, admin):
    api = _api(admin)
    path = f"/api/v1/process-definitions/{world.serial_item.pk}/"
    r = api.get(path)
    assert r.status_code == 200 and r.json()["is_default"] is True and r.json()["revision"] == ""
    bad = serial_rows(world)
    bad[0]["steps"][0]["limit_days"] = "五"
    r = api.post(path + "check/", {"stages": bad}, format="json")
    assert (
        r.status_code == 200 and "第 1 阶段第 1 个环节：办理时限应为整数（工作日）。" in r.json()["problems"]
    )
    r = api.put(path, {"stages": bad}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "stages"
    assert "第 1 阶段第 1 个环节：办理时限应为整数（工作日）。" in r.json()["errors"]
    r = api.put(path, {"stages": serial_rows(world), "revision": ""}, format="json")
    assert r.status_code == 201, r.json()  # published: a new draft version carries it
    body = r.json()
    draft = ServiceItem.objects.get(pk=body["item_id"])
    assert (draft.status, draft.version, body["item_status"]) == (ItemStatus.DRAFT, 2, "draft")
    assert [s["name"] for s in body["stages"]] == ["审查", "决定"] and body["problems"] == []
    changed = serial_rows(world)
    changed[0]["name"] = "材料审查阶段"
    r = api.put(
        f"/api/v1/process-definitions/{draft.pk}/", {"stages": changed, "revision": "stale"}, format="json"
    )
    assert r.status_code == 409 and r.json()["field"] == "revision"
    assert ItemEvent.objects.filter(item=draft, kind=ItemEventKind.PROCESS_UPDATED, actor=admin).count() == 1


def test_the_api_is_for_administrators(world):
    path = f"/api/v1/process-definitions/{world.serial_item.pk}/"
    r = _api(world.approvers["住建"]).get(path)
    assert r.status_code == 403 and r.json()["message"] == "只有管理员可以配置办理流程。"
    r = _api(world.approvers["住建"]).put(path, {"stages": serial_rows(world)}, format="json")
    assert r.status_code == 403
    assert (
        _api(StaffFactory.with_role(StaffRole.ADMINISTRATOR))
        .get("/api/v1/process-definitions/999999/")
        .status_code
        == 404
    )
