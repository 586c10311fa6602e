"""Two centres, two seller accounts on the same marketplace: each fetches only its own orders,
over real HTTP to the fake Amazon, Flipkart and eBay. Before, every account with the same made-up
credentials received every order, found SKUs it did not know and cancelled them back ("Not sold
here"), cancelling the other centre's real orders on the marketplace."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET
from niryat.catalog.models import Sku
from niryat.channels.actions import do_push, do_request_orders
from niryat.channels.amazon import api as amazon_api
from niryat.channels.amazon import channel as amazon_channel
from niryat.channels.ebay import channel as ebay_channel
from niryat.channels.ebay.api import forget_tokens as forget_ebay_tokens
from niryat.channels.flipkart.api import forget_tokens as forget_flipkart_tokens
from niryat.channels.models import ChannelAccount, ExchangeRate, Listing, Order
from niryat.channels.secrets import encrypt
from niryat.core.models import District, User
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.channels.factories import add_ready_photo, drain
from tests.registry.factories import give_listing_consent, register

FSNS = {"TERR-HORSE-01": "TERFZ8GHYQ2HNXJM", "VNS-TOY-01": "TOYFZ8GHYQ2HNXJM"}


@pytest.fixture(autouse=True)
def fresh_tokens() -> None:
    amazon_api.tokens.clear()
    amazon_channel._order_items.clear()
    forget_ebay_tokens()
    forget_flipkart_tokens()
    ebay_channel._setup_checked.clear()


def credentials(channel: str, fake: Any, centre: str) -> tuple[dict[str, str], dict[str, str]]:
    """Each centre's own seller account: its own refresh token, application or eBay user."""
    if channel == "amazon":
        return (
            {
                "client_id": "amzn1.application-oa2-client.niryat",
                "client_secret": "amzn1.oa2-cs.v1.secret",
                "refresh_token": f"Atzr|IwEBI{centre}Edc",
            },
            {"seller_id": f"A2{centre.upper()}01", "marketplace_id": "A21TJRUUN4KGV"},
        )
    if channel == "flipkart":
        app_id, secret = (APPLICATION_ID, APPLICATION_SECRET)
        if centre != "Gorakhpur":
            app_id, secret = f"fk-app-{centre.lower()}", f"fk-secret-{centre.lower()}"
            fake.add_application(app_id, secret)
        return (
            {"application_id": app_id, "application_secret": secret},
            {"location_id": f"LOC{centre.upper()}01"},
        )
    refresh_token = fake.REFRESH_TOKEN
    if centre != "Gorakhpur":
        refresh_token += f"#u^{centre.lower()}_edc"
    return (
        {
            "client_id": fake.CLIENT_ID,
            "client_secret": fake.CLIENT_SECRET,
            "refresh_token": refresh_token,
        },
        {
            "marketplace_id": "EBAY_US",
            "currency": "USD",
            "merchant_location_key": fake.LOCATION_KEY,
            "fulfillment_policy_id": fake.FULFILLMENT_POLICY_ID,
            "payment_policy_id": fake.PAYMENT_POLICY_ID,
            "return_policy_id": fake.RETURN_POLICY_ID,
        },
    )


@pytest.fixture
def toy_sku(varanasi: District, vani: User) -> Sku:
    """A Varanasi toy maker's wooden horse, complete, with a photo."""
    maker = register(varanasi, vani, name_hi="काशी खिलौना समूह", mobile="+919839067890")
    give_listing_consent(maker, vani)
    product = make_product(maker, vani, name_en="Wooden toy horse", name_hi="लकड़ी का घोड़ा")
    add_ready_photo(product)
    return add_sku(product, vani, seller_sku="VNS-TOY-01")


