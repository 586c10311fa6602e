"""The channels API as an integration uses it, over real HTTP to the fake marketplaces: seller
accounts without their secrets, a push answered per SKU, an order shipped with a waybill, stock set
and told to the marketplace, a failed call retried; read-only roles change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET
from niryat.catalog.models import Sku
from niryat.channels.actions import do_connect_account, do_push, do_request_orders
from niryat.channels.amazon import api as amazon_api
from niryat.channels.amazon import channel as amazon_channel
from niryat.channels.flipkart import api as flipkart_api
from niryat.channels.models import ChannelAccount, Listing, Order, OutboxEntry, StockMove
from niryat.core.actions import do_create_api_token
from niryat.core.models import AuditEntry, District, User
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.channels.factories import drain
from tests.channels.test_amazon import CREDENTIALS as AMAZON_CREDENTIALS
from tests.conftest import hindi

AMAZON_SETTINGS = {"seller_id": "A2GORAKHPUR01", "marketplace_id": "A21TJRUUN4KGV"}
WAYBILL = "EM123456789IN"


def bearer(user: User) -> Client:
    _, token = do_create_api_token(name="test", acting_user=user)
    return Client(headers={"authorization": f"Bearer {token}"})


@pytest.fixture(autouse=True)
def fresh_tokens() -> None:
    amazon_api.tokens.clear()
    amazon_channel._order_items.clear()
    flipkart_api.forget_tokens()


@pytest.fixture
def amazon(fake_amazon: Any, gorakhpur: District, ganesh: User) -> ChannelAccount:
    """The centre's Amazon account, connected as staff connect it (the fake gives a token)."""
    return do_connect_account(
        district=gorakhpur,
        channel="amazon",
        name="EDC Gorakhpur on Amazon.in",
        credentials=AMAZON_CREDENTIALS,
        settings=AMAZON_SETTINGS,
        producer=None,
        acting_user=ganesh,
    )


@pytest.fixture
def live_horse(amazon: ChannelAccount, horse_sku: Sku, ganesh: User) -> Listing:
    assert do_push([horse_sku], amazon, acting_user=ganesh).queued
    drain()
    return Listing.objects.get(sku=horse_sku, account=amazon, state="live")


def test_accounts_name_their_credentials_and_never_show_them(
    amazon: ChannelAccount, ganesh: User
) -> None:
    response = bearer(ganesh).get("/api/channel-accounts")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert {key: item[key] for key in item if key not in {"created_at", "updated_at"}} == {
        "uuid": str(amazon.uuid),
        "channel": "amazon",
        "channel_name": "Amazon",
        "name": "EDC Gorakhpur on Amazon.in",
        "district_lgd_code": 148,
        "producer_uuid": None,
        "status": "connected",
        "status_message": "",
        "has_api": True,
        "settings": AMAZON_SETTINGS,
        "credentials_set": ["client_id", "client_secret", "refresh_token"],
        "orders_pulled_until": None,
    }
    for secret in AMAZON_CREDENTIALS.values():
        assert secret not in response.content.decode()
    detail = bearer(ganesh).get(f"/api/channel-accounts/{amazon.uuid}").json()
    assert detail["listing_counts"] == {}


