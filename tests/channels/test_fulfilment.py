"""Fulfilment reaches the marketplace: staff mark an order packed and shipped (with the courier and
waybill where the marketplace needs them), the call goes through the outbox to the fake over HTTP,
once, faults or not; delivered, returned and cancelled by the buyer come back with the orders."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from fakes.ebay import FakeEbay
from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET
from niryat.catalog.models import Sku
from niryat.channels.actions import do_request_orders, do_set_order_state, record_order
from niryat.channels.amazon import AmazonChannel
from niryat.channels.amazon import api as amazon_api
from niryat.channels.amazon import channel as amazon_channel
from niryat.channels.base import OrderData, OrderLineData, Shipment
from niryat.channels.ebay import EbayChannel
from niryat.channels.ebay import channel as ebay_channel
from niryat.channels.ebay.api import forget_tokens as forget_ebay_tokens
from niryat.channels.flipkart import FlipkartChannel
from niryat.channels.flipkart import api as flipkart_api
from niryat.channels.models import ChannelAccount, ExchangeRate, Listing, Order, OutboxEntry
from niryat.channels.secrets import encrypt
from niryat.core.models import District, User
from niryat.registry.models import Producer
from tests.channels.factories import PAYLOADS, drain
from tests.channels.test_amazon import CREDENTIALS as AMAZON_CREDENTIALS
from tests.channels.test_ebay import CREDENTIALS as EBAY_CREDENTIALS
from tests.channels.test_ebay import SETTINGS as EBAY_SETTINGS
from tests.conftest import client_for

FLIPKART_LOCATION = "LOC8bdd7abceca4423a839d935584ee6f19"


def payload(channel: str, name: str) -> Any:
    return json.loads((PAYLOADS / channel / name).read_text(encoding="utf-8"))


def shape(value: Any) -> Any:
    """The key structure of a JSON value, without the values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    return type(value).__name__


@pytest.fixture(autouse=True)
def fresh_tokens() -> None:
    amazon_api.tokens.clear()
    amazon_channel._order_items.clear()
    flipkart_api.forget_tokens()
    forget_ebay_tokens()
    ebay_channel._setup_checked.clear()


@dataclass
class Market:
    """One marketplace under test: its fake, our account, and how to read its shipment."""

    code: str
    fake: Any
    account: ChannelAccount
    sku: Sku
    order_id: Callable[[dict[str, Any]], str]

    def state(self) -> dict[str, Any]:
        response = httpx.get(f"{self.fake.url}/_fake/state")
        return dict(response.json())

    def move(self, order_id: str, status: str) -> None:
        response = httpx.post(
            f"{self.fake.url}/_fake/orders/{order_id}/status", json={"status": status}
        )
        assert response.status_code == 200, response.text

    def shipments(self, order_id: str) -> list[tuple[str, str]]:
        """(carrier, tracking number) of every shipment the fake holds for the order."""
        state = self.state()
        if self.code == "amazon":
            packages = state["shipments"].get(order_id, [])
            return [(p["carrierCode"], p["trackingNumber"]) for p in packages]
        if self.code == "ebay":
            return [
                (f["shippingCarrierCode"], f["shipmentTrackingNumber"])
                for f in state["fulfillments"].get(order_id, [])
            ]
        found = []
        for shipment in state["shipments"]:
            if shipment["orderItems"][0]["orderId"] != order_id:
                continue
            label = state["labels"].get(shipment["shipmentId"])
            if shipment["shipmentId"] in state["dispatched"] and label:
                found.append((label["vendorName"], label["trackingId"]))
        return found


def _amazon(gorakhpur: District, fake: Any, sku: Sku) -> Market:
    account = ChannelAccount.objects.create(
        district=gorakhpur,
        channel="amazon",
        name="Gorakhpur EDC on Amazon.in",
        credentials_encrypted=encrypt(AMAZON_CREDENTIALS),
        settings={"seller_id": "A2GORAKHPUR01", "marketplace_id": "A21TJRUUN4KGV"},
    )
    listing = Listing.objects.create(sku=sku, account=account)
    channel = AmazonChannel(account)
    channel.submit(listing, key="submit-1")
    channel.poll(listing)
    return Market("amazon", fake, account, sku, lambda placed: placed["AmazonOrderId"])


def _flipkart(gorakhpur: District, fake: Any, sku: Sku) -> Market:
    account = ChannelAccount.objects.create(
        district=gorakhpur,
        channel="flipkart",
        name="Gorakhpur EDC on Flipkart",
        credentials_encrypted=encrypt(
            {"application_id": APPLICATION_ID, "application_secret": APPLICATION_SECRET}
        ),
        settings={"location_id": FLIPKART_LOCATION},
    )
    listing = Listing.objects.create(sku=sku, account=account, external_id="KTAFZ8GHYQ2HNXJM")
    channel = FlipkartChannel(account)
    channel.submit(listing, key="submit-1")
    assert channel.poll(listing).state == "live"
    return Market("flipkart", fake, account, sku, lambda placed: placed["orderItems"][0]["orderId"])


