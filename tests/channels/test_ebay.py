"""eBay: local rules, the Inventory API bodies, and every call over real HTTP to the fake eBay,
faults included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.utils import timezone

from fakes.ebay import FakeEbay
from niryat.catalog.models import Sku
from niryat.channels import outbox
from niryat.channels.actions import do_request_orders
from niryat.channels.base import ChannelError
from niryat.channels.ebay import EbayChannel
from niryat.channels.ebay import channel as ebay_channel
from niryat.channels.ebay import listing as rules
from niryat.channels.ebay.api import forget_tokens
from niryat.channels.models import ChannelAccount, ExchangeRate, Listing, Order, OutboxEntry
from niryat.channels.secrets import encrypt
from niryat.core.models import District
from tests.channels.factories import PAYLOADS

EBAY = PAYLOADS / "ebay"
CREDENTIALS = {
    "client_id": FakeEbay.CLIENT_ID,
    "client_secret": FakeEbay.CLIENT_SECRET,
    "refresh_token": FakeEbay.REFRESH_TOKEN,
}
SETTINGS = {
    "marketplace_id": "EBAY_US",
    "currency": "USD",
    "merchant_location_key": FakeEbay.LOCATION_KEY,
    "fulfillment_policy_id": FakeEbay.FULFILLMENT_POLICY_ID,
    "payment_policy_id": FakeEbay.PAYMENT_POLICY_ID,
    "return_policy_id": FakeEbay.RETURN_POLICY_ID,
}


def payload(name: str) -> Any:
    return json.loads((EBAY / name).read_text())


def keys(value: Any) -> Any:
    """The key structure of a JSON value (values dropped), for comparing shapes."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return type(value).__name__


@pytest.fixture(autouse=True)
def fresh_tokens() -> None:
    forget_tokens()
    ebay_channel._setup_checked.clear()


@pytest.fixture
def usd(db) -> ExchangeRate:  # type: ignore[no-untyped-def]
    return ExchangeRate.objects.create(currency="USD", inr_per_unit=Decimal("83.2500"))


def make_account(district: District, **settings: str) -> ChannelAccount:
    return ChannelAccount.objects.create(
        district=district,
        channel="ebay",
        name="Gorakhpur EDC on eBay",
        credentials_encrypted=encrypt(CREDENTIALS),
        settings={**SETTINGS, **settings},
    )


@pytest.fixture
def account(gorakhpur: District, fake_ebay: FakeEbay, usd: ExchangeRate) -> ChannelAccount:
    return make_account(gorakhpur)


@pytest.fixture
def listing(horse_sku: Sku, account: ChannelAccount) -> Listing:
    return Listing.objects.create(sku=horse_sku, account=account)


def live(listing: Listing) -> Listing:
    """Submit the listing and keep what the outbox would keep."""
    status = EbayChannel(listing.account).submit(listing, key="submit-1")
    assert status.state == "live"
    listing.external_id, listing.reference = status.external_id, status.reference
    return listing


def messages(problems: list[Any]) -> list[tuple[str, str]]:
    return [(problem.field, str(problem.message)) for problem in problems]


# -- validate --------------------------------------------------------------------------------


def test_horse_is_ready_for_ebay(horse_sku: Sku, usd: ExchangeRate) -> None:
    # when
    problems = EbayChannel().validate(horse_sku)

    # then
    assert problems == []


def test_title_of_81_characters_is_rejected_with_its_count(
    horse_sku: Sku, usd: ExchangeRate
) -> None:
    # given
    horse_sku.title_en = "Handmade Gorakhpur terracotta horse, " + "x" * 44
    assert len(horse_sku.title_en) == 81

    # when
    problems = EbayChannel().validate(horse_sku)

    # then
    assert messages(problems) == [
        ("title_en", "eBay allows at most 80 characters in a title; this one has 81.")
    ]
    assert problems[0].check == "ebay"


def test_title_of_80_characters_passes(horse_sku: Sku, usd: ExchangeRate) -> None:
    # given: eBay counts characters, not bytes, so Devanagari counts one per letter
    horse_sku.title_en = "टेराकोटा " * 8 + "x" * 8
    assert len(horse_sku.title_en) == 80

    # when / then
    assert EbayChannel().validate(horse_sku) == []


