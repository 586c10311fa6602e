"""One pipeline: what a producer or staff decide reaches every marketplace, over real HTTP to the
fake Amazon, Flipkart and eBay (withdrawn consent, erasure, deleted SKUs and products), and the
funnel moves by itself from the events that prove each stage."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from fakes.amazon import FakeAmazon
from fakes.ebay import FakeEbay
from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET, FakeFlipkart
from niryat.catalog.actions import do_delete_product, do_delete_sku, do_update_sku
from niryat.catalog.models import Product, Sku
from niryat.channels.actions import (
    do_connect_account,
    do_push,
    do_record_fsn,
    do_set_exchange_rate,
    sku_problems_for_channel,
)
from niryat.channels.ebay.api import forget_tokens
from niryat.channels.models import ChannelAccount, Listing, OutboxEntry
from niryat.core.models import District, User
from niryat.registry.actions import (
    do_erase_producer,
    do_merge_producers,
    do_record_consent,
)
from niryat.registry.models import Consent, Producer, Stage, StageChange
from tests.catalog.factories import add_sku, make_product
from tests.channels.factories import add_ready_photo, drain
from tests.conftest import client_for
from tests.registry.factories import give_listing_consent, register

FSN = "KTAFZ8GHYQ2HNXJM"


@pytest.fixture(scope="module")
def marketplaces() -> Iterator[dict[str, Any]]:
    fakes = {"amazon": FakeAmazon(), "flipkart": FakeFlipkart(), "ebay": FakeEbay()}
    for fake in fakes.values():
        fake.start()
    yield fakes
    for fake in fakes.values():
        fake.stop()


@pytest.fixture
def fakes(marketplaces: dict[str, Any], settings: Any) -> dict[str, Any]:
    for fake in marketplaces.values():
        fake.reset()
    forget_tokens()
    settings.CHANNEL_ENDPOINTS = {
        **settings.CHANNEL_ENDPOINTS,
        "amazon": marketplaces["amazon"].url,
        "amazon_auth": marketplaces["amazon"].url,
        "flipkart": marketplaces["flipkart"].url,
        "ebay": marketplaces["ebay"].url,
    }
    return marketplaces


@pytest.fixture
def accounts(fakes: dict[str, Any], gorakhpur: District, ganesh: User) -> list[ChannelAccount]:
    """The centre's seller accounts on the three fakes, connected as staff connect them."""
    do_set_exchange_rate("USD", Decimal("84.50"), acting_user=ganesh)
    ebay = fakes["ebay"]
    connect = [
        (
            "amazon",
            {
                "client_id": "amzn1.application-oa2-client.edc",
                "client_secret": "amzn-secret",
                "refresh_token": "Atzr|edc-gorakhpur",
            },
            {"seller_id": "A2EDCGORAKHPUR", "marketplace_id": "A21TJRUUN4KGV"},
        ),
        (
            "flipkart",
            {"application_id": APPLICATION_ID, "application_secret": APPLICATION_SECRET},
            {"location_id": "LOCGKP01"},
        ),
        (
            "ebay",
            {
                "client_id": ebay.CLIENT_ID,
                "client_secret": ebay.CLIENT_SECRET,
                "refresh_token": ebay.REFRESH_TOKEN,
            },
            {
                "marketplace_id": "EBAY_US",
                "currency": "USD",
                "merchant_location_key": ebay.LOCATION_KEY,
                "fulfillment_policy_id": ebay.FULFILLMENT_POLICY_ID,
                "payment_policy_id": ebay.PAYMENT_POLICY_ID,
                "return_policy_id": ebay.RETURN_POLICY_ID,
            },
        ),
    ]
    return [
        do_connect_account(
            district=gorakhpur,
            channel=channel,
            name="EDC Gorakhpur",
            credentials=credentials,
            settings=settings,
            producer=None,
            acting_user=ganesh,
        )
        for channel, credentials, settings in connect
    ]


def go_live(sku: Sku, accounts: list[ChannelAccount], ganesh: User) -> None:
    """Push the SKU to every account (Flipkart with the FSN Seller Hub gave) until it is live."""
    for account in accounts:
        if account.channel == "flipkart":
            listing = Listing.objects.create(sku=sku, account=account)
            do_record_fsn(listing, FSN, acting_user=ganesh)
        else:
            assert do_push([sku], account, acting_user=ganesh).not_ready == []
    drain()
    assert list(Listing.objects.filter(sku=sku).values_list("state", flat=True)) == ["live"] * 3


