"""Materials are numbered automatically (issue 12, point 9): 1..n in their order, whatever is added,
moved or removed; a new order is one service call with its item-log entry; nobody types a number —
through the services, the admin's item form and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.catalogue import services
from tongban.catalogue.choices import ItemEventKind
from tongban.catalogue.models import ItemEvent, MaterialRequirement
from tongban.catalogue.tests.factories import DepartmentFactory, ServiceItemFactory
from tongban.common.errors import IllegalTransition, NotAllowed, ValidationFailed
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


def numbered(item) -> list[tuple[int, str]]:
    return list(item.materials.order_by("position").values_list("position", "name"))


def draft_with(*names):
    draft = ServiceItemFactory(draft=True)
    for name in names:
        services.material_add(actor=None, item=draft, fields={"name": name})
    return draft


def test_added_materials_are_numbered_in_turn(admin):
    draft = draft_with("申请书", "营业执照", "身份证明")
    assert numbered(draft) == [(1, "申请书"), (2, "营业执照"), (3, "身份证明")]


def test_a_removed_material_leaves_no_gap(admin):
    draft = draft_with("申请书", "营业执照", "身份证明")
    services.material_remove(actor=admin, material=draft.materials.get(name="营业执照"))
    assert numbered(draft) == [(1, "申请书"), (2, "身份证明")]


def test_reorder_renumbers_and_is_logged(admin):
    draft = draft_with("申请书", "营业执照", "身份证明")
    ids = dict(draft.materials.values_list("name", "pk"))
    services.material_reorder(
        actor=admin, item=draft, order=[ids["身份证明"], ids["申请书"], ids["营业执照"]]
    )
    assert numbered(draft) == [(1, "身份证明"), (2, "申请书"), (3, "营业执照")]
    event = ItemEvent.objects.filter(item=draft).latest("id")
    assert (event.kind, event.actor, event.detail["order"]) == (
        ItemEventKind.MATERIALS_REORDERED,
        admin,
        ["身份证明", "申请书", "营业执照"],
    )
    # the same order again changes nothing and logs nothing
    count = ItemEvent.objects.count()
    services.material_reorder(
        actor=admin, item=draft, order=[ids["身份证明"], ids["申请书"], ids["营业执照"]]
    )
    assert ItemEvent.objects.count() == count


@pytest.mark.parametrize("bad", ["missing", "twice", "foreign", "text"])
def test_an_incomplete_order_is_refused_and_changes_nothing(admin, bad):
    draft = draft_with("申请书", "营业执照")
    other = draft_with("别的事项的材料")
    a, b = draft.materials.order_by("position").values_list("pk", flat=True)
    order = {
        "missing": [b],
        "twice": [b, b],
        "foreign": [b, other.materials.get().pk],
        "text": ["第二", a],
    }[bad]
    before = numbered(draft)
    with pytest.raises(ValidationFailed) as exc:
        services.material_reorder(actor=admin, item=draft, order=order)
    assert exc.value.field == "order" and exc.value.message.startswith("材料顺序：")
    assert numbered(draft) == before


def test_moving_one_material_by_its_position(admin):
    draft = draft_with("申请书", "营业执照", "身份证明")
    services.material_update(
        actor=admin, material=draft.materials.get(name="身份证明"), fields={"position": 1}
    )
    assert numbered(draft) == [(1, "身份证明"), (2, "申请书"), (3, "营业执照")]
    assert ItemEvent.objects.filter(item=draft).latest("id").detail["fields"] == ["position"]


def test_only_drafts_and_their_editors(admin):
    published = ServiceItemFactory(materials=2)
    ids = list(published.materials.values_list("pk", flat=True))
    with pytest.raises(IllegalTransition):
        services.material_reorder(actor=admin, item=published, order=ids[::-1])
    draft = draft_with("申请书", "营业执照")
    outsider = StaffFactory.with_role(StaffRole.APPROVER, department=DepartmentFactory())
    with pytest.raises(NotAllowed):
        services.material_reorder(
            actor=outsider, item=draft, order=list(draft.materials.values_list("pk", flat=True))[::-1]
        )


# ---- the admin's item form ------------------------------------------------------------------------


def _post_data(draft, rows):
    """The item form as the browser posts it: `rows` = [(material or None, name, position or "")]."""
    from tongban.catalogue.tests.test_admin import _form_data

    existing = [r for r in rows if r[0] is not None]
    data = _form_data(
        draft.department,
        code=draft.code,
        name=draft.name,
        **{
            "materials-TOTAL_FORMS": str(len(rows)),
            "materials-INITIAL_FORMS": str(len(existing)),
        },
    )
    for key in [k for k in data if k.startswith("materials-0-")]:
        del data[key]
    for i, (material, name, position) in enumerate(rows):
        data.update(
            {
                f"materials-{i}-id": str(material.pk) if material else "",
                f"materials-{i}-item": str(draft.pk),
                f"materials-{i}-position": str(position),
                f"materials-{i}-name": name,
                f"materials-{i}-form": "both",
                f"materials-{i}-original_copies": "1",
                f"materials-{i}-copy_copies": "0",
                f"materials-{i}-required": "on",
                f"materials-{i}-source": "applicant",
            }
        )
    return data


def test_the_item_form_has_no_number_to_type(client, admin):
    draft = draft_with("申请书", "营业执照")
    client.force_login(admin)
    html = client.get(reverse("admin:catalogue_serviceitem_change", args=[draft.pk])).content.decode()
    assert 'type="hidden" name="materials-0-position"' in html
    assert 'name="materials-0-position" value="1"' in html and "第 1 项" in html and "第 2 项" in html
    assert 'type="number" name="materials-0-position"' not in html and "序号" not in html


def test_the_item_form_saves_the_order_shown(client, admin):
    draft = draft_with("申请书", "营业执照", "身份证明")
    first, second, third = draft.materials.order_by("position")
    client.force_login(admin)
    url = reverse("admin:catalogue_serviceitem_change", args=[draft.pk])
    # the page shows: 身份证明, a new 委托书 dragged to 2nd place, 申请书, 营业执照
    rows = [(third, "身份证明", 1), (first, "申请书", 3), (second, "营业执照", 4), (None, "委托书", 2)]
    response = client.post(url, _post_data(draft, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert numbered(draft) == [(1, "身份证明"), (2, "委托书"), (3, "申请书"), (4, "营业执照")]
    kinds = list(ItemEvent.objects.filter(item=draft).order_by("id").values_list("kind", "actor"))
    assert (ItemEventKind.MATERIALS_REORDERED, admin.pk) in kinds
    assert (ItemEventKind.MATERIAL_ADDED, admin.pk) in kinds


def test_without_javascript_a_new_material_goes_last(client, admin):
    draft = draft_with("申请书", "营业执照")
    first, second = draft.materials.order_by("position")
    client.force_login(admin)
    url = reverse("admin:catalogue_serviceitem_change", args=[draft.pk])
    rows = [(first, "申请书", 1), (second, "营业执照", 2), (None, "委托书", "")]
    assert client.post(url, _post_data(draft, rows)).status_code == 302
    assert numbered(draft) == [(1, "申请书"), (2, "营业执照"), (3, "委托书")]


def test_errors_name_their_fields_and_are_listed_at_the_top(client, admin):
    draft = draft_with("申请书", "营业执照")
    first, second = draft.materials.order_by("position")
    client.force_login(admin)
    url = reverse("admin:catalogue_serviceitem_change", args=[draft.pk])
    data = _post_data(draft, [(first, "", 1), (second, "营业执照", 2)])
    data.update({"name": "", "promised_limit": "99", "materials-1-required": ""})
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))]
    for text in (
        "请填写事项名称。",
        "承诺办结时限不得超过法定办结时限。",  # names its field already: not said twice
        "申请材料第 1 项（申请书）：请填写材料名称。",
        "申请材料第 2 项（营业执照）：非必需材料必须写明适用情形。",
    ):
        assert text in summary, text
    assert 'href="#id_name"' in summary and 'href="#id_materials-1-condition"' in summary
    assert numbered(draft) == [(1, "申请书"), (2, "营业执照")]


def test_a_service_refusal_comes_back_at_its_field_with_the_input_kept(client, admin):
    """The code of a new item exists already: the service refuses after the form was valid."""
    from tongban.catalogue.tests.test_admin import _form_data

    existing = ServiceItemFactory(code="DUP-1")
    client.force_login(admin)
    data = _form_data(existing.department, code="DUP-1", name="我新填的名称")
    response = client.post(reverse("admin:catalogue_serviceitem_add"), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "事项编码 DUP-1 已存在" in html and 'value="我新填的名称"' in html
    assert MaterialRequirement.objects.filter(item__code="DUP-1").count() == existing.materials.count()


# ---- the API --------------------------------------------------------------------------------------


def test_the_api_reorders_and_adds_without_numbers(admin):
    draft = draft_with("申请书", "营业执照")
    first, second = draft.materials.order_by("position").values_list("pk", flat=True)
    api = APIClient()
    api.force_authenticate(admin)
    r = api.post(f"/api/v1/catalogue/versions/{draft.pk}/materials/", {"name": "委托书"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["position"] == 3
    new = r.json()["id"]
    r = api.put(
        f"/api/v1/catalogue/versions/{draft.pk}/materials/order/",
        {"order": [new, second, first]},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert [m["name"] for m in r.json()["materials"]] == ["委托书", "营业执照", "申请书"]
    assert [m["position"] for m in r.json()["materials"]] == [1, 2, 3]
    r = api.put(f"/api/v1/catalogue/versions/{draft.pk}/materials/order/", {"order": [new]}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "order"
    assert r.json()["message"] == "材料顺序：应当列出该事项的全部 3 项材料，每项一次。"
    r = api.delete(f"/api/v1/catalogue/versions/{draft.pk}/materials/{second}/")
    assert r.status_code == 204
    assert numbered(draft) == [(1, "委托书"), (2, "申请书")]


def test_a_published_version_reads_in_words(client, admin):
    item = ServiceItemFactory(applicant_kinds=["legal"], life_events=["start_business"], materials=2)
    client.force_login(admin)
    html = client.get(reverse("admin:catalogue_serviceitem_change", args=[item.pk])).content.decode()
    assert "法人" in html and "开办企业" in html and "[&quot;legal&quot;]" not in html
    assert "第 1 项" in html and "第 2 项" in html and "上移" not in html  # read-only: nothing to move