def listed(sku: Sku, district: District, channel: str, fake: Any, user: User) -> ChannelAccount:
    """The district's own account on `channel`, with `sku` live on it."""
    centre = district.name_en
    secrets, settings = credentials(channel, fake, centre)
    account = ChannelAccount.objects.create(
        district=district,
        channel=channel,
        name=f"EDC {centre} on {channel}",
        credentials_encrypted=encrypt(secrets),
        settings=settings,
    )
    if channel == "flipkart":  # Flipkart knows the product from the catalogue sheet
        Listing.objects.create(sku=sku, account=account, external_id=FSNS[sku.seller_sku])
    do_push([sku], account, acting_user=user)
    drain()
    assert Listing.objects.get(sku=sku, account=account).state == "live"
    return account


@pytest.mark.parametrize("channel", ["amazon", "flipkart", "ebay"])
def test_two_centres_on_one_marketplace_each_fetch_only_their_own_orders(
    channel: str,
    request: pytest.FixtureRequest,
    fast_retries: None,
    gorakhpur: District,
    varanasi: District,
    horse_sku: Sku,
    toy_sku: Sku,
    ramu: Producer,
    ganesh: User,
    vani: User,
) -> None:
    # given: Gorakhpur's horse and Varanasi's toy, each on its centre's own account
    fake = request.getfixturevalue(f"fake_{channel}")
    ExchangeRate.objects.create(currency="USD", inr_per_unit=Decimal("83.2500"))
    gorakhpur_account = listed(horse_sku, gorakhpur, channel, fake, ganesh)
    varanasi_account = listed(toy_sku, varanasi, channel, fake, vani)
    # and a buyer orders one of each
    fake.place_order("TERR-HORSE-01", 1)
    fake.place_order("VNS-TOY-01", 1)

    # when: both accounts fetch their orders, as channels_sync does
    for account in (gorakhpur_account, varanasi_account):
        do_request_orders(account, acting_user=None)
    drain()

    # then: each centre has its own order, with its producer, and nothing was cancelled
    got = {
        account.district.name_en: [
            (line.seller_sku, order.producer.name_hi if order.producer else None, order.state)
            for order in account.orders.all()
            for line in order.lines.all()
        ]
        for account in (gorakhpur_account, varanasi_account)
    }
    assert got == {
        "Gorakhpur": [("TERR-HORSE-01", "रामू प्रजापति", "new")],
        "Varanasi": [("VNS-TOY-01", "काशी खिलौना समूह", "new")],
    }
    assert Order.objects.count() == 2
    assert fake.state()["cancellations"] == []


def test_another_sellers_order_is_not_found_on_amazon(fake_amazon: Any) -> None:
    # given: Gorakhpur's listing, ordered by a buyer
    def token(refresh_token: str) -> str:
        answer = httpx.post(
            f"{fake_amazon.url}/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": "amzn1.application-oa2-client.niryat",
                "client_secret": "secret",
            },
        )
        return str(answer.json()["access_token"])

    gorakhpur, varanasi = token("Atzr|gorakhpur"), token("Atzr|varanasi")
    listing = {
        "productType": "HOME",
        "attributes": {
            "item_name": [{"value": "Terracotta horse"}],
            "main_product_image_locator": [{"media_location": "https://example.org/h.jpg"}],
            "purchasable_offer": [
                {"currency": "INR", "our_price": [{"schedule": [{"value_with_tax": 950}]}]}
            ],
            "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
        },
    }
    path = "/listings/2021-08-01/items/A2GORAKHPUR01/TERR-HORSE-01"
    httpx.put(f"{fake_amazon.url}{path}", json=listing, headers={"x-amz-access-token": gorakhpur})
    httpx.get(f"{fake_amazon.url}{path}", headers={"x-amz-access-token": gorakhpur})
    order_id = fake_amazon.place_order("TERR-HORSE-01", 1)["AmazonOrderId"]

    # when: each seller asks for it
    def get(token: str) -> httpx.Response:
        return httpx.get(
            f"{fake_amazon.url}/orders/v0/orders/{order_id}", headers={"x-amz-access-token": token}
        )

    # then: only its seller sees it
    assert get(gorakhpur).json()["payload"]["AmazonOrderId"] == order_id
    assert (get(varanasi).status_code, get(varanasi).json()["errors"][0]["code"]) == (
        404,
        "NotFound",
    )
