"""Amazon over real HTTP against fakes/amazon.py: validation in UTF-8 bytes, the listings feed,
submit → poll → live, rejections mapped to our fields, faults, the feed path, stock and price,
orders and cancellation."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.utils import timezone

from niryat.catalog.models import Sku
from niryat.channels import outbox
from niryat.channels.actions import do_request_orders
from niryat.channels.amazon import AmazonChannel
from niryat.channels.amazon import api as amazon_api
from niryat.channels.amazon import channel as amazon_channel
from niryat.channels.base import ChannelError, FieldError, ListingStatus
from niryat.channels.models import (
    ChannelAccount,
    Listing,
    Order,
    OrderLine,
    OutboxEntry,
    SchemaCache,
)
from niryat.channels.secrets import encrypt
from niryat.core.models import District
from tests.channels.factories import PAYLOADS

AMAZON = PAYLOADS / "amazon"
SINCE = datetime(2026, 1, 1, tzinfo=UTC)
CREDENTIALS = {
    "client_id": "amzn1.application-oa2-client.niryatgorakhpur",
    "client_secret": "amzn1.oa2-cs.v1.secret",
    "refresh_token": "Atzr|IwEBIGorakhpurEdc",
}


def payload(name: str) -> Any:
    return json.loads((AMAZON / name).read_text(encoding="utf-8"))


def shape(value: Any) -> Any:
    """The key structure of a JSON value (dict keys, list item shapes), without the values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def keys_within(expected: Any, actual: Any) -> bool:
    """Every key of the sample is in the actual value, recursively."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and keys_within(item, actual[key]) for key, item in expected.items()
        )
    if isinstance(expected, list) and expected:
        return isinstance(actual, list) and all(keys_within(expected[0], item) for item in actual)
    return True


@pytest.fixture(autouse=True)
def fresh_tokens() -> None:
    amazon_api.tokens.clear()
    amazon_channel._order_items.clear()


@pytest.fixture
def account(gorakhpur: District) -> ChannelAccount:
    return ChannelAccount.objects.create(
        district=gorakhpur,
        channel="amazon",
        name="Gorakhpur EDC on Amazon.in",
        credentials_encrypted=encrypt(CREDENTIALS),
        settings={"seller_id": "A2GORAKHPUR01", "marketplace_id": "A21TJRUUN4KGV"},
    )


@pytest.fixture
def amazon(account: ChannelAccount) -> AmazonChannel:
    return AmazonChannel(account)


@pytest.fixture
def horse(horse_sku: Sku, account: ChannelAccount) -> Listing:
    return Listing.objects.create(sku=horse_sku, account=account)


def fake_listing(fake: Any, sku: str) -> dict[str, Any]:
    return httpx.get(f"{fake.url}/_fake/state").json()["listings"][sku]


# -- validate: local, in Amazon's units ------------------------------------------------------


def test_a_complete_terracotta_horse_is_ready_for_amazon(horse_sku: Sku) -> None:
    # when
    problems = AmazonChannel().validate(horse_sku)
    # then
    assert problems == []


def test_a_hindi_title_is_measured_in_utf8_bytes(horse_sku: Sku) -> None:
    # given: 74 characters, far below 200, but 204 bytes (a Devanagari letter is 3)
    horse_sku.title_hi = ("टेराकोटा घोड़ा " * 5).strip()
    # when
    problems = AmazonChannel().validate(horse_sku)
    # then
    assert len(horse_sku.title_hi) == 74
    assert [(p.check, p.field) for p in problems] == [("amazon", "title_hi")]
    assert str(problems[0].message) == (
        "Too long for Amazon: 204 bytes in UTF-8, at most 200 (a Hindi letter takes 3)."
    )


def test_a_missing_required_attribute_names_our_field(khadi_sku: Sku) -> None:
    # given: a kurta without a colour (Amazon's SHIRT needs "color")
    khadi_sku.colour = ""
    # when
    problems = AmazonChannel().validate(khadi_sku)
    # then
    assert [(p.field, str(p.message)) for p in problems] == [
        ("colour", "Amazon needs this for a SHIRT listing (color).")
    ]


def test_a_factory_made_product_without_a_gtin_cannot_use_the_exemption(horse_sku: Sku) -> None:
    # given
    horse_sku.product.handmade = False
    # when
    problems = AmazonChannel().validate(horse_sku)
    # then
    assert [p.field for p in problems] == ["attributes.gtin"]
    assert str(problems[0].message).startswith("Amazon needs a barcode (GTIN)")


def test_validate_prefers_amazons_cached_schema(horse_sku: Sku) -> None:
    # given: Amazon's definition of HOME now limits titles to 40 bytes
    schema = json.loads(json.dumps(payload("home_schema_excerpt.json")))
    SchemaCache.objects.create(channel="amazon", key="IN:HOME", schema=schema)
    # when
    problems = AmazonChannel().validate(horse_sku)
    # then
    assert [p.field for p in problems] == ["title_en", "title_hi"]


# -- build: the JSON_LISTINGS_FEED -----------------------------------------------------------


def test_build_gives_the_json_listings_feed(amazon: AmazonChannel, horse_sku: Sku) -> None:
    # when
    feed = amazon.build([horse_sku])
    # then
    sample = payload("listings_feed.json")
    assert shape(feed) == shape(sample)
    message = feed["messages"][0]
    assert feed["header"] == {"sellerId": "A2GORAKHPUR01", "version": "2.0", "issueLocale": "en_IN"}
    assert message["sku"] == "TERR-HORSE-01"
    assert message["productType"] == "HOME"
    attributes = message["attributes"]
    assert attributes["item_name"] == [
        {
            "value": "Gorakhpur terracotta horse, handmade, 30 cm",
            "language_tag": "en_IN",
            "marketplace_id": "A21TJRUUN4KGV",
        },
        {
            "value": "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 30 सेमी",
            "language_tag": "hi_IN",
            "marketplace_id": "A21TJRUUN4KGV",
        },
    ]
    assert attributes["brand"][0]["value"] == "Generic"
    assert attributes["supplier_declared_has_product_identifier_exemption"] == [
        {"value": True, "marketplace_id": "A21TJRUUN4KGV"}
    ]
    assert "externally_assigned_product_identifier" not in attributes
    assert attributes["external_product_information"] == [
        {"entity": "HSN Code", "value": "69139000", "marketplace_id": "A21TJRUUN4KGV"}
    ]
    assert attributes["purchasable_offer"][0]["our_price"] == [
        {"schedule": [{"value_with_tax": 950.0}]}
    ]
    assert attributes["list_price"][0]["value_with_tax"] == 1200.0
    assert attributes["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 12}
    ]
    assert attributes["main_product_image_locator"][0]["media_location"].startswith(
        "https://niryat.example.org/media/catalogue/"
    )


# -- submit and poll -------------------------------------------------------------------------


def test_submit_then_poll_until_buyable(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # when
    submitted = amazon.submit(horse, key="submit-1")
    live = amazon.poll(horse)
    # then
    asin = fake_listing(fake_amazon, "TERR-HORSE-01")["asin"]
    assert submitted.state == "submitted"
    assert submitted.external_id == asin
    assert live == ListingStatus(
        "live", external_id=asin, url=f"https://www.amazon.in/dp/{asin}", errors=[]
    )
    assert SchemaCache.objects.filter(channel="amazon", key="IN:HOME").count() == 1


def test_a_rejected_listing_shows_amazons_issues_on_our_fields(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    invalid = payload("listings_item_put_response_invalid.json")
    fake_amazon.set_faults(reject={"TERR-HORSE-01": invalid["issues"]})
    # when
    status = amazon.submit(horse, key="submit-1")
    # then
    assert status.state == "rejected"
    assert status.errors == [
        FieldError(
            "images",
            "18027",
            "We believe the main image has text, logo, graphic or watermark which is not "
            "permitted for this product type.",
            "Amazon did not accept the photo. Replace it and send again.",
        ),
        FieldError(
            "weight_g",
            "90220",
            "'item_package_weight' is required but not supplied.",
            "Fill this in and send the listing again.",
        ),
    ]
    assert fake_amazon.state()["listings"] == {}


def test_a_listing_amazon_never_makes_buyable_stays_submitted(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    fake_amazon.set_faults(never_live=True)
    amazon.submit(horse, key="submit-1")
    # when
    first, second = amazon.poll(horse), amazon.poll(horse)
    # then
    assert first.state == second.state == "submitted"
    assert fake_listing(fake_amazon, "TERR-HORSE-01")["status"] == ["DISCOVERABLE"]


def test_a_listing_with_local_schema_problems_is_not_sent(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    horse.sku.weight_g = None
    # when
    status = amazon.submit(horse, key="submit-1")
    # then
    assert status.state == "rejected"
    assert [e.field for e in status.errors] == ["weight_g"]
    assert not [r for r in fake_amazon.requests if r.path.startswith("/listings/")]


# -- faults ----------------------------------------------------------------------------------


def test_rate_limit_surfaces_retry_after(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    amazon.check_account()
    fake_amazon.set_faults(rate_limited=1, retry_after=7)
    # when
    with pytest.raises(ChannelError) as raised:
        amazon.poll(horse)
    # then
    assert (raised.value.status, raised.value.permanent, raised.value.retry_after) == (
        429,
        False,
        7,
    )
    assert "QuotaExceeded" in str(raised.value)


def test_a_server_error_is_transient(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    amazon.check_account()
    fake_amazon.set_faults(server_errors=1)
    # when
    with pytest.raises(ChannelError) as raised:
        amazon.poll(horse)
    # then
    assert (raised.value.status, raised.value.permanent) == (503, False)


def test_a_timeout_is_transient(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing, fast_retries: None
) -> None:
    # given
    amazon.check_account()
    fake_amazon.set_faults(delay=1.3)
    # when
    with pytest.raises(ChannelError) as raised:
        amazon.poll(horse)
    # then
    assert (raised.value.status, raised.value.permanent) == (None, False)
    assert "timed out" in str(raised.value)


def test_a_retried_submission_whose_answer_was_lost_lists_once(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given: Amazon stores the listing but the answer is lost (503)
    fake_amazon.lost_responses = 1
    with pytest.raises(ChannelError) as raised:
        amazon.submit(horse, key="submit-1")
    assert raised.value.permanent is False
    # when: the outbox retries with the same key
    status = amazon.submit(horse, key="submit-1")
    # then
    assert status.state == "submitted"
    listings = fake_amazon.state()["listings"]
    assert list(listings) == ["TERR-HORSE-01"]
    assert listings["TERR-HORSE-01"]["submissions"] == 2


def test_wrong_credentials_are_a_permanent_error(fake_amazon: Any, account: ChannelAccount) -> None:
    # given
    account.credentials_encrypted = encrypt({**CREDENTIALS, "refresh_token": "expired"})
    # when
    with pytest.raises(ChannelError) as raised:
        AmazonChannel(account).check_account()
    # then
    assert (raised.value.status, raised.value.permanent) == (400, True)
    assert "invalid_grant" in str(raised.value)


def test_a_forgotten_token_is_fetched_again(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given: a token Amazon no longer knows
    amazon.check_account()
    fake_amazon.tokens.clear()
    # when
    status = amazon.submit(horse, key="submit-1")
    # then
    assert status.state == "submitted"
    paths = [r.path for r in fake_amazon.requests]
    assert paths.count("/auth/o2/token") == 2


# -- the bulk path: JSON_LISTINGS_FEED -------------------------------------------------------


def test_a_feed_lists_many_and_reports_each_sku(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing, khadi_sku: Sku
) -> None:
    # given
    kurta = Listing.objects.create(sku=khadi_sku, account=horse.account)
    issues = payload("listings_item_put_response_invalid.json")["issues"][1:]
    fake_amazon.set_faults(reject={"KHADI-KURTA-M": issues})
    # when
    feed_id = amazon.submit_feed([horse, kurta], key="feed-1")
    result = amazon.feed_result(feed_id)
    # then
    asin = fake_listing(fake_amazon, "TERR-HORSE-01")["asin"]
    assert result == {
        "TERR-HORSE-01": ListingStatus(
            "submitted", asin, f"https://www.amazon.in/dp/{asin}", (), reference=feed_id
        ),
        "KHADI-KURTA-M": ListingStatus(
            "rejected",
            errors=[
                FieldError(
                    "weight_g",
                    "90220",
                    "'item_package_weight' is required but not supplied.",
                    "Fill this in and send the listing again.",
                )
            ],
            reference=feed_id,
        ),
    }
    feed = fake_amazon.state()["feeds"][feed_id]
    assert (feed["feedType"], feed["marketplaceIds"]) == ("JSON_LISTINGS_FEED", ["A21TJRUUN4KGV"])
    assert amazon.poll(horse).state == "live"  # accepted by the feed, buyable later


def test_the_fake_processes_the_sample_feed(fake_amazon: Any, amazon: AmazonChannel) -> None:
    # given: the documented sample feed, sent as it is
    api = amazon.api()
    sample = json.dumps(payload("listings_feed.json")).encode()
    # when
    feed_id = api.create_feed("JSON_LISTINGS_FEED", sample, "application/json; charset=UTF-8")
    feed = api.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}")
    document = api.call("GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}")
    report = json.loads(api.download(document["url"]))
    # then
    assert keys_within(payload("feed_processing_report.json"), report)
    assert report["summary"]["messagesAccepted"] == 1


# -- stock, price, end -----------------------------------------------------------------------


def test_stock_and_price_reach_the_listing(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    amazon.submit(horse, key="submit-1")
    horse.sku.price = Decimal("899.00")
    # when
    amazon.push_stock(horse, 3, key="stock-1")
    amazon.push_price(horse, key="price-1")
    # then
    listing = fake_listing(fake_amazon, "TERR-HORSE-01")
    assert (listing["quantity"], listing["price"], listing["mrp"]) == (3, 899.0, 1200.0)


def test_end_deletes_the_listing_once(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    amazon.submit(horse, key="submit-1")
    # when
    amazon.end(horse, key="end-1")
    amazon.end(horse, key="end-1")  # a retry: already gone
    # then
    assert fake_amazon.state()["listings"] == {}


# -- orders ----------------------------------------------------------------------------------


def _live(amazon: AmazonChannel, horse: Listing) -> None:
    amazon.submit(horse, key="submit-1")
    amazon.poll(horse)


def test_pull_orders_reads_every_page_and_reports_each_order_once(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given: two orders, each listed twice, one per page
    _live(amazon, horse)
    first = fake_amazon.place_order("TERR-HORSE-01", 2)
    second = fake_amazon.place_order("TERR-HORSE-01", 1, fulfillment_channel="AFN")
    fake_amazon.buyer_cancels(second["AmazonOrderId"])
    fake_amazon.set_faults(duplicate_orders=True)
    fake_amazon.page_size = 1
    # when
    orders = list(amazon.pull_orders(SINCE))
    # then
    assert [(o.channel_order_id, o.cancelled, o.fulfilled_by_marketplace) for o in orders] == [
        (first["AmazonOrderId"], False, False),
        (second["AmazonOrderId"], True, True),
    ]
    order = orders[0]
    assert [(line.seller_sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("TERR-HORSE-01", 2, Decimal("950.00"))
    ]
    assert order.currency == "INR"
    assert order.buyer_city == "LUCKNOW"
    assert order.ship_by is not None
    assert order.ship_by - order.ordered_at == timedelta(days=2)
    assert fake_listing(fake_amazon, "TERR-HORSE-01")["quantity"] == 9


def test_the_fakes_orders_have_the_documented_shape(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    _live(amazon, horse)
    order_id = fake_amazon.place_order("TERR-HORSE-01", 1)["AmazonOrderId"]
    api = amazon.api()
    # when
    orders = api.call(
        "GET",
        "/orders/v0/orders",
        params={"MarketplaceIds": "A21TJRUUN4KGV", "LastUpdatedAfter": "2026-01-01T00:00:00Z"},
    )
    items = api.call("GET", f"/orders/v0/orders/{order_id}/orderItems")
    # then
    assert keys_within(payload("orders.json"), orders)
    assert keys_within(payload("order_items.json"), items)


def test_cancel_order_sends_an_acknowledgement_with_the_reason(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing
) -> None:
    # given
    _live(amazon, horse)
    placed = fake_amazon.place_order("TERR-HORSE-01", 1)
    [data] = amazon.pull_orders(SINCE)
    order = Order.objects.create(
        district=horse.account.district,
        account=horse.account,
        channel_order_id=data.channel_order_id,
        ordered_at=data.ordered_at,
    )
    OrderLine.objects.create(
        order=order,
        sku=horse.sku,
        seller_sku="TERR-HORSE-01",
        line_id=data.lines[0].line_id,
        quantity=1,
        unit_price=Decimal("950.00"),
    )
    # when
    amazon.cancel_order(order, "out of stock", key="cancel-1")
    amazon.cancel_order(order, "out of stock", key="cancel-1")  # a retry
    # then
    assert fake_amazon.state()["cancellations"] == [
        {
            "order_id": placed["AmazonOrderId"],
            "items": [{"order_item_id": data.lines[0].line_id, "reason": "NoInventory"}],
        }
    ]
    [cancelled] = amazon.pull_orders(SINCE)
    assert cancelled.cancelled is True


# -- Global Selling and the fake's documented shapes -----------------------------------------


def test_global_selling_prices_in_the_stores_currency(
    account: ChannelAccount, horse_sku: Sku
) -> None:
    # given: Amazon.com, with no dollar rate yet
    from niryat.channels.models import ExchangeRate

    account.settings = {"seller_id": "A2GORAKHPUR01", "marketplace_id": "ATVPDKIKX0DER"}
    amazon = AmazonChannel(account)
    assert [(p.field, str(p.message)) for p in amazon.validate(horse_sku)] == [
        ("price", "Set the rupee rate of USD to sell on amazon.com."),
        ("mrp", "Set the rupee rate of USD to sell on amazon.com."),
    ]
    # when
    ExchangeRate.objects.create(currency="USD", inr_per_unit=Decimal("84.0000"))
    attributes = amazon.build([horse_sku])["messages"][0]["attributes"]
    # then
    assert amazon.validate(horse_sku) == []
    assert attributes["purchasable_offer"][0]["currency"] == "USD"
    assert attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0] == {
        "value_with_tax": 11.31
    }
    assert attributes["item_name"] == [
        {
            "value": "Gorakhpur terracotta horse, handmade, 30 cm",
            "language_tag": "en_US",
            "marketplace_id": "ATVPDKIKX0DER",
        }
    ]
    assert "external_product_information" not in attributes


def test_the_fakes_token_and_definition_have_the_documented_shape(
    fake_amazon: Any, amazon: AmazonChannel
) -> None:
    # when
    token = httpx.post(
        f"{fake_amazon.url}/auth/o2/token", data={"grant_type": "refresh_token", **CREDENTIALS}
    ).json()
    definition = amazon.api().call(
        "GET",
        "/definitions/2020-09-01/productTypes/HOME",
        params={"marketplaceIds": "A21TJRUUN4KGV", "requirements": "LISTING"},
    )
    # then
    assert shape(token) == shape(payload("lwa_token.json"))
    assert shape(definition) == shape(payload("product_type_definition.json"))


# -- an order pull interrupted half-way -------------------------------------------------------


def _due_again(entry: OutboxEntry) -> None:
    """The retry's time has come (the backoff waited for it)."""
    OutboxEntry.objects.filter(pk=entry.pk).update(next_try_at=timezone.now())
    ChannelAccount.objects.update(next_call_at=None)


