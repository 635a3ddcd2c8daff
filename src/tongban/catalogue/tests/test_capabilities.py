"""An honest guide (issue 12 point 4): an item shows a capability exactly when the platform provides it.

The declared 网办深度 promised 在线咨询 on every item and 电子证照 on depth-7 items while neither existed;
now the item page, the browse and search lists, the kiosk guide and the public API list what the
configuration provides: 网上办理 (online depth ≥ 2 and a valid form), 预约办理 (a hall's queue for the
item's category takes appointments), and nothing for capabilities no app provides yet.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.catalogue.capabilities import (
    Capability,
    CapabilityCode,
    capabilities_for,
    item_capabilities,
    register_capability,
    unregister_capability,
)
from tongban.catalogue.choices import OnlineDepth
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.hall.models import AppointmentSlotConfig, QueueCategory
from tongban.hall.services import hall_queues_setup
from tongban.organisations.tests.factories import HallFactory

pytestmark = pytest.mark.django_db


def codes(item) -> list[str]:
    return [c.code for c in item_capabilities(item)]


def page(client, item) -> str:
    return client.get(reverse("catalogue:item-detail", args=[item.code])).content.decode()


@pytest.fixture
def declared_everything():
    """Declared 七级：电子证照反馈 — which also claims 在线咨询 (一级) and every level between."""
    return ServiceItemFactory(
        code="E7", name="食品经营许可", category="business", online_depth=OnlineDepth.E_LICENCE
    )


@pytest.fixture
def consult_only():
    """Declared 一级：在线咨询 only: no online application."""
    return ServiceItemFactory(
        code="C1", name="户籍证明", category="citizen", online_depth=OnlineDepth.CONSULT
    )


class TestOnlineApplication:
    def test_declared_depth_two_or_more_and_a_form_is_online_application(self, client, declared_everything):
        assert codes(declared_everything) == [CapabilityCode.APPLY_ONLINE]
        body = page(client, declared_everything)
        apply = reverse("cases:apply", args=["E7"])
        assert f'href="{apply}" data-capability="apply_online">在线办理' in body

    def test_declared_consultation_only_offers_no_online_application(self, client, consult_only):
        assert codes(consult_only) == []
        body = page(client, consult_only)
        assert "在线办理" not in body and reverse("cases:apply", args=["C1"]) not in body
        # the apply page sends the visitor back to the guide with the same reason
        assert "在线咨询" not in body

    def test_a_broken_form_is_no_online_application(self, client, declared_everything, django_user_model):
        from tongban.cases.capabilities import online_application_refusal
        from tongban.cases.models import ItemForm

        ItemForm.objects.create(item=declared_everything, schema={"fields": [{"key": "X", "type": "?"}]})
        assert codes(declared_everything) == []
        assert "申请表尚未配置完成" in online_application_refusal(declared_everything)


class TestNothingThatDoesNotExist:
    """No app provides 在线咨询 or 电子证照 today: no item, page or API shows them as supported."""

    def test_item_page(self, client, declared_everything, consult_only):
        for item in (declared_everything, consult_only):
            body = page(client, item)
            assert "在线咨询" not in body
            assert "电子证照" not in body
            assert "✓" not in body and "网办深度" not in body

    def test_lists(self, client, declared_everything, consult_only):
        body = client.get(reverse("catalogue:browse")).content.decode()
        assert "电子证照" not in body and "在线咨询" not in body and "网办深度" not in body
        body = client.get(reverse("catalogue:guide-search") + "?q=食品").content.decode()
        assert "经营许可" in body and "电子证照" not in body and "网上办理" in body

    def test_api(self, client, declared_everything, consult_only):
        detail = client.get(reverse("api-catalogue-item-detail", args=["E7"])).json()
        assert [c["code"] for c in detail["capabilities"]] == ["apply_online"]
        assert "online_depth_display" not in detail
        assert "电子证照" not in str(detail["capabilities"]) and "在线咨询" not in str(detail)
        listing = client.get(reverse("api-catalogue-item-list")).json()
        by_code = {row["code"]: row["capabilities"] for row in listing["results"]}
        assert by_code == {"C1": [], "E7": [{k: v for k, v in detail["capabilities"][0].items()}]}

    def test_kiosk(self, client, declared_everything):
        hall = HallFactory(code="K1")
        body = client.get(reverse("kiosk:guide-item", args=[hall.code, "E7"])).content.decode()
        assert "网上办理" in body and "电子证照" not in body and "在线咨询" not in body

    def test_the_flow_promises_no_e_licence(self, client, declared_everything):
        body = page(client, declared_everything)
        flow = body[body.index('<ol class="guide-flow"') :]
        assert "电子证照" not in flow[: flow.index("</ol>")]


class TestBooking:
    def test_no_hall_takes_appointments_no_booking(self, client, declared_everything):
        HallFactory(code="H1")  # a hall without queues
        assert CapabilityCode.BOOK not in codes(declared_everything)
        assert 'data-capability="book"' not in page(client, declared_everything)

    def test_a_hall_taking_appointments_for_the_category_offers_booking(self, client, declared_everything):
        hall = HallFactory(code="H1", name="测试区政务服务中心")
        hall_queues_setup(hall_id=hall.pk)
        book = item_capabilities(declared_everything)[1]
        assert book.code == CapabilityCode.BOOK
        assert book.url == f"{reverse('hall:book')}?item=E7&hall=H1"
        assert "测试区政务服务中心" in book.detail
        body = page(client, declared_everything)
        assert f'href="{reverse("hall:book")}?item=E7&amp;hall=H1" data-capability="book">预约</a>' in body

    def test_two_halls_let_the_person_choose(self, declared_everything):
        for code in ("H1", "H2"):
            hall_queues_setup(hall_id=HallFactory(code=code).pk)
        (book,) = [c for c in item_capabilities(declared_everything) if c.code == CapabilityCode.BOOK]
        assert book.url == f"{reverse('hall:book')}?item=E7"

    def test_booking_follows_the_queue_the_booking_uses(self, declared_everything, consult_only):
        hall = HallFactory(code="H1")
        hall_queues_setup(hall_id=hall.pk)
        business = QueueCategory.objects.get(hall=hall, code="B")
        AppointmentSlotConfig.objects.filter(category=business).update(is_active=False)
        # 经营 no longer bookable, 公民 still is
        caps = capabilities_for([declared_everything, consult_only])
        assert [c.code for c in caps[declared_everything.pk]] == [CapabilityCode.APPLY_ONLINE]
        assert [c.code for c in caps[consult_only.pk]] == [CapabilityCode.BOOK]
        # a later queue for the same category with slots does not count: booking uses the first one
        extra = QueueCategory.objects.create(hall=hall, code="F", name="经营二", item_categories=["business"])
        extra.sort_order = 99
        extra.save()
        AppointmentSlotConfig.objects.create(hall=hall, category=extra, periods=[["09:00", "12:00"]])
        assert CapabilityCode.BOOK not in codes(declared_everything)
        hall.is_active = False
        hall.save()
        assert codes(consult_only) == []


def test_a_provided_capability_shows_on_the_items_it_answers_for(client, declared_everything, consult_only):
    """When an app provides e-licences (the licences app, later), exactly its items show them."""

    def licences(items):
        return {
            i.pk: Capability(CapabilityCode.E_LICENCE, "电子证照", "", "办结后发放电子营业执照。")
            for i in items
            if i.code == "E7"
        }

    register_capability(CapabilityCode.E_LICENCE, licences)
    try:
        assert codes(declared_everything) == [CapabilityCode.APPLY_ONLINE, CapabilityCode.E_LICENCE]
        assert codes(consult_only) == []
        body = page(client, declared_everything)
        assert "办结后发放电子营业执照。" in body
        flow = body[body.index('<ol class="guide-flow"') :]
        assert "电子证照" in flow[: flow.index("</ol>")]
        assert "电子证照" not in page(client, consult_only)
    finally:
        unregister_capability(CapabilityCode.E_LICENCE)


def test_unknown_capability_is_refused():
    with pytest.raises(ValueError):
        register_capability("teleport", lambda items: {})
