"""Payout fixtures: the fake Amazon (from the channels' fixtures), a seller account the
Gorakhpur centre operates for many producers on Amazon.in and one on Flipkart, two producers
with a SKU each (Ramu's terracotta horse, the khadi unit's kurta), and the message template a
payout is told with."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from niryat.catalog.models import Sku
from niryat.channels.actions import record_order
from niryat.channels.amazon import api as amazon_api
from niryat.channels.amazon import channel as amazon_channel
from niryat.channels.base import OrderData, OrderLineData
from niryat.channels.models import ChannelAccount, Listing, Order
from niryat.channels.secrets import encrypt
from niryat.core.models import AuditEntry, District
from niryat.messaging.models import MessageTemplate
from tests.channels.conftest import (  # noqa: F401 - fixtures
    amazon_server,
    fake_amazon,
    fast_retries,
    horse_sku,
    khadi_sku,
    media,
    ramu,
)

CREDENTIALS = {
    "client_id": "amzn1.application-oa2-client.niryatgorakhpur",
    "client_secret": "amzn1.oa2-cs.v1.secret",
    "refresh_token": "Atzr|IwEBIGorakhpurEdc",
}

# The row niryat/messaging must hold for a payout to be told (the lead adds it as a messaging
# migration at merge; the payouts app cannot, being messaging's sibling).
PAYOUT_TEMPLATE = {
    "key": "payout_landed",
    "purpose": "A marketplace paid the producer's money for an order into their account.",
    "body_en": "Niryat: {amount} for order #{order} reached your account on {date}.",
    "body_hi": "निर्यात: ऑर्डर #{order} का {amount} आपके खाते में {date} को आया।",
    "whatsapp_name": "payout_landed",
}


@pytest.fixture(autouse=True)
def fresh_tokens() -> None:
    amazon_api.tokens.clear()
    amazon_channel._order_items.clear()


@pytest.fixture
def payout_template(db: Any) -> MessageTemplate:  # noqa: ARG001
    template, _created = MessageTemplate.objects.get_or_create(
        key=PAYOUT_TEMPLATE["key"], defaults=PAYOUT_TEMPLATE
    )
    return template


@pytest.fixture
def amazon_account(gorakhpur: District) -> ChannelAccount:
    """The centre's Amazon.in account, for many producers."""
    return ChannelAccount.objects.create(
        district=gorakhpur,
        channel="amazon",
        name="Gorakhpur EDC on Amazon.in",
        credentials_encrypted=encrypt(CREDENTIALS),
        settings={"seller_id": "A2GORAKHPUR01", "marketplace_id": "A21TJRUUN4KGV"},
    )


@pytest.fixture
def flipkart_account(gorakhpur: District) -> ChannelAccount:
    return ChannelAccount.objects.create(
        district=gorakhpur, channel="flipkart", name="Gorakhpur EDC on Flipkart"
    )


def go_live(account: ChannelAccount, *skus: Sku) -> None:
    """The SKUs listed on the (fake) Amazon, as the channel lists them."""
    channel = amazon_channel.AmazonChannel(account)
    for sku in skus:
        listing = Listing.objects.create(sku=sku, account=account)
        channel.submit(listing, key=f"submit-{sku.pk}")
        channel.poll(listing)


def book(
    account: ChannelAccount,
    order_id: str,
    lines: list[tuple[str, int, Decimal, str]],
    *,
    ordered_at: datetime,
    status: str = "delivered",
    delivered_at: datetime | None = None,
) -> Order:
    """An order in our book as the marketplace reported it: placed, then moved to `status`
    (recorded at `delivered_at`, for a delivery or a return)."""
    data = OrderData(
        channel_order_id=order_id,
        ordered_at=ordered_at,
        lines=[
            OrderLineData(sku, quantity, price, line_id=line_id)
            for sku, quantity, price, line_id in lines
        ],
    )
    order = record_order(account, data)
    if status in ("delivered", "returned"):
        record_order(account, replace(data, status="delivered"))
    if status == "returned":
        record_order(account, replace(data, status="returned"))
    if delivered_at is not None:
        AuditEntry.objects.filter(object_type="channels.order", object_id=str(order.pk)).update(
            created_at=delivered_at
        )
    order.refresh_from_db()
    return order


def book_fake_order(account: ChannelAccount, fake_order: dict[str, Any], **options: Any) -> Order:
    """The fake Amazon's order, in our book."""
    items = fake_order["_items"] if "_items" in fake_order else fake_order["items"]
    lines = [
        (
            item["SellerSKU"],
            int(item["QuantityOrdered"]),
            Decimal(str(item["ItemPrice"]["Amount"])) / int(item["QuantityOrdered"]),
            item["OrderItemId"],
        )
        for item in items
    ]
    ordered_at = datetime.fromisoformat(fake_order["PurchaseDate"].replace("Z", "+00:00"))
    return book(account, fake_order["AmazonOrderId"], lines, ordered_at=ordered_at, **options)