def test_a_pull_broken_on_page_two_goes_on_from_there_and_records_each_order_once(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing, horse_sku: Sku
) -> None:
    # given: three orders, two a page (each listed twice), and the second page fails once
    _live(amazon, horse)
    held = horse_sku.stock or 0
    placed = [fake_amazon.place_order("TERR-HORSE-01", 1)["AmazonOrderId"] for _ in range(3)]
    fake_amazon.set_faults(duplicate_orders=True)
    fake_amazon.page_size = 2
    fake_amazon.set_faults(broken=r"GET /orders/v0/orders\?.*NextToken", broken_kind="503")
    entry = do_request_orders(horse.account, acting_user=None)
    # when the pull runs: the first page comes home, the second fails
    outbox.run(entry.pk)
    # then the first page's order is recorded and its stock taken, and the pull waits to retry
    entry.refresh_from_db()
    assert (entry.state, entry.last_status) == ("pending", 503)
    assert list(Order.objects.values_list("channel_order_id", flat=True)) == placed[:1]
    assert ChannelAccount.objects.get().orders_pulled_until is None
    # when it is tried again
    _due_again(entry)
    outbox.run(entry.pk)
    # then it went on from the second page: every order once, its stock taken once
    entry.refresh_from_db()
    assert entry.state == "done"
    assert sorted(Order.objects.values_list("channel_order_id", flat=True)) == sorted(placed)
    assert Sku.objects.get(pk=horse_sku.pk).stock == held - 3
    first_pages = [r for r in fake_amazon.requests if "LastUpdatedAfter" in r.query]
    assert len(first_pages) == 1
    assert ChannelAccount.objects.get().orders_pulled_until is not None