def test_missing_exchange_rate_is_a_price_problem(gorakhpur: District, horse_sku: Sku) -> None:
    # given: a UK account and no rate for pounds
    account = make_account(gorakhpur, marketplace_id="EBAY_GB", currency="GBP")

    # when
    problems = EbayChannel(account).validate(horse_sku)

    # then
    assert messages(problems) == [
        (
            "price",
            "eBay prices are in GBP: staff must set the exchange rate for GBP before this SKU "
            "can be listed.",
        )
    ]


def test_without_an_account_prices_are_in_dollars(horse_sku: Sku) -> None:
    # when: no USD rate yet
    problems = EbayChannel().validate(horse_sku)

    # then
    assert [problem.field for problem in problems] == ["price"]
    assert "USD" in str(problems[0].message)


def test_clothing_needs_colour_and_size(khadi_sku: Sku, usd: ExchangeRate) -> None:
    # given
    khadi_sku.size = ""
    khadi_sku.colour = ""

    # when
    problems = EbayChannel().validate(khadi_sku)

    # then
    assert messages(problems) == [
        ("colour", "eBay needs the colour of clothing."),
        ("size", "eBay needs the size of clothing."),
    ]


def test_shipping_customs_and_stock_problems(horse_sku: Sku, usd: ExchangeRate) -> None:
    # given
    horse_sku.weight_g = None
    horse_sku.height_cm = None
    horse_sku.stock = 0
    horse_sku.product.hs_code = ""

    # when
    problems = EbayChannel().validate(horse_sku)

    # then
    assert [problem.field for problem in problems] == ["stock", "weight_g", "length_cm", "hs_code"]


def test_other_goods_need_a_category_id_from_staff(horse_sku: Sku, usd: ExchangeRate) -> None:
    # given
    horse_sku.product.category = "other"

    # when
    problems = EbayChannel().validate(horse_sku)

    # then
    assert [problem.field for problem in problems] == ["category"]


# -- build -----------------------------------------------------------------------------------


def test_build_matches_the_inventory_api_samples(horse_sku: Sku, account: ChannelAccount) -> None:
    # when
    [built] = EbayChannel(account).build([horse_sku])

    # then
    assert keys(built["inventory_item"]) == keys(payload("inventory_item.json"))
    assert keys(built["offer"]) == keys(payload("offer.json"))
    assert built["offer"] == payload("offer.json")
    item = built["inventory_item"]
    assert item["product"]["aspects"] == payload("inventory_item.json")["product"]["aspects"]
    assert item["product"]["imageUrls"][0].startswith("https://niryat.example.org/media/")
    assert item["packageWeightAndSize"] == payload("inventory_item.json")["packageWeightAndSize"]


def test_price_is_converted_at_the_staff_rate(horse_sku: Sku, db: None) -> None:
    # given: ₹950 at ₹83.25 a dollar is 11.4114 dollars; ₹1000.40 at ₹80 is 12.505 (half up)
    ExchangeRate.objects.create(currency="USD", inr_per_unit=Decimal("83.2500"))
    ExchangeRate.objects.create(currency="GBP", inr_per_unit=Decimal("80.0000"))

    # when / then
    assert rules.converted_price(Decimal("950.00"), "USD") == Decimal("11.41")
    assert rules.converted_price(Decimal("1000.40"), "GBP") == Decimal("12.51")
    assert rules.converted_price(Decimal("950.00"), "EUR") is None
    assert rules.price_amount(horse_sku, "USD") == {"value": "11.41", "currency": "USD"}


def test_clothing_aspects_use_the_sites_own_names(khadi_sku: Sku) -> None:
    # when
    us = rules.aspects(khadi_sku, "EBAY_US")
    uk = rules.aspects(khadi_sku, "EBAY_GB")

    # then
    assert us == {
        "Brand": ["Unbranded"],
        "Material": ["cotton"],
        "Color": ["white"],
        "Size": ["M"],
        "Handmade": ["Yes"],
        "Country/Region of Manufacture": ["India"],
    }
    assert uk["Colour"] == ["white"]
    assert "Color" not in uk