def test_a_push_answers_queued_not_ready_and_waiting_and_goes_live_on_the_fake(
    amazon: ChannelAccount,
    fake_amazon: Any,
    fake_flipkart: Any,
    horse_sku: Sku,
    ramu: Producer,
    gorakhpur: District,
    ganesh: User,
) -> None:
    # given a complete SKU and one without a photo
    elephant = add_sku(
        make_product(ramu, ganesh, name_en="Terracotta elephant"),
        ganesh,
        seller_sku="TERR-ELEPHANT-01",
    )
    client = bearer(ganesh)

    # when staff push both to Amazon over the API
    response = client.post(
        f"/api/channel-accounts/{amazon.uuid}/push",
        {"skus": [str(horse_sku.uuid), str(elephant.uuid)]},
        content_type="application/json",
    )

    # then the horse is queued and the elephant is not ready, with the reason
    assert response.status_code == 200
    body = response.json()
    [queued] = body["queued"]
    assert (queued["seller_sku"], queued["state"], queued["channel"]) == (
        "TERR-HORSE-01",
        "ready",
        "amazon",
    )
    assert body["not_ready"] == [
        {
            "sku_uuid": str(elephant.uuid),
            "seller_sku": "TERR-ELEPHANT-01",
            "problems": [
                {
                    "code": "photos",
                    "field": "images",
                    "message": "Add at least one photo of the product.",
                },
                {
                    "code": "amazon",
                    "field": "images",
                    "message": "Amazon needs this for a HOME listing (main_product_image_locator).",
                },
            ],
        }
    ]
    assert body["waiting"] == []

    # and once the outbox has run, the horse is live on the fake, with its history
    drain()
    assert fake_amazon.state()["listings"]["TERR-HORSE-01"]["quantity"] == horse_sku.stock
    listing = client.get(f"/api/listings/{queued['uuid']}").json()
    assert listing["state"] == "live"
    assert [(e["state_from"], e["state_to"]) for e in listing["events"]] == [
        ("submitted", "live"),
        ("ready", "submitted"),
        ("draft", "ready"),
    ]
    live = client.get("/api/listings", {"state": "live"}).json()
    assert [item["seller_sku"] for item in live["items"]] == ["TERR-HORSE-01"]

    # and a Flipkart account answers "waiting" for the FSN that staff type in from Seller Hub
    flipkart = do_connect_account(
        district=gorakhpur,
        channel="flipkart",
        name="EDC Gorakhpur on Flipkart",
        credentials={"application_id": APPLICATION_ID, "application_secret": APPLICATION_SECRET},
        settings={"location_id": "LOCGKP01"},
        producer=None,
        acting_user=ganesh,
    )
    waiting = client.post(
        f"/api/channel-accounts/{flipkart.uuid}/push",
        {"skus": [str(horse_sku.uuid)]},
        content_type="application/json",
    ).json()
    assert (waiting["queued"], waiting["not_ready"]) == ([], [])
    [wait] = waiting["waiting"]
    assert wait["listing"]["state"] == "draft"
    assert wait["steps"] == [
        {
            "code": "flipkart",
            "field": "fsn",
            "message": "Flipkart does not know this product yet: download the catalogue sheet, "
            "upload it in Seller Hub, then record the FSN Flipkart gives.",
        }
    ]


def test_a_push_of_unknown_skus_is_refused_by_field(amazon: ChannelAccount, ganesh: User) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    response = bearer(ganesh).post(
        f"/api/channel-accounts/{amazon.uuid}/push",
        {"skus": [unknown]},
        content_type="application/json",
        headers={"accept-language": "hi"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": {
            "skus": [hindi("Not found, or not in your district: %(skus)s") % {"skus": unknown}]
        }
    }
    assert not Listing.objects.exists()


def test_an_order_is_shipped_with_a_waybill_that_reaches_the_marketplace(
    amazon: ChannelAccount, live_horse: Listing, fake_amazon: Any, ganesh: User
) -> None:
    # given a buyer's order brought home
    placed = fake_amazon.place_order("TERR-HORSE-01", 2)
    do_request_orders(amazon, acting_user=ganesh)
    drain()
    order = Order.objects.get(channel_order_id=placed["AmazonOrderId"])
    client = bearer(ganesh)
    url = f"/api/orders/{order.uuid}"

    def move(**body: str) -> Any:
        return client.post(f"{url}/state", body, content_type="application/json")

    # when staff accept and pack it, then ship it without the waybill
    assert move(state="accepted").status_code == 200
    assert move(state="packed").json()["next_states"] == ["shipped", "cancelled"]
    refused = move(state="shipped", carrier="India Post")

    # then the shipment is refused, naming the waybill field
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": {
            "tracking_number": [
                "Amazon needs the courier and the waybill (tracking) number to tell the buyer: "
                "give both to mark the order shipped."
            ]
        }
    }

    # when they give both
    shipped = move(state="shipped", carrier="India Post", tracking_number=WAYBILL)
    drain()

    # then the order says so, and Amazon holds that tracking number
    assert shipped.status_code == 200
    assert (shipped.json()["state"], shipped.json()["tracking_number"]) == ("shipped", WAYBILL)
    assert fake_amazon.state()["shipments"][order.channel_order_id][0]["trackingNumber"] == WAYBILL
    body = client.get(url).json()
    assert body["lines"] == [
        {
            "sku_uuid": str(live_horse.sku.uuid),
            "seller_sku": "TERR-HORSE-01",
            "line_id": order.lines.get().line_id,
            "quantity": 2,
            "unit_price": "950.00",
        }
    ]
    assert [(c["operation"], c["state"]) for c in body["calls"]] == [("ship", "done")]
    assert body["next_states"] == ["out_for_delivery", "delivered", "returned"]
    listed = client.get("/api/orders", {"state": "shipped"}).json()
    assert [item["uuid"] for item in listed["items"]] == [str(order.uuid)]
    assert client.get("/api/orders", {"state": "open"}).json()["count"] == 0
    # a cancellation now is refused by the state field, in Hindi for a Hindi client
    late = client.post(
        f"{url}/state",
        {"state": "cancelled", "reason": "buyer asked"},
        content_type="application/json",
        headers={"accept-language": "hi"},
    )
    assert late.status_code == 422
    assert list(late.json()["detail"]) == ["state"]


