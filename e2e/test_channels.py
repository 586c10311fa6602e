"""Marketplaces as centre staff use them, against the fake Amazon, Flipkart and eBay on loopback:
connect a Flipkart account, push khadi kurtas (one fails Flipkart's rules until fixed), record
the FSNs Seller Hub gives, see the listings go live, take an order whose stock drop reaches Amazon
and eBay, and push through a burst of 429s that ends live, once.

The task worker's part is played by the test (`drain`), with the clock moved past the waits
between retries rather than slept through."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login, switch_language
from fakes.amazon import FakeAmazon
from fakes.ebay import FakeEbay
from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET, FakeFlipkart
from niryat.catalog.actions import do_add_sku, do_create_product
from niryat.catalog.models import Category, Sku
from niryat.channels.actions import do_connect_account, do_push, do_set_exchange_rate
from niryat.channels.models import ChannelAccount, Listing
from niryat.core.models import District
from niryat.registry.actions import do_register_producer
from niryat.registry.models import Kind, Producer
from tests.catalog.factories import run_tasks
from tests.channels.factories import add_ready_photo, drain
from tests.registry.factories import give_listing_consent

pytestmark = pytest.mark.e2e

KURTA = {
    "colour": "white",
    "material": "cotton",
    "title_hi": "हाथ से कता खादी सूती कुर्ता, सफ़ेद",
    "bullets_en": "Handspun, handwoven cotton\nNatural dye-free white",
    "description_en": "A khadi kurta spun and woven by hand in Gorakhpur.",
    "attributes": {"yarn_count": "40s", "weave": "plain", "fibre": "cotton"},
    "mrp": Decimal("1400.00"),
    "price": Decimal("1100.00"),
    "net_quantity": Decimal(1),
    "weight_g": 350,
    "length_cm": Decimal("30.0"),
    "width_cm": Decimal("25.0"),
    "height_cm": Decimal("4.0"),
    "manufactured_on": datetime.date(2026, 10, 1),
    "stock": 5,
}


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
    settings.CHANNEL_ENDPOINTS = {
        **settings.CHANNEL_ENDPOINTS,
        "amazon": marketplaces["amazon"].url,
        "amazon_auth": marketplaces["amazon"].url,
        "flipkart": marketplaces["flipkart"].url,
        "ebay": marketplaces["ebay"].url,
    }
    settings.SITE_URL = "https://niryat.example.org"
    settings.CHANNEL_POLL_SECONDS = 5
    return marketplaces


@pytest.fixture
def khadi_unit(gorakhpur_staff: Persona, media_root: Any) -> Producer:
    unit = do_register_producer(
        District.objects.get(lgd_code=GORAKHPUR),
        {
            "kind": Kind.MSME,
            "name_hi": "गोरखपुर खादी ग्रामोद्योग",
            "name_latin": "Gorakhpur Khadi Gramodyog",
            "village": "Bargadwa",
            "pin": "273007",
            "mobile": "+919839054321",
        },
        acting_user=gorakhpur_staff.user,
    )
    return give_listing_consent(unit, gorakhpur_staff.user)


@pytest.fixture
def kurtas(khadi_unit: Producer, gorakhpur_staff: Persona) -> list[Sku]:
    """Two sizes of a khadi kurta, complete for the catalogue, with a processed photo. The L's
    price has paise, which Flipkart does not take."""
    staff = gorakhpur_staff.user
    product = do_create_product(
        khadi_unit,
        acting_user=staff,
        category=Category.KHADI,
        name_en="Khadi kurta",
        name_hi="खादी कुर्ता",
        hs_code="62052000",
        gst_rate="5",
        generic_name="Cotton kurta",
        manufacturer_name="Gorakhpur Khadi Gramodyog",
        manufacturer_address="Bargadwa, Gorakhpur 273007",
    )
    add_ready_photo(product)
    medium = do_add_sku(
        product,
        acting_user=staff,
        seller_sku="KHADI-KURTA-M",
        size="M",
        title_en="Handspun khadi cotton kurta, white, M",
        **KURTA,
    )
    large = do_add_sku(
        product,
        acting_user=staff,
        seller_sku="KHADI-KURTA-L",
        size="L",
        title_en="Handspun khadi cotton kurta, white, L",
        **{**KURTA, "price": Decimal("1149.50")},
    )
    return [medium, large]


@pytest.fixture
def live_elsewhere(fakes: dict[str, Any], kurtas: list[Sku], gorakhpur_staff: Persona) -> None:
    """The centre's Amazon and eBay accounts, with both kurtas already live there."""
    staff = gorakhpur_staff.user
    gorakhpur = District.objects.get(lgd_code=GORAKHPUR)
    do_set_exchange_rate("USD", Decimal("84.50"), acting_user=staff)
    amazon = do_connect_account(
        district=gorakhpur,
        channel="amazon",
        name="EDC Gorakhpur on Amazon",
        credentials={
            "client_id": "amzn1.application-oa2-client.edc",
            "client_secret": "amzn-secret",
            "refresh_token": "Atzr|edc-gorakhpur",
        },
        settings={"seller_id": "A2EDCGORAKHPUR", "marketplace_id": "A21TJRUUN4KGV"},
        producer=None,
        acting_user=staff,
    )
    ebay_fake = fakes["ebay"]
    ebay = do_connect_account(
        district=gorakhpur,
        channel="ebay",
        name="EDC Gorakhpur on eBay",
        credentials={
            "client_id": ebay_fake.CLIENT_ID,
            "client_secret": ebay_fake.CLIENT_SECRET,
            "refresh_token": ebay_fake.REFRESH_TOKEN,
        },
        settings={
            "marketplace_id": "EBAY_US",
            "currency": "USD",
            "merchant_location_key": ebay_fake.LOCATION_KEY,
            "fulfillment_policy_id": ebay_fake.FULFILLMENT_POLICY_ID,
            "payment_policy_id": ebay_fake.PAYMENT_POLICY_ID,
            "return_policy_id": ebay_fake.RETURN_POLICY_ID,
        },
        producer=None,
        acting_user=staff,
    )
    for account in (amazon, ebay):
        result = do_push(kurtas, account, acting_user=staff)
        assert result.not_ready == [], result.not_ready
    drain()
    assert set(Listing.objects.values_list("state", flat=True)) == {"live"}