# -- submit ----------------------------------------------------------------------------------


def test_submit_publishes_and_is_live(listing: Listing, fake_ebay: FakeEbay) -> None:
    # when
    status = EbayChannel(listing.account).submit(listing, key="submit-1")

    # then
    state = fake_ebay.state()
    [offer] = state["offers"]
    [ebay_listing] = state["listings"]
    assert status.state == "live"
    assert status.external_id == ebay_listing["listingId"]
    assert status.url == f"https://www.ebay.com/itm/{ebay_listing['listingId']}"
    assert status.reference == offer["offerId"]
    assert offer["pricingSummary"] == {"price": {"value": "11.41", "currency": "USD"}}
    assert offer["status"] == "PUBLISHED"
    assert state["inventory_items"]["TERR-HORSE-01"]["condition"] == "NEW"
    puts = [r for r in fake_ebay.requests if r.method == "PUT"]
    assert [r.headers["content-language"] for r in puts] == ["en-US"]


def test_submit_without_a_payment_policy_is_rejected_before_anything_is_sent(
    listing: Listing, fake_ebay: FakeEbay
) -> None:
    # given
    fake_ebay.drop_policy("payment_policy")

    # when
    status = EbayChannel(listing.account).submit(listing, key="submit-1")

    # then
    assert status.state == "rejected"
    assert [(e.field, e.message) for e in status.errors] == [
        ("account", "payment_policy_id 6196947000 is not among the seller's EBAY_US policies")
    ]
    assert "business policies" in str(status.errors[0].explanation)
    assert fake_ebay.state()["inventory_items"] == {}


def test_submit_without_the_inventory_location_is_rejected(
    listing: Listing, fake_ebay: FakeEbay
) -> None:
    # given
    fake_ebay.drop_location()

    # when
    status = EbayChannel(listing.account).submit(listing, key="submit-1")

    # then
    assert status.state == "rejected"
    assert [(e.field, e.code, e.message) for e in status.errors] == [
        ("account", "25805", "inventory location GKP-EDC-01 does not exist")
    ]
    assert fake_ebay.state()["offers"] == []


