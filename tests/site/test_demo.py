"""The living demo (`manage.py seed_demo --marketplaces`), seeded against the real fake marketplaces
over HTTP: producers at every funnel stage, listings live on every fake, orders in every state;
a second run changes nothing, and a run after the fakes forgot everything restores the listings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from fakes.amazon import FakeAmazon
from fakes.ebay import FakeEbay
from fakes.flipkart import FakeFlipkart
from niryat.catalog.models import Product, ProductImage, Sku
from niryat.channels.ebay.api import forget_tokens as forget_ebay_tokens
from niryat.channels.flipkart.api import forget_tokens as forget_flipkart_tokens
from niryat.channels.management.commands.channels_sync import sync_once
from niryat.channels.models import (
    ChannelAccount,
    Consignment,
    Listing,
    ListingEvent,
    Order,
    OutboxEntry,
    StockMove,
)
from niryat.channels.secrets import encrypt
from niryat.core.demo import DEMO_DISTRICTS, seed_demo
from niryat.core.models import AuditEntry, User
from niryat.registry.models import Consent, Membership, Producer, Stage
from niryat.showcase.models import Exhibition
from niryat.site.demo import (
    CENTRE_PHONE,
    Seeded,
    demo_credentials,
    demo_producers,
    drain_outbox,
    seed,
)
from tests.conftest import client_for

GORAKHPUR = DEMO_DISTRICTS[0]
PASSWORD = "demo password 123"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def marketplaces() -> Iterator[dict[str, Any]]:
    fakes = {"amazon": FakeAmazon(), "flipkart": FakeFlipkart(), "ebay": FakeEbay()}
    for fake in fakes.values():
        fake.start()
    yield fakes
    for fake in fakes.values():
        fake.stop()


def forget(fakes: dict[str, Any]) -> None:
    """The fakes restarted: they hold nothing, and know none of the tokens we hold."""
    for fake in fakes.values():
        fake.reset()
    forget_ebay_tokens()
    forget_flipkart_tokens()


@pytest.fixture
def fakes(marketplaces: dict[str, Any], settings: Any, tmp_path: Path, db: None) -> dict[str, Any]:
    forget(marketplaces)
    settings.MEDIA_ROOT = tmp_path / "media"
    # Amazon takes photo addresses in https only (make run sets the same).
    settings.SITE_URL = "https://niryat.example.org"
    settings.CHANNEL_ENDPOINTS = {
        **settings.CHANNEL_ENDPOINTS,
        "amazon": marketplaces["amazon"].url,
        "amazon_auth": marketplaces["amazon"].url,
        "flipkart": marketplaces["flipkart"].url,
        "ebay": marketplaces["ebay"].url,
    }
    return marketplaces


def on_sale(fakes: dict[str, Any]) -> dict[str, list[str]]:
    """The seller SKUs each fake offers to buyers."""
    amazon = fakes["amazon"].state()["listings"]
    flipkart = fakes["flipkart"].state()["listings"]
    ebay = fakes["ebay"].state()["offers"]
    return {
        "amazon": sorted(amazon),
        "flipkart": sorted(
            code for code, item in flipkart.items() if item.get("requested_status") == "ACTIVE"
        ),
        "ebay": sorted(o["sku"] for o in ebay if o["status"] == "PUBLISHED"),
    }


LIVE_ON_FAKES = {
    "amazon": [
        "GKP-DIYA-12",
        "GKP-HORSE-30",
        "GKP-HORSE-45",
        "GKP-LAMP-01",
        "GKP-VASE-01",
        "MBD-POT-01",
        "VNS-DUPATTA-01",
    ],
    "flipkart": ["GKP-HORSE-30", "GKP-LAMP-01", "LKO-CHIKAN-01"],
    "ebay": ["GKP-HORSE-30", "GKP-LAMP-01", "GKP-VASE-01", "MBD-POT-01"],
}


def seed_everything() -> Seeded:
    seed_demo(PASSWORD)
    return seed(marketplaces=True)


def rows() -> dict[str, int]:
    """How many records the demo touches, table by table."""
    models = (
        User,
        Producer,
        Consent,
        Membership,
        Product,
        Sku,
        ProductImage,
        ChannelAccount,
        Listing,
        ListingEvent,
        OutboxEntry,
        Order,
        StockMove,
        Consignment,
        AuditEntry,
    )
    return {model.__name__: model.objects.count() for model in models}


def writes(fakes: dict[str, Any]) -> dict[str, int]:
    return {
        name: sum(1 for r in fake.requests if r.method in WRITES) for name, fake in fakes.items()
    }


def test_the_demo_shows_every_stage_live_listings_and_orders_in_every_state(
    fakes: dict[str, Any],
) -> None:
    # when
    report = seed_everything()

    # then: producers at every stage of the funnel, moved there by the events that prove them
    stages = {key: producer.stage for key, producer in demo_producers().items()}
    assert set(stages.values()) == set(Stage.values)
    assert stages["mohan"] == Stage.CONTACTED
    assert stages["kamla"] == Stage.SENSITISED
    assert stages["geeta"] == Stage.REGISTERED
    assert stages["sunita"] == Stage.TRAINED
    assert stages["kashi"] == Stage.CATALOGUED  # ready, but no consent to be listed
    assert stages["laxmi"] == Stage.LISTED
    assert stages["ramu"] == Stage.SOLD
    assert stages["matikala"] == Stage.EXPORTING
    # every listed producer agreed to it
    listed = Producer.objects.filter(products__skus__listings__state="live").distinct()
    assert listed.count() == 6
    assert all(p.listing_consent for p in listed)
    # an SHG with its three members
    assert demo_producers()["laxmi"].memberships.count() == 3
    # seed 000: Gorakhpur's online garment exhibition, planned (it says when it opens)
    fair = Exhibition.objects.get(event__district__lgd_code=148)
    assert [hall.name_en for hall in fair.halls.all()] == ["Womenswear", "Menswear"]
    public = Client().get(f"/showcase/exhibitions/{fair.uuid}/").content.decode()
    assert "Gorakhpur readymade garments: online exhibition" in public
    assert "The exhibition opens on" in public
    # photos through the imaging pipeline: complete products, and one left incomplete
    completeness = dict(Product.objects.values_list("name_en", "completeness"))
    assert completeness["Terracotta horse"] == 100
    assert completeness["Terracotta wall plate"] < 100
    assert ProductImage.objects.filter(status="ready", quality_score__gte=90).count() == 8

    # listings live on every fake, and the Flipkart one waiting for its FSN
    assert on_sale(fakes) == LIVE_ON_FAKES
    assert Listing.objects.filter(state="live").count() == 14
    waiting = Listing.objects.get(sku__seller_sku="GKP-DIYA-12", account__channel="flipkart")
    assert (waiting.state, waiting.external_id) == ("draft", "")
    refused = Listing.objects.get(sku__seller_sku="GKP-PLATE-01")
    assert refused.state == "draft"

    # orders in every state, the shipped one with its waybill
    assert sorted(Order.objects.values_list("state", flat=True)) == [
        "accepted",
        "cancelled",
        "delivered",
        "delivered",
        "new",
        "packed",
        "returned",
        "shipped",
    ]
    shipped = Order.objects.get(state="shipped")
    assert (shipped.carrier, shipped.tracking_number) == ("India Post", "EM123456785IN")
    assert set(StockMove.objects.values_list("reason", flat=True)) == {
        "order",
        "cancelled",
        "returned",
        "consignment",
        "edit",
    }
    assert Consignment.objects.get().lines.get().quantity == 4
    # every call reached the marketplaces (or gave way to a later one with the same news)
    assert not OutboxEntry.objects.exclude(state__in=["done", "superseded"]).exists()

    # the demo producer account is Ramu, and sees Ramu's orders
    producer_user = User.objects.get(username="gorakhpur.producer")
    assert demo_producers()["ramu"].user == producer_user
    assert producer_user.full_name == "रामू प्रजापति"
    # and Ramu's page gives his centre's number to call; Varanasi's staff are asked for theirs
    assert CENTRE_PHONE in client_for(producer_user).get("/").content.decode()
    assert (
        'id="centre-phone-prompt"'
        in client_for(User.objects.get(username="varanasi.staff")).get("/").content.decode()
    )
    ramu_orders = Order.objects.filter(producer=demo_producers()["ramu"])
    assert ramu_orders.count() == 7
    page = client_for(producer_user).get("/channels/orders/").content.decode()
    assert all(order.channel_order_id in page for order in ramu_orders)
    assert report.created[0] == "created 15 producers and 9 products with 10 SKUs"

    # when: seeded again, with the fakes as they are
    before, calls = rows(), writes(fakes)
    again = seed_everything()

    # then: nothing changed, here or on the marketplaces, and it says the demo exists
    assert again.created == []
    assert again.existed == [
        "producers and products",
        "14 live listings, all shown on the fakes",
        "orders",
    ]
    assert rows() == before
    assert writes(fakes) == calls
    assert on_sale(fakes) == LIVE_ON_FAKES


def fetch_every_accounts_orders() -> None:
    """What channels_sync does every minute in make run, and the task worker after it."""
    sync_once()
    drain_outbox()


def assert_only_gorakhpur_has_its_orders(fakes: dict[str, Any], before: dict[str, str]) -> None:
    assert not Order.objects.filter(producer=None).exists()
    assert set(Order.objects.values_list("district__lgd_code", flat=True)) == {GORAKHPUR}
    assert dict(Order.objects.values_list("channel_order_id", "state")) == before
    # the marketplaces cancelled only the demo's own cancelled order (Flipkart's lamp)
    cancelled = {name: len(fake.state()["cancellations"]) for name, fake in fakes.items()}
    assert cancelled == {"amazon": 0, "flipkart": 1, "ebay": 0}


def test_each_district_fetches_only_its_own_orders(fakes: dict[str, Any]) -> None:
    # given: the demo, its orders all Gorakhpur's
    seed_everything()
    before = dict(Order.objects.values_list("channel_order_id", "state"))
    accounts = ChannelAccount.objects.all()
    # each account is its own seller on its marketplace (its own refresh token or application)
    identities = {
        (a.channel, a.credentials().get("refresh_token") or a.credentials()["application_id"])
        for a in accounts
    }
    assert len(identities) == accounts.count() == 7
    amazon = accounts.filter(channel="amazon")
    assert len({a.settings["seller_id"] for a in amazon}) == amazon.count() == 3

    # when: every account fetches its orders
    fetch_every_accounts_orders()

    # then: no other district got Gorakhpur's orders, none was cancelled back
    assert_only_gorakhpur_has_its_orders(fakes, before)


def test_a_demo_seeded_with_shared_credentials_gets_each_districts_own(
    fakes: dict[str, Any],
) -> None:
    # given: a demo seeded when every district's accounts had Gorakhpur's credentials
    seed_everything()
    before = dict(Order.objects.values_list("channel_order_id", "state"))
    for account in ChannelAccount.objects.exclude(district__lgd_code=GORAKHPUR):
        credentials, settings = demo_credentials(GORAKHPUR, account.channel)
        account.credentials_encrypted = encrypt(credentials)
        account.settings = settings
        account.save()

    # when: seeded again, then every account fetches its orders
    seed_everything()
    fetch_every_accounts_orders()

    # then: each district has its own credentials again, and only its own orders
    for account in ChannelAccount.objects.all():
        district = account.district.lgd_code
        assert (account.credentials(), account.settings) == demo_credentials(
            district, account.channel
        )
    assert_only_gorakhpur_has_its_orders(fakes, before)


def test_a_run_after_the_fakes_forgot_everything_lists_again(fakes: dict[str, Any]) -> None:
    # given: the demo, then the fakes restarted (as on every make run)
    seed_everything()
    forget(fakes)
    assert on_sale(fakes) == {"amazon": [], "flipkart": [], "ebay": []}
    orders = Order.objects.count()

    # when
    report = seed_everything()

    # then: every live listing is on sale again, and nothing else was made twice
    assert report.created == ["pushed 14 live listings again: their fake had forgotten them"]
    assert on_sale(fakes) == LIVE_ON_FAKES
    assert Listing.objects.filter(state="live").count() == 14
    assert Order.objects.count() == orders


def test_demo_mode_says_what_fsn_to_type_and_the_listing_goes_live(
    fakes: dict[str, Any], settings: Any
) -> None:
    seed_everything()
    staff = User.objects.get(username="gorakhpur.staff")
    waiting = Listing.objects.get(sku__seller_sku="GKP-DIYA-12", account__channel="flipkart")
    address = f"/channels/listings/{waiting.uuid}/"
    fsn = f"DEMO{waiting.uuid.hex[:12].upper()}"
    hint = f"Demo mode: Flipkart here is the local fake, which accepts any FSN of 16 letters and digits. Type {fsn} and save"  # noqa: E501

    # outside demo mode, nothing is said
    settings.DEMO_MODE = False
    assert hint not in client_for(staff).get(address).content.decode()

    # in demo mode the page says what to type; typed, the listing goes live on the fake
    settings.DEMO_MODE = True
    assert hint in client_for(staff).get(address).content.decode()
    client_for(staff).post(address, {"record_fsn": "1", "fsn": fsn})
    drain_outbox()
    waiting.refresh_from_db()
    assert (waiting.state, waiting.external_id) == ("live", fsn)
    assert "GKP-DIYA-12" in on_sale(fakes)["flipkart"]


def test_the_command_prints_the_password_once_then_that_the_demo_exists(
    fakes: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("seed_demo", password=PASSWORD)
    first = capsys.readouterr().out
    assert f"    password: {PASSWORD}" in first
    assert "Demo: created 15 producers and 9 products with 10 SKUs." in first

    call_command("seed_demo")
    second = capsys.readouterr().out
    assert PASSWORD not in second
    assert "The demo exists already (producers and products)." in second
