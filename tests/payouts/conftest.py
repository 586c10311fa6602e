"""Payout fixtures: the fake Amazon (from the channels' fixtures), a seller account the
Gorakhpur centre operates for many producers on Amazon.in and one on Flipkart, two producers
with a SKU each (Ramu's terracotta horse, the khadi unit's kurta), and the message template a
payout is told with."""

from __future__ import annotations

import datetime as dt
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
from niryat.channels.settlements import Charge, SettlementData, SettlementLineData
from niryat.core.models import AuditEntry, District
from niryat.messaging.models import MessageTemplate
from niryat.payouts.actions import do_record_settlement
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

# The template row messaging 0004 registers, made again: a flushed test database lost it.
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
def payout_template(db: Any) -> MessageTemplate:
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


# --- a month of one account: paid, returned and refunded, delivered and not paid ------------
D = Decimal


def at(day: int, month: int = 11, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, 6, 0, tzinfo=dt.UTC)


def charges(order: str, item: str, sku: str, *pairs: tuple[str, str]) -> list[SettlementLineData]:
    return [
        SettlementLineData(kind, D(amount), "INR", kind, order, item, sku) for kind, amount in pairs
    ]


SALE_A = [
    (Charge.SALE, "1000"),
    (Charge.SALE_TAX, "120"),
    (Charge.COMMISSION, "-112"),
    (Charge.FIXED_FEE, "-20"),
    (Charge.FEE_GST, "-23.76"),
    (Charge.TCS, "-5"),
    (Charge.TDS, "-1"),
]
SALE_B = [
    (Charge.SALE, "1000"),
    (Charge.SALE_TAX, "120"),
    (Charge.COMMISSION, "-112"),
    (Charge.FEE_GST, "-20.16"),
    (Charge.TCS, "-5"),
    (Charge.TDS, "-1"),
]
REFUND_B = [
    (Charge.REFUND, "-1000"),
    (Charge.REFUND_TAX, "-120"),
    (Charge.FEE_REVERSAL, "112"),
    (Charge.COMMISSION, "-22.40"),
    (Charge.TCS, "5"),
    (Charge.TDS, "1"),
]


def settlement(
    settlement_id: str, lines: list[SettlementLineData], *, off: str = "0", paid: bool = True
) -> SettlementData:
    total = sum((line.amount for line in lines), D(0)) + D(off)
    return SettlementData(
        settlement_id=settlement_id,
        currency="INR",
        total=total,
        lines=lines,
        opened_at=at(1),
        closed_at=at(19),
        paid_on=dt.date(2026, 11, 20) if paid else None,
        reference="NEFT000111",
    )


@pytest.fixture
def month(
    amazon_account: ChannelAccount,
    horse_sku: Sku,  # noqa: F811 - the fixture imported above
    khadi_sku: Sku,  # noqa: F811
) -> dict[str, Any]:
    """Ramu's horse A paid (₹100 held in reserve against the horse), the khadi unit's kurtas B
    returned and refunded, Ramu's horse C delivered on 10 November and not paid."""
    for sku in (horse_sku, khadi_sku):
        amazon_account.listings.create(sku=sku, state="live")
    a = book(amazon_account, "403-A", [("TERR-HORSE-01", 1, D("1120"), "IA")], ordered_at=at(2))
    b = book(
        amazon_account,
        "403-B",
        [("KHADI-KURTA-M", 2, D("560"), "IB")],
        ordered_at=at(3),
        status="returned",
    )
    c = book(
        amazon_account,
        "403-C",
        [("TERR-HORSE-01", 1, D("1120"), "IC")],
        ordered_at=at(5),
        delivered_at=at(10),
    )
    lines = [
        *charges("403-A", "IA", "TERR-HORSE-01", *SALE_A),
        *charges("403-B", "IB", "KHADI-KURTA-M", *SALE_B),
        *charges("403-B", "IB", "KHADI-KURTA-M", *REFUND_B),
        SettlementLineData(
            Charge.RESERVE, D("-100"), "INR", "ReserveDebit", seller_sku="TERR-HORSE-01"
        ),
    ]
    recorded = do_record_settlement(
        amazon_account, settlement("FEG-1", lines), source="api", acting_user=None
    )
    return {"a": a, "b": b, "c": c, "settlement": recorded.settlement}