def _ebay(gorakhpur: District, fake: Any, sku: Sku) -> Market:
    ExchangeRate.objects.create(currency="USD", inr_per_unit="83.2500")
    account = ChannelAccount.objects.create(
        district=gorakhpur,
        channel="ebay",
        name="Gorakhpur EDC on eBay",
        credentials_encrypted=encrypt(EBAY_CREDENTIALS),
        settings=EBAY_SETTINGS,
    )
    listing = Listing.objects.create(sku=sku, account=account)
    status = EbayChannel(account).submit(listing, key="submit-1")
    assert status.state == "live"
    return Market("ebay", fake, account, sku, lambda placed: placed["orderId"])


@pytest.fixture(params=["amazon", "flipkart", "ebay"])
def market(request, gorakhpur: District, horse_sku: Sku, khadi_sku: Sku) -> Market:  # type: ignore[no-untyped-def]
    code = request.param
    fake = request.getfixturevalue(f"fake_{code}")
    if code == "amazon":
        return _amazon(gorakhpur, fake, horse_sku)
    if code == "flipkart":
        return _flipkart(gorakhpur, fake, khadi_sku)
    return _ebay(gorakhpur, fake, horse_sku)


def order_from(market: Market, ganesh: User, quantity: int = 1) -> Order:
    """A buyer orders on the fake; the order comes home through a pull."""
    placed = market.fake.place_order(market.sku.seller_sku, quantity)
    do_request_orders(market.account, acting_user=ganesh)
    drain()
    return Order.objects.get(account=market.account, channel_order_id=market.order_id(placed))


def pull(market: Market, ganesh: User, order: Order) -> Order:
    do_request_orders(market.account, acting_user=ganesh)
    drain()
    order.refresh_from_db()
    return order


def ship(order: Order, ganesh: User, *, carrier: str = "", waybill: str = "") -> Order:
    for state in ("accepted", "packed"):
        do_set_order_state(order, state, acting_user=ganesh)
    do_set_order_state(
        order, "shipped", acting_user=ganesh, carrier=carrier, tracking_number=waybill
    )
    drain()
    order.refresh_from_db()
    return order


WAYBILL = "EM123456789IN"


# -- shipping ------------------------------------------------------------------------------------
def test_packed_then_shipped_reaches_the_marketplace_with_that_tracking_number(
    market: Market, ganesh: User
) -> None:
    # given an order brought home
    order = order_from(market, ganesh)
    assert order.state == "new"

    # when staff pack it and ship it with India Post
    order = ship(order, ganesh, carrier="India Post", waybill=WAYBILL)

    # then the marketplace shows it shipped with that tracking number (Flipkart: its own)
    assert order.state == "shipped"
    assert order.shipped_at is not None
    calls = list(order.outbox.values_list("operation", "state"))
    if market.code == "flipkart":
        assert sorted(calls) == [("pack", "done"), ("ship", "done")]
        [(carrier, tracking)] = market.shipments(order.channel_order_id)
        assert (order.carrier, order.tracking_number) == (carrier, tracking)
        assert carrier == "E-Kart Logistics"
        assert tracking.startswith("FMPC")
        item = market.state()["shipments"][0]["orderItems"][0]
        assert item["status"] == "READY_TO_DISPATCH"
    else:
        assert calls == [("ship", "done")]
        expected_code = "India Post" if market.code == "amazon" else "IndiaPost"
        assert market.shipments(order.channel_order_id) == [(expected_code, WAYBILL)]
        assert (order.carrier, order.tracking_number) == ("India Post", WAYBILL)


def test_a_shipment_during_429_and_5xx_completes_once(
    market: Market, ganesh: User, fast_retries: None
) -> None:
    # given an order, and a marketplace that answers 429 twice, then 503 twice
    order = order_from(market, ganesh)
    market.fake.set_faults(rate_limited=2, retry_after=0.01, server_errors=2)

    # when staff ship it
    order = ship(order, ganesh, carrier="Delhivery", waybill="DLV4455667788")

    # then the call completed once the marketplace was back: exactly one shipment there
    [entry] = order.outbox.filter(operation=OutboxEntry.Operation.SHIP)
    assert entry.state == "done"
    # every fault cost one attempt of the pack or ship call, and each was made again
    assert sum(order.outbox.values_list("attempts", flat=True)) == 4
    assert len(market.shipments(order.channel_order_id)) == 1
    assert order.state == "shipped"