def on_sale(fakes: dict[str, Any], seller_sku: str) -> dict[str, bool]:
    """Where the fakes offer the SKU to buyers."""
    amazon = fakes["amazon"].state()["listings"]
    flipkart = fakes["flipkart"].state()["listings"]
    ebay = fakes["ebay"].state()["offers"]
    return {
        "amazon": seller_sku in amazon,
        "flipkart": flipkart.get(seller_sku, {}).get("requested_status") == "ACTIVE",
        "ebay": any(o["sku"] == seller_sku and o["status"] == "PUBLISHED" for o in ebay),
    }


EVERYWHERE = {"amazon": True, "flipkart": True, "ebay": True}
NOWHERE = {"amazon": False, "flipkart": False, "ebay": False}


@pytest.fixture
def kurta(khadi_sku: Sku) -> Sku:
    return khadi_sku


def test_withdrawn_consent_ends_every_listing_and_refuses_new_pushes(
    fakes: dict[str, Any], accounts: list[ChannelAccount], kurta: Sku, ganesh: User
) -> None:
    # given: the kurta is live on the three marketplaces
    go_live(kurta, accounts, ganesh)
    assert on_sale(fakes, "KHADI-KURTA-M") == EVERYWHERE
    producer = kurta.product.producer
    # and Flipkart is down for the next calls
    fakes["flipkart"].set_faults(server_errors=2, rate_limited=1, retry_after=1)
    # when: the producer withdraws their consent
    do_record_consent(
        producer,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=False,
        on=date(2026, 12, 6),
        method=Consent.Method.SELF,
        acting_user=ganesh,
    )
    # then: one end call per listing is queued, and once the worker has run, nothing is on sale
    ends = OutboxEntry.objects.filter(operation=OutboxEntry.Operation.END)
    assert ends.count() == 3
    drain()
    assert on_sale(fakes, "KHADI-KURTA-M") == NOWHERE
    assert set(Listing.objects.filter(sku=kurta).values_list("state", flat=True)) == {"ended"}
    assert set(ends.values_list("state", flat=True)) == {"done"}
    # and a new push is refused with the reason
    result = do_push([kurta], accounts[0], acting_user=ganesh)
    assert result.queued == []
    assert [str(p.message) for p in result.not_ready[0][1]][:1] == [
        "Gorakhpur Khadi Ashram has not given consent to be listed on marketplaces."
    ]


