"""A buyer's app quotes, orders, follows, cancels and returns Ramu's terracotta horse over ONDC:
the handlers answer from the one order book, whose stock no two channels can oversell."""

from __future__ import annotations

import base64
import datetime
import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from niryat.catalog.models import Sku
from niryat.channels import actions
from niryat.channels.base import OrderData, OrderLineData
from niryat.channels.models import (
    Listing,
    OndcFeedback,
    OndcNode,
    Order,
    OutboxEntry,
    StockMove,
)
from niryat.channels.ondc import orders
from niryat.channels.ondc.protocol import OndcError
from niryat.core.models import User
from niryat.messaging.backends import local
from tests.channels.factories import drain
from tests.channels.ondc import requests as r
from tests.channels.ondc.buyer_app import BuyerApp
from tests.channels.ondc.conftest import ready_for_ondc
from tests.channels.test_pages import make_account
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def horse_sku(horse_sku: Sku, ganesh: User) -> Sku:
    return ready_for_ondc(horse_sku, ganesh)


def _item_lines(quote: dict) -> dict[str, dict]:
    return {
        line["@ondc/org/item_id"]: line
        for line in quote["breakup"]
        if line["@ondc/org/title_type"] == "item"
    }


def _titles(quote: dict) -> list[tuple[str, str]]:
    return [(line["@ondc/org/title_type"], line["price"]["value"]) for line in quote["breakup"]]


def _place(node: OndcNode, sku: Sku, count: int, order_id: str, txn: str = "T1") -> dict:
    """select → init → confirm, each answered, as a buyer's app goes through them."""
    orders.answer_select(node, r.select([(sku, count)], txn=txn))
    terms = orders.answer_init(node, r.init([(sku, count)], txn=txn)).message["order"]
    reply = orders.answer_confirm(node, r.confirm([(sku, count)], order_id, terms=terms, txn=txn))
    assert reply.error is None, reply.error
    return reply.message


# --- select ---------------------------------------------------------------------------------


def test_select_quotes_each_item_with_delivery_packing_and_tax(ondc_node, horse_sku):
    reply = orders.answer_select(ondc_node, r.select([(horse_sku, 2)]))

    assert reply.error is None
    order = reply.message["order"]
    assert order["provider"]["id"] == str(horse_sku.product.producer.uuid)
    assert _titles(order["quote"]) == [
        ("item", "1900.00"),
        ("tax", "0.00"),
        ("delivery", "80.00"),
        ("packing", "20.00"),
    ]
    assert order["quote"]["price"] == {"currency": "INR", "value": "2000.00"}
    assert order["quote"]["ttl"] == "P1D"
    item = _item_lines(order["quote"])[str(horse_sku.uuid)]
    assert item["@ondc/org/item_quantity"] == {"count": 2}
    assert item["item"]["price"] == {"currency": "INR", "value": "950.00"}
    assert item["item"]["quantity"]["available"] == {"count": "99"}
    fulfilment = order["fulfillments"][0]
    assert fulfilment["state"]["descriptor"]["code"] == "Serviceable"
    assert fulfilment["@ondc/org/TAT"] == "P5D"
    assert order["items"] == [
        {"id": str(horse_sku.uuid), "fulfillment_id": "F1", "location_id": "L1"}
    ]


def test_select_beyond_the_stock_is_40002_with_the_count_available(ondc_node, horse_sku):
    Sku.objects.filter(pk=horse_sku.pk).update(stock=3)

    reply = orders.answer_select(ondc_node, r.select([(horse_sku, 5)]))

    assert reply.error["code"] == "40002"
    assert reply.error["type"] == "DOMAIN-ERROR"
    assert json.loads(reply.error["message"]) == [
        {"item_id": str(horse_sku.uuid), "error": "40002"}
    ]
    item = _item_lines(reply.message["order"]["quote"])[str(horse_sku.uuid)]
    assert item["@ondc/org/item_quantity"] == {"count": 3}  # what is available
    assert item["item"]["quantity"]["available"] == {"count": "99"}  # ONDC's "in stock"
    assert item["price"]["value"] == "2850.00"