def test_a_flipkart_shipment_whose_lost_try_lands_after_the_retrys_read_is_made_once(
    gorakhpur: District, fake_flipkart: Any, khadi_sku: Sku, ganesh: User, monkeypatch: Any
) -> None:
    # given an order shipped by a try whose answer was lost (it reached Flipkart after the
    # retry had read the shipment, still APPROVED)
    market = _flipkart(gorakhpur, fake_flipkart, khadi_sku)
    order = order_from(market, ganesh)
    channel = FlipkartChannel(market.account)
    with channel._api() as client:
        before = channel._shipments_of(client, order)
    asked = Shipment("India Post", WAYBILL, timezone.now())
    channel.ship(order, asked, key="ship-1")
    read = FlipkartChannel._shipments_of
    stale = [before]
    monkeypatch.setattr(
        FlipkartChannel,
        "_shipments_of",
        lambda self, client, order: stale.pop() if stale else read(self, client, order),
    )
    # when the retry packs and dispatches what it read
    shipped = channel.ship(order, asked, key="ship-1")
    # then Flipkart's refusal (already packed) is no failure: one shipment, with E-kart's waybill
    [(carrier, tracking)] = market.shipments(order.channel_order_id)
    assert (shipped.carrier, shipped.tracking_number) == (carrier, tracking)


def test_an_amazon_shipment_whose_lost_try_lands_after_the_retrys_read_is_made_once(
    gorakhpur: District, fake_amazon: Any, horse_sku: Sku, ganesh: User, monkeypatch: Any
) -> None:
    # given an order confirmed by a try whose answer was lost (it reached Amazon after the
    # retry had read the order, still Unshipped)
    market = _amazon(gorakhpur, fake_amazon, horse_sku)
    order = order_from(market, ganesh)
    channel = AmazonChannel(market.account)
    asked = Shipment("India Post", WAYBILL, timezone.now())
    channel.ship(order, asked, key="ship-1")
    call = amazon_api.SellingPartnerApi.call
    stale = [{"payload": {"OrderStatus": "Unshipped"}}]

    def stale_first(self: Any, method: str, path: str, **options: Any) -> Any:
        if options.get("what") == "getOrder" and stale:
            return stale.pop()
        return call(self, method, path, **options)

    monkeypatch.setattr(amazon_api.SellingPartnerApi, "call", stale_first)
    # when the retry confirms the shipment
    channel.ship(order, asked, key="ship-1")
    # then Amazon's refusal (already shipped) is no failure: one shipment there
    assert market.shipments(order.channel_order_id) == [("India Post", WAYBILL)]


def test_a_shipment_without_a_waybill_is_refused_where_it_is_needed(
    market: Market, ganesh: User
) -> None:
    order = order_from(market, ganesh)
    for state in ("accepted", "packed"):
        do_set_order_state(order, state, acting_user=ganesh)

    if market.code == "flipkart":
        # Flipkart gives its own label and tracking id: nothing is asked
        do_set_order_state(order, "shipped", acting_user=ganesh)
        order.refresh_from_db()
        assert order.state == "shipped"
        return

    # when staff give the courier but no waybill
    with pytest.raises(ValidationError) as refused:
        do_set_order_state(order, "shipped", acting_user=ganesh, carrier="India Post")
    name = {"amazon": "Amazon", "ebay": "eBay"}[market.code]
    assert refused.value.messages == [
        f"{name} needs the courier and the waybill (tracking) number to tell the buyer: give "
        "both to mark the order shipped."
    ]
    with translation.override("hi"), pytest.raises(ValidationError) as in_hindi:
        do_set_order_state(order, "shipped", acting_user=ganesh, carrier="India Post")
    assert in_hindi.value.messages == [
        f"{name} को खरीदार को बताने के लिए कूरियर और वेबिल (ट्रैकिंग) नंबर चाहिए: ऑर्डर को भेजा "
        "गया दर्ज करने के लिए दोनों दें।"
    ]

    # then nothing changed, and nothing went to the marketplace
    order.refresh_from_db()
    assert (order.state, order.tracking_number) == ("packed", "")
    assert not order.outbox.filter(operation=OutboxEntry.Operation.SHIP).exists()
    drain()
    assert market.shipments(order.channel_order_id) == []


# -- coming back ---------------------------------------------------------------------------------
def test_delivered_comes_back_with_a_pull(market: Market, ganesh: User) -> None:
    order = ship(order_from(market, ganesh), ganesh, carrier="India Post", waybill=WAYBILL)
    market.move(order.channel_order_id, "delivered")

    order = pull(market, ganesh, order)

    assert order.state == "delivered"


def test_returned_comes_back_with_the_stock(market: Market, ganesh: User) -> None:
    order = ship(order_from(market, ganesh, 2), ganesh, carrier="India Post", waybill=WAYBILL)
    market.sku.refresh_from_db()
    assert market.sku.stock == 10
    market.move(order.channel_order_id, "delivered")
    market.move(order.channel_order_id, "returned")

    order = pull(market, ganesh, order)

    assert order.state == "returned"
    market.sku.refresh_from_db()
    assert market.sku.stock == 12
    assert list(market.sku.stock_moves.values_list("reason", "change"))[:1] == [("returned", 2)]