def test_the_push_page_marks_a_withdrawn_producers_skus_not_ready(
    accounts: list[ChannelAccount], kurta: Sku, ganesh: User
) -> None:
    producer = kurta.product.producer
    do_record_consent(
        producer,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=False,
        on=date(2026, 12, 6),
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    response = client_for(ganesh).get(f"/channels/push/?account={accounts[0].uuid}")
    text = response.content.decode()
    assert "has not given consent to be listed on marketplaces." in text
    assert reverse("producer_detail", args=[producer.uuid]) in text
    fresh = Sku.objects.get(pk=kurta.pk)
    assert sku_problems_for_channel(fresh, "amazon")[0].field == "listing_consent"


def test_erasing_a_producer_ends_their_listings(
    fakes: dict[str, Any], accounts: list[ChannelAccount], kurta: Sku, ganesh: User
) -> None:
    go_live(kurta, accounts, ganesh)
    # the erase page says what will end
    producer = kurta.product.producer
    page = client_for(ganesh).get(f"/producers/{producer.uuid}/erase/").content.decode()
    assert "KHADI-KURTA-M on Flipkart (live) will be ended." in page.replace(
        "Handspun khadi cotton kurta, white, M", "KHADI-KURTA-M"
    )
    do_erase_producer(producer, acting_user=ganesh)
    drain()
    assert on_sale(fakes, "KHADI-KURTA-M") == NOWHERE


def test_deleting_a_listed_sku_ends_its_listings_first_then_it_goes(
    fakes: dict[str, Any], accounts: list[ChannelAccount], kurta: Sku, ganesh: User
) -> None:
    go_live(kurta, accounts, ganesh)
    client = client_for(ganesh)
    # the confirmation page says what happens first
    page = client.get(f"/catalogue/skus/{kurta.uuid}/delete/").content.decode()
    for marketplace in ("Amazon", "Flipkart", "eBay"):
        assert f"KHADI-KURTA-M: its listing on {marketplace} is ended first." in page
    # while eBay answers with 5xx for a while
    fakes["ebay"].set_faults(server_errors=3)
    response = client.post(f"/catalogue/skus/{kurta.uuid}/delete/")
    assert response.status_code == 302
    # the SKU waits, unsellable, while the marketplaces end it
    kurta.refresh_from_db()
    assert kurta.deleting_since is not None
    with pytest.raises(Exception, match="being deleted"):
        do_update_sku(kurta, acting_user=ganesh, stock=9)
    detail = client.get(f"/catalogue/{kurta.product.uuid}/").content.decode()
    assert "being deleted" in detail
    drain()
    assert on_sale(fakes, "KHADI-KURTA-M") == NOWHERE
    assert not Sku.objects.filter(pk=kurta.pk).exists()
    assert not Listing.objects.filter(sku_id=kurta.pk).exists()
    # one withdrawal on eBay, whatever the faults
    offers = [o for o in fakes["ebay"].state()["offers"] if o["sku"] == "KHADI-KURTA-M"]
    assert [o["status"] for o in offers] == ["UNPUBLISHED"]


def test_deleting_an_unlisted_sku_is_at_once(ramu: Producer, ganesh: User) -> None:
    product = make_product(ramu, ganesh)
    sku = add_sku(product, ganesh, seller_sku="TERR-HORSE-09")
    page = client_for(ganesh).get(f"/catalogue/skus/{sku.uuid}/delete/").content.decode()
    assert "It is not listed on any marketplace. It is deleted at once" in page
    do_delete_sku(sku, acting_user=ganesh)
    assert not Sku.objects.filter(pk=sku.pk).exists()


def test_deleting_a_listed_product_waits_for_its_listings_then_goes(
    fakes: dict[str, Any], accounts: list[ChannelAccount], kurta: Sku, ganesh: User
) -> None:
    go_live(kurta, accounts, ganesh)
    product = kurta.product
    do_delete_product(product, acting_user=ganesh)
    product.refresh_from_db()
    assert product.deleting_since is not None
    drain()
    assert on_sale(fakes, "KHADI-KURTA-M") == NOWHERE
    assert not Product.objects.filter(pk=product.pk).exists()


def test_funnel_stages_advance_from_the_events_that_prove_them(
    fakes: dict[str, Any], accounts: list[ChannelAccount], gorakhpur: District, ganesh: User
) -> None:
    producer = give_listing_consent(
        register(gorakhpur, ganesh, name_hi="सीता देवी", mobile="+919839011111"), ganesh
    )
    assert producer.stage == Stage.CONTACTED
    # a product ready to sell: catalogued
    product = make_product(producer, ganesh)
    add_ready_photo(product)
    sku = add_sku(product, ganesh, seller_sku="TERR-HORSE-77")
    producer.refresh_from_db()
    assert producer.stage == Stage.CATALOGUED
    # a first live listing: listed
    do_push([sku], accounts[0], acting_user=ganesh)
    drain()
    producer.refresh_from_db()
    assert producer.stage == Stage.LISTED
    history = list(
        StageChange.objects.filter(producer=producer)
        .order_by("created_at", "id")
        .values_list("from_stage", "to_stage", "reason")
    )
    assert history[1:] == [
        ("contacted", "catalogued", f"Product “{product}” is ready to sell"),
        ("catalogued", "listed", "TERR-HORSE-77 went live on Amazon"),
    ]
    # staff's district funnel counts it
    funnel = client_for(ganesh).get("/funnel/").content.decode()
    assert "Listed" in funnel
    # staff who read Hindi read the history in Hindi, though the worker wrote it in English
    ganesh.language = "hi"
    ganesh.save(update_fields=["language"])
    page = client_for(ganesh).get(f"/producers/{producer.uuid}/").content.decode()
    history_rows = re.findall(r'<tr class="stage-change">.*?</tr>', page, re.S)
    assert "TERR-HORSE-77 Amazon पर लाइव हुआ" in history_rows[0]
    assert not any("went live" in row for row in history_rows)


def test_a_merge_moves_products_and_orders_to_the_kept_record(
    ramu: Producer, gorakhpur: District, ganesh: User
) -> None:
    twin = register(gorakhpur, ganesh, name_hi="रामू", mobile="+919839099999")
    product = make_product(twin, ganesh)
    sku = add_sku(product, ganesh, seller_sku="TERR-TWIN-01")
    do_merge_producers(ramu, twin, acting_user=ganesh)
    product.refresh_from_db()
    sku.refresh_from_db()
    assert (product.producer_id, sku.producer_id) == (ramu.pk, ramu.pk)