def test_select_to_a_pin_code_not_delivered_to_is_30009_non_serviceable(ondc_node, horse_sku):
    reply = orders.answer_select(ondc_node, r.select([(horse_sku, 1)], pin="999001"))

    assert reply.error["code"] == "30009"
    order = reply.message["order"]
    assert order["fulfillments"][0]["state"]["descriptor"]["code"] == "Non-serviceable"
    assert "delivery" not in [kind for kind, _value in _titles(order["quote"])]


def test_select_of_an_unknown_or_unconsented_item_is_30004(ondc_node, horse_sku, ramu, ganesh):
    request = r.select([(horse_sku, 1)])
    request["message"]["order"]["items"].append({"id": "not-ours", "quantity": {"count": 1}})
    with pytest.raises(OndcError) as unknown:
        orders.answer_select(ondc_node, request)
    assert unknown.value.code == "30004"
    assert json.loads(unknown.value.message) == [{"item_id": "not-ours", "error": "30004"}]

    ramu.listing_consent = False
    ramu.save(update_fields=["listing_consent"])
    with pytest.raises(OndcError) as withdrawn:
        orders.answer_select(ondc_node, r.select([(horse_sku, 1)]))
    assert withdrawn.value.code == "30004"


# --- init, confirm --------------------------------------------------------------------------


def test_init_gives_billing_fulfilment_payment_and_settlement_terms(ondc_node, horse_sku, ramu):
    ramu.pan = "ABCPP1234K"
    ramu.save(update_fields=["pan"])
    reply = orders.answer_init(ondc_node, r.init([(horse_sku, 1)]))

    order = reply.message["order"]
    assert order["billing"] == r.BILLING
    assert order["fulfillments"][0]["end"]["location"]["address"]["area_code"] == "560001"
    assert order["fulfillments"][0]["type"] == "Delivery"
    payment = order["payment"]
    assert payment["type"] == "ON-ORDER"
    assert payment["collected_by"] == "BAP"
    assert payment["@ondc/org/buyer_app_finder_fee_amount"] == "3"
    assert payment["@ondc/org/settlement_basis"] == "delivery"
    assert payment["@ondc/org/settlement_window"] == "P1D"
    assert payment["@ondc/org/settlement_details"] == [
        {
            "settlement_counterparty": "seller-app",
            "settlement_phase": "sale-amount",
            "settlement_type": "neft",
            "beneficiary_name": "EDC Gorakhpur",
            "settlement_bank_account_no": "000123456789",
            "settlement_ifsc_code": "SBIN0000123",
            "bank_name": "State Bank of India",
            "branch_name": "Gorakhpur Main",
        }
    ]
    assert order["quote"]["price"]["value"] == "1050.00"
    assert order["tags"] == [
        {
            "code": "bpp_terms",
            "list": [
                {"code": "tax_number", "value": "09AAAGE1234F1Z5"},
                {"code": "provider_tax_number", "value": "ABCPP1234K"},
                {"code": "np_type", "value": "MSN"},
            ],
        }
    ]
    assert "quantity" not in _item_lines(order["quote"])[str(horse_sku.uuid)]["item"]


def test_init_for_cash_on_delivery_is_refused(ondc_node, horse_sku):
    request = r.init([(horse_sku, 1)])
    request["message"]["order"]["payment"]["type"] = "ON-FULFILLMENT"
    with pytest.raises(OndcError) as refused:
        orders.answer_init(ondc_node, request)
    assert refused.value.code == "40004"


@pytest.fixture
def sms_outbox(settings):  # type: ignore[no-untyped-def]
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.local.MemoryBackend",
    }
    local.outbox.clear()
    yield local.outbox
    local.outbox.clear()