def listing_report(fsns: dict[str, str]) -> bytes:
    """Seller Hub's listing report, as Flipkart gives it once it has catalogued the products."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Seller SKU Id", "Flipkart Serial Number", "Listing Status"])
    for code, fsn in fsns.items():
        sheet.append([code, fsn, "INACTIVE"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def connect_flipkart(page: Page) -> None:
    page.get_by_role("link", name="Marketplaces").first.click()
    page.locator("#accounts-heading + p").get_by_role("link", name="Flipkart", exact=True).click()
    page.get_by_label("account name").fill("EDC Gorakhpur on Flipkart")
    page.get_by_label("application id").fill(APPLICATION_ID)
    page.get_by_label("application secret").fill(APPLICATION_SECRET)
    page.get_by_label("pickup location id").fill("LOCGKP01")
    page.get_by_role("button", name="Check and connect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flipkart: EDC Gorakhpur on Flipkart")
    expect(page.get_by_text("stored, encrypted")).to_be_visible()
    assert APPLICATION_SECRET not in page.content()


def test_staff_list_khadi_on_flipkart_and_an_order_drops_stock_everywhere(
    page: Page,
    live_server: Any,
    gorakhpur_staff: Persona,
    fakes: dict[str, Any],
    kurtas: list[Sku],
    live_elsewhere: None,
    sms_outbox: list[Any],
) -> None:
    medium = kurtas[0]
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)

    # Connect the centre's Flipkart account: checked with Flipkart, the secret never shown again.
    connect_flipkart(page)
    axe_check(page)

    # Select the khadi SKUs for it: the L fails Flipkart's rules, with the reason.
    page.goto(f"{live_server.url}/channels/push/")
    page.get_by_label("Account", exact=True).select_option(
        label="Flipkart: EDC Gorakhpur on Flipkart"
    )
    page.get_by_label("Category", exact=True).select_option(label="Khadi")
    page.get_by_role("button", name="Show").click()
    rows = page.locator(".push-table tbody tr")
    expect(rows).to_have_count(2)
    large_row = rows.filter(has_text="KHADI-KURTA-L")
    expect(large_row).to_contain_text("Flipkart takes prices in whole rupees: remove the paise.")
    axe_check(page)

    # Fix it where the reason points, and come back: both ready.
    push_page = page.url
    large_row.get_by_role("link", name=re.compile("Fix")).first.click()
    page.get_by_label(re.compile(r"^\s*selling price", re.IGNORECASE)).fill("1150")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.goto(push_page)
    expect(rows.filter(has_text="KHADI-KURTA-L")).to_contain_text("ready")
    expect(rows.filter(has_text="KHADI-KURTA-M")).to_contain_text("ready")

    # Push: Flipkart does not know these products yet, so they wait for their FSN.
    page.get_by_role("button", name="Push selected").click()
    expect(page.get_by_role("alert").or_(page.locator(".messages"))).to_contain_text(
        "Flipkart does not know this product yet"
    )
    page.get_by_role("link", name="Marketplaces").first.click()
    page.get_by_role("link", name="EDC Gorakhpur on Flipkart").click()
    expect(page.get_by_text("2 listings wait for their FSN.")).to_be_visible()
    with page.expect_download() as sheet:
        page.get_by_role("link", name="Download the catalogue sheet").click()
    assert sheet.value.suggested_filename == "flipkart-catalogue.xlsx"

    # Seller Hub catalogued them: its listing report gives the FSNs, and the listings are sent.
    report = listing_report(
        {"KHADI-KURTA-M": "KTAFZ6Y3ZGBYHXVM", "KHADI-KURTA-L": "KTAFZ6Y3ZGBYHXVL"}
    )
    page.get_by_label("Seller Hub’s listing report (.xlsx)").set_input_files(
        files=[{"name": "listings.xlsx", "mimeType": "application/octet-stream", "buffer": report}]
    )
    page.get_by_role("button", name="Record the FSNs").click()
    expect(page.get_by_text("2 listings got their FSN and are being sent.")).to_be_visible()
    drain()

    # Both are live on Flipkart, with their history.
    page.goto(f"{live_server.url}/channels/listings/?channel=flipkart")
    expect(page.locator("tbody tr").filter(has_text="live")).to_have_count(2)
    page.get_by_role("link", name=re.compile("KHADI-KURTA-M")).first.click()
    expect(page.locator("main")).to_contain_text("KTAFZ6Y3ZGBYHXVM")
    expect(page.locator("main")).to_contain_text("submitted")
    axe_check(page)

    # A buyer orders one M on Flipkart; staff fetch orders.
    fakes["flipkart"].place_order("KHADI-KURTA-M", 1)
    page.goto(f"{live_server.url}/channels/")
    page.get_by_role("link", name="EDC Gorakhpur on Flipkart").click()
    page.get_by_role("button", name="Fetch orders now").click()
    drain()

    # It is in the order book, to pack; the producer was told in Hindi.
    page.get_by_role("link", name="Orders").first.click()
    order_row = page.locator("tbody tr").filter(has_text="Flipkart")
    expect(order_row).to_have_count(1)
    expect(order_row).to_contain_text("new")
    axe_check(page)
    run_tasks()  # the SMS goes out from the task queue
    assert [message.to for message in sms_outbox] == ["+919839054321"]
    assert "खादी" in sms_outbox[0].text

    # Stock is one number: 5 → 4, and Amazon and eBay offer 4 now.
    medium.refresh_from_db()
    assert medium.stock == 4
    amazon_quantity = fakes["amazon"].state()["listings"]["KHADI-KURTA-M"]["quantity"]
    ebay_offers = [
        offer for offer in fakes["ebay"].state()["offers"] if offer["sku"] == "KHADI-KURTA-M"
    ]
    assert amazon_quantity == 4
    assert [offer["availableQuantity"] for offer in ebay_offers] == [4]
    assert Listing.objects.get(sku=medium, account__channel="amazon").quantity_sent == 4

    # In Hindi too.
    switch_language(page, "hi")
    page.goto(f"{live_server.url}/channels/orders/")
    expect(page.locator("tbody tr")).to_have_count(1)
    axe_check(page)


def test_a_push_during_429s_ends_live_once(
    page: Page,
    live_server: Any,
    gorakhpur_staff: Persona,
    fakes: dict[str, Any],
    kurtas: list[Sku],
) -> None:
    medium = kurtas[0]
    flipkart = fakes["flipkart"]
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    connect_flipkart(page)
    Listing.objects.create(
        sku=medium,
        account=ChannelAccount.objects.get(channel="flipkart"),
        external_id="KTAFZ6Y3ZGBYHXVM",
    )

    # Flipkart is busy: the next three calls answer 429, Retry-After 2 s.
    flipkart.set_faults(rate_limited=3, retry_after=2)
    page.goto(f"{live_server.url}/channels/push/")
    page.get_by_label("Account", exact=True).select_option(
        label="Flipkart: EDC Gorakhpur on Flipkart"
    )
    page.get_by_label("Name or SKU code").fill("KHADI-KURTA-M")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("button", name="Push selected").click()
    drain()

    # Live, once: one listing on Flipkart, one "live" in its history.
    page.goto(f"{live_server.url}/channels/listings/?channel=flipkart")
    page.get_by_role("link", name=re.compile("KHADI-KURTA-M")).first.click()
    expect(page.locator("main")).to_contain_text("live")
    listing = Listing.objects.get(sku=medium)
    assert listing.state == "live"
    assert listing.events.filter(state_to="live").count() == 1
    assert list(flipkart.state()["listings"]) == ["KHADI-KURTA-M"]
    assert flipkart.faults.rate_limited == 0  # all three 429s were answered, and waited out