def test_an_orders_status_changes_say_when_who_and_the_waybill(
    amazon: ChannelAccount, live_horse: Listing, fake_amazon: Any, ganesh: User
) -> None:
    # given an order brought home, which staff accept, pack and ship with a waybill
    placed = fake_amazon.place_order("TERR-HORSE-01", 1)
    do_request_orders(amazon, acting_user=ganesh)
    drain()
    order = Order.objects.get(channel_order_id=placed["AmazonOrderId"])
    client = bearer(ganesh)
    url = f"/api/orders/{order.uuid}"
    for body in (
        {"state": "accepted"},
        {"state": "packed"},
        {"state": "shipped", "carrier": "India Post", "tracking_number": WAYBILL},
    ):
        assert client.post(f"{url}/state", body, content_type="application/json").status_code == 200
    drain()

    # when Amazon reports it delivered
    fake_amazon.move_order(order.channel_order_id, "delivered")
    do_request_orders(amazon, acting_user=ganesh)
    drain()

    # then its history says each step, oldest first: who made it, and the waybill once shipped
    changes = client.get(url).json()["status_changes"]
    assert [
        (c["state_from"], c["state_to"], c["source"], c["by"], c["carrier"], c["tracking_number"])
        for c in changes
    ] == [
        ("", "new", "marketplace", "", "", ""),
        ("new", "accepted", "staff", "गणेश प्रजापति", "", ""),
        ("accepted", "packed", "staff", "गणेश प्रजापति", "", ""),
        ("packed", "shipped", "staff", "गणेश प्रजापति", "India Post", WAYBILL),
        ("shipped", "delivered", "marketplace", "", "India Post", WAYBILL),
    ]
    times = [c["at"] for c in changes]
    assert times == sorted(times)
    assert changes[0]["at"][:19] == order.created_at.isoformat()[:19]  # the API gives ms


def test_an_order_cancelled_for_want_of_stock_says_niryat_cancelled_it_and_why(
    amazon: ChannelAccount, live_horse: Listing, fake_amazon: Any, ganesh: User
) -> None:
    # given a SKU that has sold out here, though Amazon still offers it
    Sku.objects.filter(pk=live_horse.sku_id).update(stock=0)
    placed = fake_amazon.place_order("TERR-HORSE-01", 1)

    # when the order is brought home
    do_request_orders(amazon, acting_user=ganesh)
    drain()

    # then it was cancelled back by Niryat, with the reason
    order = Order.objects.get(channel_order_id=placed["AmazonOrderId"])
    changes = bearer(ganesh).get(f"/api/orders/{order.uuid}").json()["status_changes"]
    assert [(c["state_from"], c["state_to"], c["source"], c["by"]) for c in changes] == [
        ("", "new", "marketplace", ""),
        ("new", "cancelled", "niryat", ""),
    ]
    assert changes[1]["reason"] == "Out of stock: TERR-HORSE-01"