def test_confirm_puts_the_order_in_the_order_book_and_takes_the_stock(
    ondc_node, horse_sku, sms_outbox
):
    from tests.catalog.factories import run_tasks

    message = _place(ondc_node, horse_sku, 2, "ORD-1001")

    assert message["order"]["id"] == "ORD-1001"
    assert message["order"]["state"] == "Created"  # until staff accept it
    fulfilment = message["order"]["fulfillments"][0]
    assert fulfilment["state"]["descriptor"]["code"] == "Pending"
    assert set(fulfilment["start"]) == {"location", "time", "contact"}
    assert set(fulfilment["end"]["time"]["range"]) == {"start", "end"}
    assert fulfilment["tags"] == [{"code": "routing", "list": [{"code": "type", "value": "P2P"}]}]
    order = Order.objects.get(channel_order_id="ORD-1001")
    assert order.account.channel == "ondc"
    assert order.district == ondc_node.district
    assert order.producer == horse_sku.product.producer
    assert order.total == Decimal("1900.00")
    assert order.ondc.bap_id == r.BAP_ID
    assert order.ondc.transaction_id == "T1"
    assert order.ondc.node == ondc_node
    assert [(line.seller_sku, line.quantity) for line in order.lines.all()] == [
        ("TERR-HORSE-01", 2)
    ]
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 10
    move = StockMove.objects.get(order=order)
    assert (move.change, move.balance, move.reason) == (-2, 10, "order")
    run_tasks()
    assert [m.to for m in sms_outbox] == ["+919839012345"]
    assert "ORD-1001" in sms_outbox[0].text

    # the same confirm again (a buyer app's retry) is the same order
    again = orders.answer_confirm(ondc_node, r.confirm([(horse_sku, 2)], "ORD-1001"))
    assert again.message["order"]["id"] == "ORD-1001"
    assert Order.objects.filter(channel_order_id="ORD-1001").count() == 1
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 10


def test_confirm_at_a_stale_quote_is_40008_and_takes_nothing(ondc_node, horse_sku):
    quote = orders.answer_init(ondc_node, r.init([(horse_sku, 1)])).message["order"]["quote"]
    Sku.objects.filter(pk=horse_sku.pk).update(price=Decimal("990.00"))

    with pytest.raises(OndcError) as stale:
        orders.answer_confirm(ondc_node, r.confirm([(horse_sku, 1)], "ORD-2", quote))

    assert stale.value.code == "40008"
    assert not Order.objects.exists()


def _last_unit(sku: Sku) -> None:
    Sku.objects.filter(pk=sku.pk).update(stock=1)


def _race(*calls) -> list[object]:  # type: ignore[no-untyped-def]
    """Run the calls at the same moment in threads (each on its own connection)."""
    results: list[object] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index: int, call) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            for _attempt in range(200):
                try:
                    results[index] = call()
                    return
                except OperationalError as exc:
                    # In-memory SQLite (the test database) locks whole tables and fails at once
                    # instead of waiting as PostgreSQL's row locks do: the losing transaction has
                    # rolled back, and goes again, as the task worker would.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def load_districts(transactional_db):  # type: ignore[no-untyped-def]
    """A transactional test's database starts empty (pytest-django empties it after each):
    the reference data (districts, ODOP products) first."""
    from django.conf import settings

    from niryat.core.reference_data import load_reference_data

    load_reference_data(settings.REFERENCE_DATA_DIR)


@pytest.mark.django_db(transaction=True)
def test_two_buyers_confirming_the_last_unit_one_gets_it_the_other_40002(
    load_districts, ondc_node, horse_sku
):
    _last_unit(horse_sku)
    quote = orders.answer_init(ondc_node, r.init([(horse_sku, 1)])).message["order"]["quote"]

    results = _race(
        lambda: orders.answer_confirm(
            ondc_node, r.confirm([(horse_sku, 1)], "ORD-A", quote, txn="TA")
        ),
        lambda: orders.answer_confirm(
            ondc_node, r.confirm([(horse_sku, 1)], "ORD-B", quote, txn="TB")
        ),
    )

    refused = [x for x in results if isinstance(x, OndcError)]
    accepted = [x for x in results if not isinstance(x, Exception)]
    assert (len(accepted), len(refused)) == (1, 1), results
    assert refused[0].code == "40002"
    assert Order.objects.count() == 1
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 0