def test_check_account_names_what_is_missing(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    fake_ebay.drop_policy("return_policy")

    # when
    with pytest.raises(ChannelError) as raised:
        EbayChannel(listing.account).check_account()

    # then
    assert raised.value.permanent
    assert "return_policy_id 6196948000" in str(raised.value)


def test_long_title_never_reaches_ebay(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    listing.sku.title_en = "x" * 81

    # when
    status = EbayChannel(listing.account).submit(listing, key="submit-1")

    # then
    assert status.state == "rejected"
    assert [(e.field, str(e.explanation)) for e in status.errors] == [
        ("title_en", "eBay allows at most 80 characters in a title; this one has 81.")
    ]
    assert fake_ebay.requests == []


def test_ebays_own_title_check_is_mapped_to_our_title(
    listing: Listing, fake_ebay: FakeEbay, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: our check bypassed, so that eBay itself refuses the title
    monkeypatch.setattr(rules, "validate", lambda sku, settings: [])
    listing.sku.title_en = "x" * 81

    # when
    status = EbayChannel(listing.account).submit(listing, key="submit-1")

    # then
    assert status.state == "rejected"
    assert [(e.field, e.code) for e in status.errors] == [("title_en", "25002")]
    assert fake_ebay.state()["listings"] == []


def test_rejection_is_mapped_to_our_fields(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    fake_ebay.set_faults(reject={"TERR-HORSE-01": payload("publish_error.json")["errors"]})

    # when
    status = EbayChannel(listing.account).submit(listing, key="submit-1")

    # then
    assert status.state == "rejected"
    assert [(e.field, e.code) for e in status.errors] == [
        ("material", "25002"),
        ("images", "25014"),
    ]
    assert status.errors[0].message.startswith("The item specific Material is missing.")
    assert str(status.errors[1].explanation) == "Check the product photos."


def test_retry_after_a_lost_offer_answer_makes_one_offer(
    listing: Listing, fake_ebay: FakeEbay
) -> None:
    # given: eBay creates the offer, then the answer is lost (503)
    fake_ebay.fail_after("POST", "/sell/inventory/v1/offer")
    channel = EbayChannel(listing.account)
    with pytest.raises(ChannelError) as raised:
        channel.submit(listing, key="submit-1")
    assert (raised.value.status, raised.value.permanent) == (503, False)
    assert len(fake_ebay.state()["offers"]) == 1

    # when
    status = channel.submit(listing, key="submit-1")

    # then
    state = fake_ebay.state()
    assert status.state == "live"
    assert len(state["offers"]) == 1
    assert len(state["listings"]) == 1
    assert status.reference == state["offers"][0]["offerId"]


def test_retry_after_a_publish_timeout_keeps_one_listing(
    listing: Listing, fake_ebay: FakeEbay, fast_retries: None
) -> None:
    # given: eBay publishes, but answers after the client has given up
    fake_ebay.fail_after("POST", "/sell/inventory/v1/offer/[0-9]+/publish", delay=1.5)
    channel = EbayChannel(listing.account)
    with pytest.raises(ChannelError) as raised:
        channel.submit(listing, key="submit-1")
    assert not raised.value.permanent
    assert "timed out" in str(raised.value)

    # when
    status = channel.submit(listing, key="submit-1")

    # then
    state = fake_ebay.state()
    assert len(state["offers"]) == 1
    assert len(state["listings"]) == 1
    assert status.external_id == state["listings"][0]["listingId"]


def test_rate_limit_carries_retry_after(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given: a token in hand, then eBay's quota runs out
    channel = EbayChannel(listing.account)
    channel.check_account()
    fake_ebay.set_faults(rate_limited=1, retry_after=7)

    # when
    with pytest.raises(ChannelError) as raised:
        channel.submit(listing, key="submit-1")

    # then
    assert (raised.value.status, raised.value.permanent, raised.value.retry_after) == (
        429,
        False,
        7.0,
    )
    assert [e.code for e in raised.value.field_errors] == ["2001"]


def test_server_error_is_transient(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    fake_ebay.set_faults(server_errors=1)

    # when
    with pytest.raises(ChannelError) as raised:
        EbayChannel(listing.account).submit(listing, key="submit-1")

    # then
    assert (raised.value.status, raised.value.permanent) == (503, False)
    assert fake_ebay.state()["offers"] == []


def test_timeout_is_transient(listing: Listing, fake_ebay: FakeEbay, fast_retries: None) -> None:
    # given
    fake_ebay.set_faults(delay=1.5)

    # when
    with pytest.raises(ChannelError) as raised:
        EbayChannel(listing.account).check_account()

    # then
    assert not raised.value.permanent
    assert "timed out" in str(raised.value)


def test_wrong_client_secret_is_permanent(
    gorakhpur: District, fake_ebay: FakeEbay, usd: ExchangeRate
) -> None:
    # given
    account = make_account(gorakhpur)
    account.credentials_encrypted = encrypt({**CREDENTIALS, "client_secret": "wrong"})

    # when
    with pytest.raises(ChannelError) as raised:
        EbayChannel(account).check_account()

    # then
    assert (raised.value.status, raised.value.permanent) == (401, True)
    assert "client id or secret" in str(raised.value)


def test_a_forgotten_token_is_fetched_again(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    live(listing)
    with fake_ebay.lock:
        fake_ebay.tokens.clear()

    # when
    status = EbayChannel(listing.account).poll(listing)

    # then
    assert status.state == "live"
    token_calls = [r for r in fake_ebay.requests if r.path == "/identity/v1/oauth2/token"]
    assert len(token_calls) == 2


def test_missing_token_gets_ebays_401(fake_ebay: FakeEbay) -> None:
    # when
    response = httpx.get(f"{fake_ebay.url}/sell/inventory/v1/offer?sku=X")

    # then
    assert response.status_code == 401
    assert response.json()["errors"][0]["errorId"] == 1001


# -- poll, stock, price, end -----------------------------------------------------------------


def test_never_live_stays_submitted(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    fake_ebay.set_faults(never_live=True)

    # when
    submitted = EbayChannel(listing.account).submit(listing, key="submit-1")
    listing.reference = submitted.reference
    polled = EbayChannel(listing.account).poll(listing)

    # then
    assert submitted.state == "submitted"
    assert polled.state == "submitted"
    assert polled.reference == fake_ebay.state()["offers"][0]["offerId"]


def test_poll_finds_the_live_listing_by_sku(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given: submitted, but our record of the offer id was lost
    live(listing)
    listing.reference = ""

    # when
    status = EbayChannel(listing.account).poll(listing)

    # then
    assert status.state == "live"
    assert status.reference == fake_ebay.state()["offers"][0]["offerId"]


def test_push_stock_sets_the_quantity(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    live(listing)

    # when
    EbayChannel(listing.account).push_stock(listing, 3, key="stock-1")

    # then
    state = fake_ebay.state()
    assert state["offers"][0]["availableQuantity"] == 3
    item = state["inventory_items"]["TERR-HORSE-01"]
    assert item["availability"] == {"shipToLocationAvailability": {"quantity": 3}}


def test_push_price_converts_the_new_price(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    live(listing)
    listing.sku.price = Decimal("1000.40")
    ExchangeRate.objects.filter(currency="USD").update(inr_per_unit=Decimal("80.0000"))

    # when
    EbayChannel(listing.account).push_price(listing, key="price-1")

    # then
    offer = fake_ebay.state()["offers"][0]
    assert offer["pricingSummary"]["price"] == {"value": "12.51", "currency": "USD"}


def test_push_price_without_a_rate_is_permanent(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    live(listing)
    ExchangeRate.objects.all().delete()

    # when
    with pytest.raises(ChannelError) as raised:
        EbayChannel(listing.account).push_price(listing, key="price-1")

    # then
    assert raised.value.permanent
    assert [e.field for e in raised.value.field_errors] == ["price"]


def test_end_withdraws_once(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    live(listing)
    channel = EbayChannel(listing.account)

    # when
    channel.end(listing, key="end-1")
    channel.end(listing, key="end-1")

    # then
    [offer] = fake_ebay.state()["offers"]
    assert (offer["status"], offer["listing"]["listingStatus"]) == ("UNPUBLISHED", "ENDED")
    withdrawals = [r for r in fake_ebay.requests if r.path.endswith("/withdraw")]
    assert len(withdrawals) == 1
    assert channel.poll(listing).state == "ended"


# -- orders ----------------------------------------------------------------------------------


def test_pull_orders_pages_through(
    listing: Listing, fake_ebay: FakeEbay, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr(ebay_channel, "ORDERS_PAGE", 2)
    live(listing)
    placed = [fake_ebay.place_order("TERR-HORSE-01", quantity) for quantity in (1, 2, 1)]

    # when
    orders = EbayChannel(listing.account).pull_orders(datetime(2020, 1, 1, tzinfo=UTC))

    # then
    assert [order.channel_order_id for order in orders] == [o["orderId"] for o in placed]
    assert [
        [(line.seller_sku, line.quantity, line.unit_price) for line in o.lines] for o in orders
    ] == [
        [("TERR-HORSE-01", 1, Decimal("11.41"))],
        [("TERR-HORSE-01", 2, Decimal("11.41"))],
        [("TERR-HORSE-01", 1, Decimal("11.41"))],
    ]
    assert {(o.currency, o.buyer_city, o.cancelled) for o in orders} == {("USD", "Austin", False)}
    offsets = [
        r.query["offset"][0] for r in fake_ebay.requests if r.path == "/sell/fulfillment/v1/order"
    ]
    assert offsets == ["0", "2"]
    assert fake_ebay.state()["offers"][0]["availableQuantity"] == 8


def test_duplicate_orders_come_once(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    live(listing)
    fake_ebay.place_order("TERR-HORSE-01", 1)
    fake_ebay.place_order("TERR-HORSE-01", 1)
    fake_ebay.set_faults(duplicate_orders=True)

    # when
    orders = EbayChannel(listing.account).pull_orders(datetime(2020, 1, 1, tzinfo=UTC))

    # then
    assert len(orders) == 2
    assert len({order.channel_order_id for order in orders}) == 2


def test_order_sample_reads_as_our_order(account: ChannelAccount) -> None:
    # when
    [raw] = payload("orders.json")["orders"]
    order = EbayChannel(account)._order(raw)

    # then
    assert order.channel_order_id == "07-12345-67890"
    assert order.ordered_at == datetime(2026, 10, 12, 8, 15, 30, tzinfo=UTC)
    assert order.ship_by == datetime(2026, 10, 17, 8, 15, 30, tzinfo=UTC)
    assert order.currency == "USD"
    assert [
        (line.seller_sku, line.quantity, line.unit_price, line.line_id) for line in order.lines
    ] == [("TERR-HORSE-01", 2, Decimal("11.41"), "10000000007")]
    assert order.buyer_city == "Austin"
    assert not order.cancelled


def test_cancel_order_cancels_once(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    live(listing)
    placed = fake_ebay.place_order("TERR-HORSE-01", 1)
    order = Order.objects.create(
        district=listing.account.district,
        account=listing.account,
        channel_order_id=placed["orderId"],
        ordered_at=datetime(2026, 10, 12, tzinfo=UTC),
        currency="USD",
    )
    channel = EbayChannel(listing.account)

    # when
    channel.cancel_order(order, "out of stock", key="cancel-1")
    channel.cancel_order(order, "out of stock", key="cancel-1")

    # then
    assert fake_ebay.state()["cancellations"] == [
        {
            "cancelId": fake_ebay.state()["cancellations"][0]["cancelId"],
            "legacyOrderId": placed["legacyOrderId"],
            "cancelReason": "OUT_OF_STOCK_OR_CANNOT_FULFILL",
        }
    ]
    [pulled] = channel.pull_orders(datetime(2020, 1, 1, tzinfo=UTC))
    assert pulled.cancelled


# -- the fake takes the samples --------------------------------------------------------------


def test_fake_takes_the_sample_bodies(fake_ebay: FakeEbay) -> None:
    # given
    with httpx.Client(base_url=fake_ebay.url) as client:
        token = client.post(
            "/identity/v1/oauth2/token",
            auth=(FakeEbay.CLIENT_ID, FakeEbay.CLIENT_SECRET),
            data={"grant_type": "refresh_token", "refresh_token": FakeEbay.REFRESH_TOKEN},
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}", "Content-Language": "en-US"}

        # when
        item = client.put(
            "/sell/inventory/v1/inventory_item/TERR-HORSE-01",
            json=payload("inventory_item.json"),
            headers=headers,
        )
        offer = client.post("/sell/inventory/v1/offer", json=payload("offer.json"), headers=headers)
        again = client.post("/sell/inventory/v1/offer", json=payload("offer.json"), headers=headers)
        published = client.post(
            f"/sell/inventory/v1/offer/{offer.json()['offerId']}/publish", headers=headers
        )
        bulk = client.post(
            "/sell/inventory/v1/bulk_update_price_quantity",
            json={
                "requests": [
                    {
                        **payload("bulk_update_price_quantity.json")["requests"][0],
                        "offers": [{"offerId": offer.json()["offerId"], "availableQuantity": 3}],
                    }
                ]
            },
            headers=headers,
        )

    # then
    assert set(token) == set(payload("token_response.json"))
    assert item.status_code == 204
    assert offer.status_code == 201
    assert again.status_code == 400
    assert again.json()["errors"][0]["errorId"] == 25002
    assert published.status_code == 200
    assert keys(fake_ebay.state()["offers"][0]) == keys(payload("get_offer_published.json"))
    assert bulk.json()["responses"][0]["statusCode"] == 200


def test_setup_samples_match_the_fake(account: ChannelAccount, fake_ebay: FakeEbay) -> None:
    # when
    with EbayChannel(account)._connect() as api:
        policies = api.call(
            "GET", "/sell/account/v1/fulfillment_policy", params={"marketplace_id": "EBAY_US"}
        ).json()
        location = api.call("GET", f"/sell/inventory/v1/location/{FakeEbay.LOCATION_KEY}").json()

    # then
    assert policies == payload("fulfillment_policies.json")
    assert location == payload("location.json")


def test_field_error_shape(listing: Listing, fake_ebay: FakeEbay) -> None:
    # given
    fake_ebay.set_faults(
        reject={"TERR-HORSE-01": [{"errorId": 25003, "message": "Invalid price."}]}
    )

    # when
    status = EbayChannel(listing.account).submit(listing, key="submit-1")

    # then
    assert [(e.field, e.code, e.message, str(e.explanation)) for e in status.errors] == [
        ("price", "25003", "Invalid price.", "Check the price and the exchange rate.")
    ]


# -- an order pull interrupted half-way -------------------------------------------------------


def _due_again(entry: OutboxEntry) -> None:
    """The retry's time has come (the backoff waited for it)."""
    OutboxEntry.objects.filter(pk=entry.pk).update(next_try_at=timezone.now())
    ChannelAccount.objects.update(next_call_at=None)


def _order_ids() -> list[str]:
    return sorted(Order.objects.values_list("channel_order_id", flat=True))


def test_a_pull_broken_on_page_two_goes_on_from_there_and_records_each_order_once(
    listing: Listing, fake_ebay: FakeEbay, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # given: three orders, two a page, and the second page times out once
    settings.CHANNEL_HTTP_TIMEOUT = 0.3
    monkeypatch.setattr(ebay_channel, "ORDERS_PAGE", 2)
    live(listing)
    held = listing.sku.stock or 0
    placed = [fake_ebay.place_order("TERR-HORSE-01", 1)["orderId"] for _ in range(3)]
    fake_ebay.set_faults(
        broken=r"GET /sell/fulfillment/v1/order\?.*offset=2",
        broken_kind="timeout",
        timeout_delay=0.6,
    )
    entry = do_request_orders(listing.account, acting_user=None)
    # when the pull runs: the first page comes home, the second times out
    outbox.run(entry.pk)
    # then the first page's orders are recorded, and the pull waits to retry
    entry.refresh_from_db()
    assert entry.state == "pending"
    assert _order_ids() == sorted(placed[:2])
    assert ChannelAccount.objects.get().orders_pulled_until is None
    # when it is tried again
    _due_again(entry)
    outbox.run(entry.pk)
    # then it went on from the second page: every order once, its stock taken once
    assert OutboxEntry.objects.get(pk=entry.pk).state == "done"
    assert _order_ids() == sorted(placed)
    assert Sku.objects.get(pk=listing.sku_id).stock == held - 3
    offsets = [
        r.query["offset"][0] for r in fake_ebay.requests if r.path == "/sell/fulfillment/v1/order"
    ]
    assert offsets == ["0", "2", "2"]
    assert ChannelAccount.objects.get().orders_pulled_until is not None


def test_after_a_pull_given_up_the_next_one_reads_what_it_missed(
    listing: Listing, fake_ebay: FakeEbay, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # given: a pull given up on its second page (out of attempts while eBay was down)
    settings.CHANNEL_MAX_ATTEMPTS = 1
    monkeypatch.setattr(ebay_channel, "ORDERS_PAGE", 2)
    live(listing)
    held = listing.sku.stock or 0
    placed = [fake_ebay.place_order("TERR-HORSE-01", 1)["orderId"] for _ in range(3)]
    fake_ebay.set_faults(broken=r"GET /sell/fulfillment/v1/order\?.*offset=2")
    given_up = do_request_orders(listing.account, acting_user=None)
    outbox.run(given_up.pk)
    assert OutboxEntry.objects.get(pk=given_up.pk).state == "failed"
    assert ChannelAccount.objects.get().orders_pulled_until is None
    # when the next scheduled pull runs
    ChannelAccount.objects.update(next_call_at=None)
    entry = do_request_orders(ChannelAccount.objects.get(), acting_user=None)
    outbox.run(entry.pk)
    # then it read the whole window again: the third order too, and none twice
    assert OutboxEntry.objects.get(pk=entry.pk).state == "done"
    assert _order_ids() == sorted(placed)
    assert Sku.objects.get(pk=listing.sku_id).stock == held - 3
