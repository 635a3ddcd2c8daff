"""Cards by hand and card rules through the pages and the API: a supervisor can always show a card, with
a reason and its evidence; every card says which rule or which person showed it and why; rules are read
by supervisors and changed by administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.supervision.models import Card, CardRule, CardWarning
from tongban.supervision.services import directive_issue, warning_sweep

from .helpers import api, day, watch

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_watch(world):
    d = watch(world, limit=5, reference="TB-RED", assignee=world.approver)
    warning_sweep(today=day(2026, 3, 17))  # due 9 March: red, escalated
    d.refresh_from_db()
    assert d.level == "red"
    return d


def department_directive(world):
    return directive_issue(
        actor=world.supervisor,
        subject_type="department",
        subject_id=world.dept.pk,
        title="清理超期件",
        required_action="说明原因",
        response_days=3,
    )


def test_a_supervisor_shows_a_card_by_hand_from_a_watch_page(world, red_watch, client):
    client.force_login(world.supervisor)
    page = client.get(reverse("supervision:deadline", args=[red_watch.pk])).content.decode()
    link = f"{reverse('supervision:card-new')}?deadline={red_watch.pk}&amp;department={world.dept.pk}"
    assert link in page
    form = client.get(
        reverse("supervision:card-new"), {"deadline": red_watch.pk, "department": world.dept.pk}
    )
    body = form.content.decode()
    assert form.status_code == 200 and "TB-RED" in body and "责任人" in body
    r = client.post(
        reverse("supervision:card-new"),
        {
            "color": "yellow",
            "department": world.dept.pk,
            "staff": world.approver.pk,
            "reason": "超期后经催办仍未办理",
            "deadline": red_watch.pk,
        },
    )
    assert r.status_code == 302
    card = Card.objects.get()
    assert (card.issued_by, card.rule, card.staff, card.deadline, card.subject_label) == (
        world.supervisor,
        None,
        world.approver,
        red_watch,
        "办件 TB-RED",
    )
    kinds = set(card.warnings.values_list("kind", flat=True))
    assert kinds == {"red", "escalated"}
    detail = client.get(reverse("supervision:card", args=[card.pk])).content.decode()
    assert "人工出示" in detail and str(world.supervisor) in detail and "超期后经催办仍未办理" in detail
    assert reverse("supervision:deadline", args=[red_watch.pk]) in detail and "计入的红灯预警" in detail


def test_a_manual_card_needs_a_reason_and_a_person_of_the_department(world, client):
    client.force_login(world.supervisor)
    r = client.post(
        reverse("supervision:card-new"), {"color": "red", "department": world.dept.pk, "reason": ""}
    )
    assert r.status_code == 400 and "is-invalid" in r.content.decode()
    r = client.post(
        reverse("supervision:card-new"),
        {"color": "red", "department": world.dept.pk, "staff": world.other_approver.pk, "reason": "x"},
    )
    assert r.status_code == 400 and "被出示的工作人员不属于该部门。" in r.content.decode()
    assert not Card.objects.exists()


def test_the_api_shows_a_card_with_a_directive_as_evidence(world):
    directive = department_directive(world)
    r = api(world.supervisor).post(
        "/api/v1/supervision/cards/",
        {
            "color": "red",
            "department": world.dept.pk,
            "reason": "督办后仍敷衍",
            "directive": directive.number,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    data = r.json()
    assert (data["directive"], data["directive_number"], data["rule"], data["source"]) == (
        directive.pk,
        directive.number,
        None,
        f"人工出示：{world.supervisor}",
    )
    bad = api(world.supervisor).post(
        "/api/v1/supervision/cards/",
        {"color": "red", "department": world.dept.pk, "reason": "x", "directive": "DB2026999999"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "directive"
    denied = api(world.head).post(
        "/api/v1/supervision/cards/",
        {"color": "red", "department": world.dept.pk, "reason": "x"},
        format="json",
    )
    assert denied.status_code == 403


def test_a_rule_card_says_which_rule_and_links_the_directive(world, client):
    directive = department_directive(world)
    warning_sweep(today=day(2026, 3, 11))
    card = Card.objects.get()
    data = api(world.head).get(f"/api/v1/supervision/cards/{card.pk}/").json()
    assert (data["rule_name"], data["source"], data["directive_number"]) == (
        "督办单逾期未反馈",
        "规则：督办单逾期未反馈",
        directive.number,
    )
    client.force_login(world.supervisor)
    body = client.get(reverse("supervision:card", args=[card.pk])).content.decode()
    assert reverse("supervision:card-rule", args=[card.rule_id]) in body
    assert reverse("supervision:directive", args=[directive.pk]) in body
    directive_page = client.get(reverse("supervision:directive", args=[directive.pk])).content.decode()
    assert reverse("supervision:card", args=[card.pk]) in directive_page
    listing = client.get(reverse("supervision:cards"), {"rule": card.rule_id}).content.decode()
    assert reverse("supervision:card", args=[card.pk]) in listing


def test_a_repeated_fault_card_lists_the_warnings_it_counted(world, client):
    for n in range(5):
        watch(world, limit=3, start=day(2026, 2, 16), today=day(2026, 3, 2), reference=f"TB-R{n}")
    warning_sweep(today=day(2026, 3, 2))
    card = Card.objects.get()
    assert CardWarning.objects.filter(card=card).count() == 5
    data = api(world.approver).get(f"/api/v1/supervision/cards/{card.pk}/").json()
    assert sorted(w["reference"] for w in data["warnings"]) == [f"TB-R{n}" for n in range(5)]
    client.force_login(world.approver)
    body = client.get(reverse("supervision:card", args=[card.pk])).content.decode()
    assert all(f"TB-R{n}" in body for n in range(5))


def test_rules_are_read_by_supervisors_and_changed_by_administrators(world):
    rules = api(world.supervisor).get("/api/v1/supervision/card-rules/")
    assert rules.status_code == 200
    by_key = {r["key"]: r for r in rules.json()["results"]}
    assert (
        by_key["directive_ignored"]["summary"]
        == "督办单反馈期限届满后超过 3 个工作日仍未反馈，向责任部门出示红牌。"
    )
    assert api(world.head).get("/api/v1/supervision/card-rules/").status_code == 403
    rule = CardRule.objects.get(key="repeated_red")
    url = f"/api/v1/supervision/card-rules/{rule.pk}/"
    assert api(world.supervisor).patch(url, {"count": 3}, format="json").status_code == 403
    r = api(world.admin).patch(url, {"count": 3, "expected_version": rule.version}, format="json")
    assert r.status_code == 200 and r.json()["count"] == 3
    assert r.json()["events"][-1]["changes"] == {"count": [5, 3]}
    stale = api(world.admin).patch(url, {"count": 4, "expected_version": rule.version}, format="json")
    assert stale.status_code == 409
    fixed = api(world.admin).patch(url, {"trigger": "overdue"}, format="json")
    assert fixed.status_code == 400 and fixed.json()["field"] == "trigger"
    bad = api(world.admin).patch(url, {"window_days": 0}, format="json")
    assert (
        bad.status_code == 400 and bad.json()["field"] == "window_days" and "统计期" in bad.json()["message"]
    )
    created = api(world.admin).post(
        "/api/v1/supervision/card-rules/",
        {"key": "late_red", "trigger": "directive_late", "name": "督办逾期反馈（红牌）", "color": "red"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["active"] is True
    missing = api(world.admin).post(
        "/api/v1/supervision/card-rules/",
        {"trigger": "directive_late", "name": "x", "color": "red"},
        format="json",
    )
    assert missing.status_code == 400 and missing.json()["field"] == "key"


def test_rule_pages(world, client):
    client.force_login(world.supervisor)
    page = client.get(reverse("supervision:card-rules"))
    body = page.content.decode()
    assert page.status_code == 200 and "督办单逾期未反馈" in body and "停用" in body
    assert "管理后台" not in body.split("<main")[1]  # supervisors read; only administrators edit
    rule = CardRule.objects.get(key="directive_ignored")
    detail = client.get(reverse("supervision:card-rule", args=[rule.pk])).content.decode()
    assert "超过 3 个工作日仍未反馈" in detail
    client.force_login(world.head)
    assert client.get(reverse("supervision:card-rules")).status_code == 403
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    client.force_login(world.admin)
    body = client.get(reverse("supervision:card-rules")).content.decode()
    assert reverse("admin:supervision_cardrule_change", args=[rule.pk]) in body


def test_schema_documents_the_rules_api(world):
    schema = api(world.admin).get("/api/schema/").content.decode()
    assert "/api/v1/supervision/card-rules/" in schema and "case_number" in schema