@pytest.mark.django_db(transaction=True)
def test_an_ondc_confirm_racing_a_flipkart_order_for_the_last_unit_never_oversells(
    load_districts, ondc_node, horse_sku
):
    flipkart = make_account(ondc_node.district, "flipkart")
    Listing.objects.create(sku=horse_sku, account=flipkart, state="live")
    _last_unit(horse_sku)
    quote = orders.answer_init(ondc_node, r.init([(horse_sku, 1)])).message["order"]["quote"]
    flipkart_order = OrderData(
        channel_order_id="OD-FK-1",
        ordered_at=timezone.now(),
        lines=[OrderLineData("TERR-HORSE-01", 1, Decimal("950.00"), line_id="1")],
    )

    results = _race(
        lambda: orders.answer_confirm(ondc_node, r.confirm([(horse_sku, 1)], "ORD-C", quote)),
        lambda: actions.record_order(flipkart, flipkart_order),
    )

    horse_sku.refresh_from_db()
    assert horse_sku.stock == 0
    sold = Order.objects.exclude(state="cancelled")
    assert sold.count() == 1, results
    if sold.get().account.channel == "ondc":
        assert Order.objects.get(channel_order_id="OD-FK-1").state == "cancelled"
    else:
        assert isinstance(results[0], OndcError)
        assert results[0].code == "40002"
    assert StockMove.objects.filter(reason="order").count() == 1


# --- after the order ------------------------------------------------------------------------


def _staff_moves(order: Order, ganesh: User, *states: str) -> Order:
    for state in states:
        kw = (
            {"carrier": "India Post", "tracking_number": "EK123456789IN"}
            if state == "shipped"
            else {}
        )
        order = actions.do_set_order_state(order, state, acting_user=ganesh, **kw)
    return order


def test_status_and_track_follow_what_staff_do(ondc_node, horse_sku, ganesh):
    _place(ondc_node, horse_sku, 1, "ORD-7")
    order = Order.objects.get(channel_order_id="ORD-7")
    status = lambda: orders.answer_status(ondc_node, r.about_order("status", "ORD-7")).message  # noqa: E731

    assert status()["order"]["fulfillments"][0]["state"]["descriptor"]["code"] == "Pending"
    with pytest.raises(OndcError) as untracked:
        orders.answer_track(ondc_node, r.about_order("track", "ORD-7"))
    assert untracked.value.code == "40005"

    order = _staff_moves(order, ganesh, "accepted", "packed")
    assert status()["order"]["state"] == "In-progress"
    assert status()["order"]["fulfillments"][0]["state"]["descriptor"]["code"] == "Packed"

    order = _staff_moves(order, ganesh, "shipped")
    shipped = status()["order"]
    assert shipped["fulfillments"][0]["state"]["descriptor"]["code"] == "Order-picked-up"
    assert shipped["fulfillments"][0]["start"]["time"]["timestamp"].endswith("Z")
    tracking = orders.answer_track(ondc_node, r.about_order("track", "ORD-7")).message["tracking"]
    assert tracking["status"] == "active"
    assert tracking["url"].endswith("consignmentnumber=EK123456789IN")

    _staff_moves(order, ganesh, "delivered")
    delivered = status()["order"]
    assert delivered["state"] == "Completed"
    assert delivered["fulfillments"][0]["state"]["descriptor"]["code"] == "Order-delivered"
    assert "timestamp" in delivered["fulfillments"][0]["end"]["time"]


def test_status_of_an_order_not_ours_is_30018(ondc_node):
    with pytest.raises(OndcError) as missing:
        orders.answer_status(ondc_node, r.about_order("status", "NOPE"))
    assert missing.value.code == "30018"


