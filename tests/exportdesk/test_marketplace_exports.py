"""Marketplace orders shipped abroad (eBay, Amazon Global Selling) become export orders, with
their lines from the catalogue, at the reference rate of the order's date, once per order; their
documents are then issued as for any export order."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.core.models import District, User
from niryat.exportdesk.actions import (
    do_export_marketplace_order,
    do_issue_document,
    do_record_reference_rate,
    do_update_readiness_item,
)
from niryat.exportdesk.models import ExportOrder
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
BUYER = {"name": "Ann Carter", "country": "US", "address": "Austin TX 78701"}


@pytest.fixture
def ebay_order(ramu: Producer, ganesh: User, gorakhpur: District) -> Order:
    sku: Sku = add_sku(make_product(ramu, ganesh), ganesh, seller_sku="TERR-HORSE-01")
    account = ChannelAccount.objects.create(
        district=gorakhpur, channel="ebay", name="Gorakhpur EDC on eBay"
    )
    order = Order.objects.create(
        district=gorakhpur,
        account=account,
        producer=ramu,
        channel_order_id="12-34567-89012",
        ordered_at=datetime.datetime(2026, 12, 5, 8, 0, tzinfo=datetime.UTC),
        currency="USD",
        total=Decimal("22.82"),
        buyer_city="Austin",
    )
    OrderLine.objects.create(
        order=order, sku=sku, seller_sku="TERR-HORSE-01", quantity=2, unit_price=Decimal("11.41")
    )
    return order


def test_an_ebay_order_abroad_becomes_an_export_order_with_its_documents(
    ebay_order: Order, ramu: Producer, ganesh: User
) -> None:
    do_record_reference_rate(
        "USD",
        on=datetime.date(2026, 12, 4),
        inr_per_unit=Decimal("84.20"),
        source="CBIC 80/2026-Cus (NT)",
        acting_user=ganesh,
    )
    do_update_readiness_item(ramu, "iec", status="done", reference="ABCPE1234F", acting_user=ganesh)

    order = do_export_marketplace_order(ebay_order, buyer=BUYER, acting_user=ganesh)

    assert order.buyer.country == "US"
    assert order.buyer_order_ref == "12-34567-89012"
    assert order.exchange_rate == Decimal("84.2000")
    assert [
        (line.description, line.hs_code, line.quantity, line.unit_price, line.net_weight_kg)
        for line in order.lines.all()
    ] == [
        (
            "Gorakhpur terracotta horse, handmade, 30 cm",
            "69139000",
            2,
            Decimal("11.41"),
            Decimal("1.800"),
        )
    ]
    order.igst_paid, order.igst_rate = True, Decimal(12)
    order.save(update_fields=["igst_paid", "igst_rate"])
    assert do_issue_document(order, "invoice", acting_user=ganesh).version == 1

    with pytest.raises(ValidationError) as again:
        do_export_marketplace_order(ebay_order, buyer=BUYER, acting_user=ganesh)
    assert again.value.messages == ["This marketplace order already has its export order."]
    assert ExportOrder.objects.count() == 1


def test_an_order_to_india_or_from_flipkart_is_not_an_export(
    ebay_order: Order, ganesh: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        do_export_marketplace_order(
            ebay_order, buyer={**BUYER, "country": "IN"}, acting_user=ganesh
        )
    assert refused.value.messages == ["Choose the country the order ships to, outside India."]
    ChannelAccount.objects.update(channel="flipkart")
    ebay_order.refresh_from_db()
    with pytest.raises(ValidationError):
        do_export_marketplace_order(ebay_order, buyer=BUYER, acting_user=ganesh)
    assert not ExportOrder.objects.exists()


def test_staff_pick_the_order_and_other_districts_cannot(
    ebay_order: Order, ganesh: User, vani: User
) -> None:
    client = client_for(ganesh)
    listed = client.get("/export/marketplace-orders/").content.decode()
    assert "12-34567-89012" in listed
    made = client.post(
        f"/export/marketplace-orders/{ebay_order.uuid}/",
        {"buyer_name": "Ann Carter", "buyer_country": "US", "buyer_address": "Austin"},
    )
    assert made.status_code == 302
    assert ExportOrder.objects.get().marketplace_order == ebay_order
    assert "12-34567-89012" not in client.get("/export/marketplace-orders/").content.decode()
    assert client_for(vani).get(f"/export/marketplace-orders/{ebay_order.uuid}/").status_code == 404