def test_a_buyer_cancellation_after_packing_shows_on_the_order(
    market: Market, ganesh: User
) -> None:
    order = order_from(market, ganesh)
    for state in ("accepted", "packed"):
        do_set_order_state(order, state, acting_user=ganesh)
    drain()
    if market.code == "flipkart":
        # Flipkart's buyers cancel before the label is made; this one cancels before dispatch
        shipment = market.state()["shipments"][0]
        assert shipment["orderItems"][0]["status"] == "PACKED"
    market.move(order.channel_order_id, "cancelled")

    order = pull(market, ganesh, order)

    assert order.state == "cancelled"
    market.sku.refresh_from_db()
    assert market.sku.stock == 12
    expected = {
        # Amazon's order does not say who cancelled
        "amazon": "Cancelled on the marketplace after it was packed",
        "flipkart": "Cancelled by the buyer after it was packed",
        "ebay": "Cancelled by the buyer after it was packed",
    }[market.code]
    assert order.cancel_reason == expected


def test_a_buyer_cancellation_before_packing_says_so(
    fake_ebay: FakeEbay, gorakhpur: District, horse_sku: Sku, ganesh: User
) -> None:
    market = _ebay(gorakhpur, fake_ebay, horse_sku)
    order = order_from(market, ganesh)
    market.move(order.channel_order_id, "cancelled")

    order = pull(market, ganesh, order)

    assert (order.state, order.cancel_reason) == ("cancelled", "Cancelled by the buyer")


# -- the documented shapes -----------------------------------------------------------------------
def test_requests_have_the_documented_shape(market: Market, ganesh: User) -> None:
    order = ship(order_from(market, ganesh), ganesh, carrier="India Post", waybill=WAYBILL)
    sent = {
        (r.method, r.path): json.loads(r.body)
        for r in market.fake.requests
        if r.method == "POST" and r.body.startswith(b"{")
    }
    if market.code == "amazon":
        body = sent[("POST", f"/orders/v0/orders/{order.channel_order_id}/shipmentConfirmation")]
        assert shape(body) == shape(payload("amazon", "shipment_confirmation.json"))
        assert body["packageDetail"]["trackingNumber"] == WAYBILL
    elif market.code == "ebay":
        path = f"/sell/fulfillment/v1/order/{order.channel_order_id}/shipping_fulfillment"
        body = sent[("POST", path)]
        assert shape(body) == shape(payload("ebay", "shipping_fulfillment.json"))
        assert body["trackingNumber"] == WAYBILL
    else:
        pack = sent[("POST", "/sellers/v3/shipments/labels")]
        assert shape(pack) == shape(payload("flipkart", "shipments_pack_request.json"))
        dimensions = pack["shipments"][0]["subShipments"][0]["dimensions"]
        assert dimensions == {"length": 35.0, "breadth": 15.0, "height": 35.0, "weight": 1.8}
        dispatch = sent[("POST", "/sellers/v3/shipments/dispatch")]
        assert shape(dispatch) == shape(payload("flipkart", "shipments_dispatch_request.json"))


# -- the producer's list of what to pack ---------------------------------------------------------
def test_the_producers_list_of_what_to_pack_shows_each_items_photo(
    prem: User, ramu: Producer, gorakhpur: District, horse_sku: Sku
) -> None:
    # given Ramu's horse ordered, with its photo processed (main image and thumbnail)
    Producer.objects.filter(pk=ramu.pk).update(user=prem)
    photo = horse_sku.product.images.get()
    photo.thumbnail.save("thumbnail.jpg", ContentFile(photo.main.read()), save=True)
    account = ChannelAccount.objects.create(district=gorakhpur, channel="gem", name="GeM")
    Listing.objects.create(sku=horse_sku, account=account, state="live")
    record_order(
        account,
        OrderData("GEMC-1", timezone.now(), [OrderLineData("TERR-HORSE-01", 2, Decimal(950))]),
    )

    # when Ramu opens what to pack
    page = client_for(prem).get(reverse("order_list")).content.decode()

    # then the item shows with its photo, which he may open
    url = reverse("pack_photo", args=[photo.uuid])
    # (alt is empty: the title follows the photo, and would be read twice)
    assert f'<li><img src="{url}" alt="" width="64" height="64"' in page
    assert "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 30 सेमी" in page
    response = client_for(prem).get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(response.streaming_content) == photo.thumbnail.open("rb").read()
    # a producer's photos are theirs alone: once the record is not his, neither is the photo
    Producer.objects.filter(pk=ramu.pk).update(user=None)
    assert client_for(prem).get(url).status_code == 404