def test_buyer_cancels_before_shipping_and_the_stock_comes_back(ondc_node, horse_sku):
    _place(ondc_node, horse_sku, 2, "ORD-8")

    reply = orders.answer_cancel(
        ondc_node, r.about_order("cancel", "ORD-8", cancellation_reason_id="010")
    )

    order = reply.message["order"]
    assert order["state"] == "Cancelled"
    assert order["cancellation"] == {"cancelled_by": r.BAP_ID, "reason": {"id": "010"}}
    assert order["quote"]["price"]["value"] == "0.00"
    forward, cancel = order["fulfillments"]
    assert forward["state"]["descriptor"]["code"] == "Cancelled"
    assert forward["tags"][1] == {
        "code": "precancel_state",
        "list": [
            {"code": "fulfillment_state", "value": "Pending"},
            {"code": "updated_at", "value": forward["tags"][1]["list"][1]["value"]},
        ],
    }
    trail = [tag["list"] for tag in cancel["tags"] if tag["code"] == "quote_trail"]
    assert [(t[0]["value"], t[3]["value"]) for t in trail] == [
        ("item", "-1900.00"),
        ("delivery", "-80.00"),
        ("packing", "-20.00"),
    ]
    assert [(i["fulfillment_id"], i["quantity"]["count"]) for i in order["items"]] == [
        ("F1", 0),
        ("C1", 2),
    ]
    recorded = Order.objects.get(channel_order_id="ORD-8")
    assert recorded.state == "cancelled"
    assert "010" in recorded.cancel_reason
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 12


def test_cancel_with_a_sellers_reason_or_not_yet_late_is_refused(ondc_node, horse_sku):
    _place(ondc_node, horse_sku, 1, "ORD-9")
    with pytest.raises(OndcError) as sellers:
        orders.answer_cancel(
            ondc_node, r.about_order("cancel", "ORD-9", cancellation_reason_id="005")
        )
    assert sellers.value.code == "30012"
    with pytest.raises(OndcError) as early:
        orders.answer_cancel(
            ondc_node, r.about_order("cancel", "ORD-9", cancellation_reason_id="006")
        )
    assert early.value.code == "30014"
    assert Order.objects.get(channel_order_id="ORD-9").state == "new"


def test_cancel_after_the_order_left_is_50001(ondc_node, horse_sku, ganesh):
    _place(ondc_node, horse_sku, 1, "ORD-10")
    _staff_moves(
        Order.objects.get(channel_order_id="ORD-10"), ganesh, "accepted", "packed", "shipped"
    )

    with pytest.raises(OndcError) as refused:
        orders.answer_cancel(
            ondc_node, r.about_order("cancel", "ORD-10", cancellation_reason_id="001")
        )

    assert refused.value.code == "50001"
    assert Order.objects.get(channel_order_id="ORD-10").state == "shipped"


def test_part_cancel_before_shipping_returns_those_units(ondc_node, horse_sku):
    _place(ondc_node, horse_sku, 3, "ORD-11")

    reply = orders.answer_update(ondc_node, r.update("ORD-11", horse_sku, 1, "cancel", "010"))

    order = reply.message["order"]
    assert order["items"][0]["quantity"] == {"count": 2}
    assert _item_lines(order["quote"])[str(horse_sku.uuid)]["price"]["value"] == "1900.00"
    assert order["quote"]["price"]["value"] == "2000.00"
    assert order["fulfillments"][1]["type"] == "Cancel"
    recorded = Order.objects.get(channel_order_id="ORD-11")
    assert recorded.total == Decimal("1900.00")
    assert recorded.state == "new"
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 10


def test_return_of_a_delivered_order_is_recorded_for_staff(ondc_node, horse_sku, ganesh):
    _place(ondc_node, horse_sku, 1, "ORD-12")
    with pytest.raises(OndcError) as early:
        orders.answer_update(ondc_node, r.update("ORD-12", horse_sku, 1, "return", "003"))
    assert early.value.code == "50002"
    order = Order.objects.get(channel_order_id="ORD-12")
    _staff_moves(order, ganesh, "accepted", "packed", "shipped", "delivered")

    reply = orders.answer_update(ondc_node, r.update("ORD-12", horse_sku, 1, "return", "003"))

    returned = reply.message["order"]["fulfillments"][1]
    assert returned["type"] == "Return"
    assert returned["state"]["descriptor"]["code"] == "Return_Initiated"
    page = client_for(ganesh).get(f"/channels/orders/{order.uuid}/")
    assert "Return: 1 × " in page.content.decode()