def test_stock_set_over_the_api_is_a_move_and_reaches_the_marketplace(
    live_horse: Listing, fake_amazon: Any, ganesh: User
) -> None:
    sku = live_horse.sku
    before = sku.stock
    client = bearer(ganesh)

    response = client.post(
        f"/api/skus/{sku.uuid}/stock", {"stock": 3}, content_type="application/json"
    )
    drain()

    assert response.status_code == 200
    assert response.json() == {
        "sku_uuid": str(sku.uuid),
        "seller_sku": "TERR-HORSE-01",
        "stock": 3,
        "in_warehouses": [],
    }
    moves = client.get(f"/api/skus/{sku.uuid}/stock-moves").json()["items"]
    assert [(m["change"], m["balance"], m["reason"], m["by"]) for m in moves] == [
        (3 - before, 3, "edit", "गणेश प्रजापति")
    ]
    assert fake_amazon.state()["listings"]["TERR-HORSE-01"]["quantity"] == 3
    assert AuditEntry.objects.filter(action="sku.update").count() == 1


def test_a_failed_call_is_retried_and_then_needs_no_attention(
    amazon: ChannelAccount, fake_amazon: Any, horse_sku: Sku, ganesh: User, settings: Any
) -> None:
    # given a marketplace that answers 503 more often than the outbox tries
    settings.CHANNEL_MAX_ATTEMPTS = 2
    settings.CHANNEL_RETRY_SECONDS = 0.01
    fake_amazon.set_faults(server_errors=2)
    do_push([horse_sku], amazon, acting_user=ganesh)
    drain()
    client = bearer(ganesh)
    [entry] = client.get("/api/needs-attention").json()["items"]
    assert (entry["operation"], entry["state"], entry["attempts"], entry["last_status"]) == (
        "submit",
        "failed",
        2,
        503,
    )

    # when staff retry it over the API
    response = client.post(f"/api/needs-attention/{entry['id']}/retry")

    # then it is waiting again, goes through, and the listing is live
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["attempts"]) == ("pending", 0)
    drain()
    assert OutboxEntry.objects.get(pk=entry["id"]).state == "done"
    assert Listing.objects.get(sku=horse_sku).state == "live"
    assert client.get("/api/needs-attention").json() == {"items": [], "count": 0}
    again = client.post(f"/api/needs-attention/{entry['id']}/retry")
    assert (again.status_code, again.json()) == (
        422,
        {"detail": ["This call does not need attention."]},
    )


def test_read_only_roles_read_and_change_nothing(
    live_horse: Listing, fake_amazon: Any, gita: User, prem: User, sam: User, ganesh: User
) -> None:
    placed = fake_amazon.place_order("TERR-HORSE-01", 1)
    do_request_orders(live_horse.account, acting_user=ganesh)
    drain()
    order = Order.objects.get(channel_order_id=placed["AmazonOrderId"])
    moves = StockMove.objects.count()
    for user in (gita, sam):
        client = bearer(user)
        assert client.get(f"/api/orders/{order.uuid}").json()["state"] == "new"
        assert client.get(f"/api/listings/{live_horse.uuid}").status_code == 200
        writes = [
            client.post(
                f"/api/orders/{order.uuid}/state",
                {"state": "accepted"},
                content_type="application/json",
            ),
            client.post(
                f"/api/skus/{live_horse.sku.uuid}/stock",
                {"stock": 0},
                content_type="application/json",
            ),
            client.post(
                f"/api/channel-accounts/{live_horse.account.uuid}/push",
                {"skus": [str(live_horse.sku.uuid)]},
                content_type="application/json",
            ),
        ]
        assert [w.status_code for w in writes] == [403, 403, 403], user.username
    order.refresh_from_db()
    assert order.state == "new"
    assert StockMove.objects.count() == moves


def test_a_producer_sees_only_their_own_orders_and_no_calls(
    live_horse: Listing, fake_amazon: Any, ramu: Producer, prem: User, ganesh: User
) -> None:
    """Prem is not Ramu: he sees none of Ramu's records; linked to Ramu, he sees his order."""
    fake_amazon.place_order("TERR-HORSE-01", 1)
    do_request_orders(live_horse.account, acting_user=ganesh)
    drain()
    client = bearer(prem)
    assert client.get("/api/orders").json()["count"] == 0
    Producer.objects.filter(pk=ramu.pk).update(user=prem)
    orders = client.get("/api/orders").json()
    assert [item["producer_uuid"] for item in orders["items"]] == [str(ramu.uuid)]
    assert client.get("/api/listings").json()["count"] == 1
    # the centre's account and its calls are the centre's business
    assert client.get("/api/channel-accounts").json()["count"] == 0
    assert client.get("/api/needs-attention").json()["count"] == 0