def test_a_pull_broken_on_an_orders_items_does_not_ask_again_for_those_already_recorded(
    fake_amazon: Any, amazon: AmazonChannel, horse: Listing, settings: Any
) -> None:
    # given: three orders on one page; the third's items time out once
    settings.CHANNEL_HTTP_TIMEOUT = 0.3
    _live(amazon, horse)
    placed = [fake_amazon.place_order("TERR-HORSE-01", 1)["AmazonOrderId"] for _ in range(3)]
    fake_amazon.set_faults(
        broken=f"GET /orders/v0/orders/{placed[2]}/orderItems",
        broken_kind="timeout",
        timeout_delay=0.6,
    )
    entry = do_request_orders(horse.account, acting_user=None)
    outbox.run(entry.pk)
    assert sorted(Order.objects.values_list("channel_order_id", flat=True)) == placed[:2]
    amazon_channel._order_items.clear()  # another worker: nothing remembered in memory
    # when it is tried again
    _due_again(entry)
    outbox.run(entry.pk)
    # then the third comes home, and the first two's items were asked for once
    assert sorted(Order.objects.values_list("channel_order_id", flat=True)) == placed
    asked = Counter(
        r.path.split("/")[-2] for r in fake_amazon.requests if r.path.endswith("/orderItems")
    )
    assert asked == {placed[0]: 1, placed[1]: 1, placed[2]: 2}