def test_ratings_and_support_requests_are_shown_on_the_order(ondc_node, horse_sku, ganesh):
    _place(ondc_node, horse_sku, 1, "ORD-13")
    rating = {
        "context": r.context("rating", "T1"),
        "message": {
            "ratings": [{"rating_category": "Item", "id": str(horse_sku.uuid), "value": "4"}]
        },
    }
    assert orders.answer_rating(ondc_node, rating).message == {
        "feedback_ack": True,
        "rating_ack": True,
    }
    support = orders.answer_support(
        ondc_node, {"context": r.context("support", "T1"), "message": {"ref_id": "ORD-13"}}
    )
    assert support.message == {
        "phone": "9450394039",
        "email": "ondc@edc-gorakhpur.example.in",
        "uri": "tel:9450394039",
    }
    bad = {**rating, "message": {"ratings": [{"rating_category": "Item", "id": "x", "value": "9"}]}}
    with pytest.raises(OndcError) as invalid:
        orders.answer_rating(ondc_node, bad)
    assert invalid.value.code == "30015"

    order = Order.objects.get(channel_order_id="ORD-13")
    assert OndcFeedback.objects.filter(order=order).count() == 2
    page = client_for(ganesh).get(f"/channels/orders/{order.uuid}/").content.decode()
    assert "Item rated 4 of 5" in page
    assert "The buyer asked for support" in page


# --- unsolicited on_status, live ------------------------------------------------------------


@pytest.fixture(scope="module")
def buyer_app_server():  # type: ignore[no-untyped-def]
    fake = BuyerApp()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def buyer_app(buyer_app_server, ondc_node, settings):  # type: ignore[no-untyped-def]
    buyer_app_server.reset()
    buyer_app_server.seller_key = ondc_node.signing_public_key
    settings.CHANNEL_HTTP_TIMEOUT = 1.0
    settings.CHANNEL_RETRY_SECONDS = 0.01
    return buyer_app_server


def test_staff_accept_pack_ship_and_deliver_reach_the_buyer_app_as_signed_on_status(
    ondc_node, horse_sku, ganesh, buyer_app
):
    # given an order placed by a buyer app that answers with two 503s first
    orders.answer_select(ondc_node, r.select([(horse_sku, 1)], bap_uri=buyer_app.url))
    quote = orders.answer_init(ondc_node, r.init([(horse_sku, 1)], bap_uri=buyer_app.url)).message[
        "order"
    ]["quote"]
    orders.answer_confirm(
        ondc_node, r.confirm([(horse_sku, 1)], "ORD-LIVE", quote, bap_uri=buyer_app.url)
    )
    buyer_app.set_faults(server_errors=2)
    order = Order.objects.get(channel_order_id="ORD-LIVE")

    # when staff accept, pack, ship and deliver it
    _staff_moves(order, ganesh, "accepted", "packed", "shipped", "delivered")
    drain()

    # then the buyer app has four verified on_status callbacks, in order, each with a message
    # id of its own and the transaction of the order
    received = buyer_app.received
    assert [c["path"] for c in received] == ["/on_status"] * 4
    assert [
        c["message"]["order"]["fulfillments"][0]["state"]["descriptor"]["code"] for c in received
    ] == [
        "Pending",
        "Packed",
        "Order-picked-up",
        "Order-delivered",
    ]
    assert {c["context"]["transaction_id"] for c in received} == {"T1"}
    assert {c["context"]["bpp_id"] for c in received} == {ondc_node.subscriber_id}
    message_ids = [c["context"]["message_id"] for c in received]
    confirm_message_id = order.ondc.context["message_id"]
    assert len(set(message_ids)) == 4
    assert confirm_message_id not in message_ids
    calls = OutboxEntry.objects.filter(order=order, operation="tell_buyer")
    assert [c.state for c in calls] == ["done"] * 4
    assert sum(c.attempts for c in calls) == 2  # the two 503s, retried


def test_staff_cancelling_tells_the_buyer_app_with_an_unsolicited_on_cancel(
    ondc_node, horse_sku, ganesh, buyer_app
):
    quote = orders.answer_init(ondc_node, r.init([(horse_sku, 2)], bap_uri=buyer_app.url)).message[
        "order"
    ]["quote"]
    orders.answer_confirm(
        ondc_node, r.confirm([(horse_sku, 2)], "ORD-NO", quote, bap_uri=buyer_app.url)
    )
    order = Order.objects.get(channel_order_id="ORD-NO")

    actions.do_set_order_state(order, "cancelled", acting_user=ganesh, reason="Kiln broke")
    drain()

    [told] = buyer_app.received
    assert told["path"] == "/on_cancel"
    assert told["message"]["order"]["state"] == "Cancelled"
    assert told["message"]["order"]["cancellation"] == {
        "cancelled_by": ondc_node.subscriber_id,
        "reason": {"id": "005"},
    }
    assert told["context"]["message_id"] != order.ondc.context["message_id"]
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 12


def test_an_unsigned_or_wrongly_signed_callback_would_be_refused_by_the_buyer_app(
    ondc_node, buyer_app
):
    # the receiver checks signatures for real: a callback signed with another key is refused
    from niryat.channels.ondc import signing

    other = signing.SigningKeys.generate()
    buyer_app.seller_key = base64.b64encode(base64.b64decode(other.public_key)).decode()
    from niryat.channels.ondc.callbacks import (
        CallbackRefused,
        callback_body,
        callback_context,
        post,
    )
    from niryat.core.http import HttpError

    context = callback_context(ondc_node, r.context("status", "T9"), "on_status")
    with pytest.raises((CallbackRefused, HttpError)):
        post(ondc_node, f"{buyer_app.url}/on_status", callback_body(context, {}))
    assert buyer_app.received == []


def test_a_late_shipment_lets_the_buyer_cancel_with_reason_006(ondc_node, horse_sku):
    _place(ondc_node, horse_sku, 1, "ORD-14")
    Order.objects.filter(channel_order_id="ORD-14").update(
        ship_by=timezone.now() - datetime.timedelta(hours=1)
    )

    reply = orders.answer_cancel(
        ondc_node, r.about_order("cancel", "ORD-14", cancellation_reason_id="006")
    )

    assert reply.message["order"]["state"] == "Cancelled"


# --- the centre's terms ---------------------------------------------------------------------


def test_staff_set_the_terms_buyers_are_quoted_and_paid_under(ondc_node, horse_sku, ganesh):
    from niryat.core.models import AuditEntry

    client = client_for(ganesh)
    form = {
        "delivery_charge": "60.00",
        "packing_charge": "0.00",
        "serviceable_pins": "27, 28, 110001-110096",
        "days_to_deliver": "4",
        "support_phone": "9450394039",
        "support_email": "ondc@edc-gorakhpur.example.in",
        "gstin": "09AAAGE1234F1ZW",
        "settlement_beneficiary": "EDC Gorakhpur",
        "settlement_account": "000987654321",
        "settlement_ifsc": "sbin0000123",
        "settlement_bank": "State Bank of India",
        "settlement_branch": "Gorakhpur Main",
    }
    refused = client.post("/channels/ondc/terms/", {**form, "settlement_ifsc": "SBI123"})
    assert "An IFSC has 11 characters" in refused.content.decode()

    assert client.post("/channels/ondc/terms/", form).status_code == 302

    ondc_node.refresh_from_db()
    assert (ondc_node.delivery_charge, ondc_node.settlement_ifsc) == (
        Decimal("60.00"),
        "SBIN0000123",
    )
    quote = orders.answer_select(ondc_node, r.select([(horse_sku, 1)], pin="110020"))
    assert quote.error is None
    assert quote.message["order"]["quote"]["price"]["value"] == "1010.00"
    far = orders.answer_select(ondc_node, r.select([(horse_sku, 1)], pin="560001"))
    assert far.error["code"] == "30009"
    audit = AuditEntry.objects.get(action="ondc_node.terms")
    assert "000987654321" not in json.dumps(audit.changes)
