"""The public showcase in the browser: a buyer on a 360 px phone, in Hindi, finds a terracotta
horse, follows its Flipkart link and sends an enquiry, which reaches the centre's staff and, in
Hindi, the producer; the producer withdraws their consent and their product's address answers
410 Gone; staff record an MoU in Hindi and see its progress from the records. axe-core checks
every page."""

from __future__ import annotations

import importlib
import re
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, Route, expect

from e2e.conftest import (
    GORAKHPUR,
    Persona,
    axe_check,
    login,
    open_menu,
    producer_signs_in,
    switch_language,
)
from e2e.test_channels import fakes, marketplaces  # noqa: F401 - fixtures
from niryat.catalog.actions import do_add_sku, do_create_product
from niryat.catalog.models import Category, Product
from niryat.channels.actions import do_connect_account, do_record_fsn
from niryat.channels.models import Listing
from niryat.core.models import District, OdopProduct
from niryat.messaging.backends.base import Delivery as SmsMessage
from niryat.registry.actions import do_enable_producer_sign_in, do_register_producer
from niryat.registry.models import Consent, Kind, Producer
from niryat.showcase.actions import do_update_profile
from tests.catalog.factories import COMPLETE_SKU, run_tasks
from tests.channels.factories import add_ready_photo, drain
from tests.registry.factories import give_listing_consent

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "locale": "hi-IN"}
FSN = "TERFZ8GHYQ2HNXJM"
FLIPKART_URL = f"https://www.flipkart.com/product/p/itme?pid={FSN}"


def hi(message: str) -> str:
    with translation.override("hi"):
        return gettext(message)


@pytest.fixture
def showcase_templates(reference_data: Any) -> None:
    """The showcase's message template, put back as its migration puts it (the live server's
    tables are emptied after every test)."""
    seed = importlib.import_module("niryat.showcase.migrations.0002_enquiry_message_template")
    seed.add_template(apps, None)


@pytest.fixture
def ramu(gorakhpur_staff: Persona, media_root: Any, showcase_templates: None) -> Producer:
    """A Gorakhpur terracotta artisan who agreed to be listed and to be on the showcase."""
    staff = gorakhpur_staff.user
    gorakhpur = District.objects.get(lgd_code=GORAKHPUR)
    producer = do_register_producer(
        gorakhpur,
        {
            "kind": Kind.ARTISAN,
            "name_hi": "रामू प्रजापति",
            "name_latin": "Ramu Prajapati",
            "village": "Aurangabad",
            "pin": "273001",
            "mobile": "+919839012345",
            "odop_product": OdopProduct.objects.get(district=gorakhpur, name_en="Terracotta"),
        },
        acting_user=staff,
    )
    give_listing_consent(producer, staff)
    do_update_profile(
        producer,
        shown=True,
        agreed_on=timezone.localdate(),
        method=Consent.Method.PAPER,
        story_hi="हमारे गाँव में तीन पीढ़ियों से टेराकोटा बनता है।",
        story_en="Our village has made terracotta for three generations.",
        acting_user=staff,
    )
    return producer


@pytest.fixture
def horse(
    ramu: Producer,
    gorakhpur_staff: Persona,
    fakes: dict[str, Any],  # noqa: F811
) -> Product:
    """Ramu's terracotta horse, live on Flipkart through the centre's account."""
    staff = gorakhpur_staff.user
    product = do_create_product(
        ramu,
        acting_user=staff,
        category=Category.HANDICRAFTS,
        name_en="Terracotta horse",
        name_hi="टेराकोटा घोड़ा",
        hs_code="69139000",
        gst_rate="5",
        generic_name="Terracotta figurine",
        manufacturer_name="Ramu Prajapati",
        manufacturer_address="Aurangabad, Gorakhpur 273001",
    )
    add_ready_photo(product)
    sku = do_add_sku(
        product,
        acting_user=staff,
        **{
            **COMPLETE_SKU,
            "seller_sku": "TERR-HORSE-01",
            "description_hi": "औरंगाबाद गाँव, गोरखपुर का पारंपरिक टेराकोटा घोड़ा।",
            "price": Decimal("950.00"),
        },
    )
    flipkart = do_connect_account(
        district=District.objects.get(lgd_code=GORAKHPUR),
        channel="flipkart",
        name="EDC Gorakhpur on Flipkart",
        credentials={"application_id": "fk-app-0001", "application_secret": "fk-secret-0001"},
        settings={"location_id": "LOCGKP01"},
        producer=None,
        acting_user=staff,
    )
    listing = Listing.objects.create(sku=sku, account=flipkart)
    do_record_fsn(listing, FSN, acting_user=staff)
    drain()
    listing.refresh_from_db()
    assert (listing.state, listing.url) == ("live", FLIPKART_URL)
    return product


def test_buyer_in_hindi_finds_follows_and_enquires(
    new_context: Any,
    live_server: Any,
    horse: Product,
    ramu: Producer,
    gorakhpur_staff: Persona,
    sms_outbox: list[SmsMessage],
) -> None:
    phone: Page = new_context(**PHONE).new_page()
    # Flipkart is not on loopback: the browser is answered for it, as a buyer would land there.
    opened: list[str] = []

    def flipkart(route: Route) -> None:
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Flipkart</title>")

    phone.route("https://www.flipkart.com/**", flipkart)

    # The buyer opens the showcase in Hindi and searches for terracotta.
    phone.goto("/showcase/?lang=hi")
    expect(phone.locator("html")).to_have_attribute("lang", "hi")
    axe_check(phone)
    phone.get_by_label(hi("Search products or producers")).fill("टेराकोटा")
    phone.get_by_role("button", name=hi("Search")).click()
    expect(phone).to_have_url(re.compile(r"/showcase/search/\?q="))
    result = phone.get_by_role("link", name="टेराकोटा घोड़ा")
    expect(result).to_be_visible()
    axe_check(phone)

    # The product page: Hindi text, the maker's story, the Flipkart link.
    result.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("टेराकोटा घोड़ा")
    expect(phone.locator("main")).to_contain_text("हमारे गाँव में तीन पीढ़ियों से टेराकोटा बनता है।")
    buy = phone.get_by_role("link", name=hi("Buy on %(name)s") % {"name": "Flipkart"})
    expect(buy).to_have_attribute("href", FLIPKART_URL)
    photo = phone.locator(".sc-photos img").first
    expect(photo).to_have_attribute("srcset", re.compile(r"400\.jpg 400w, .*800\.jpg 800w"))
    axe_check(phone)
    product_url = phone.url
    buy.click()
    expect(phone).to_have_url(FLIPKART_URL)
    assert opened == [FLIPKART_URL]

    # Back on the product, the buyer sends a trade enquiry.
    phone.goto(product_url)
    phone.get_by_role("link", name=hi("Send a trade enquiry")).click()
    axe_check(phone)
    phone.get_by_label(hi("Your name")).fill("Anna Schmidt")
    phone.get_by_label(hi("Company"), exact=True).fill("Haus & Garten GmbH")
    phone.get_by_label(hi("Email")).fill("anna@example.com")
    phone.get_by_label(hi("Destination country")).select_option("DE")
    phone.get_by_label(hi("Quantity")).fill("200")
    phone.get_by_label(hi("Message")).fill("<script>alert('x')</script> 200 horses, blue glaze?")
    phone.get_by_role("button", name=hi("Send the enquiry")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        hi("Thank you: your enquiry was sent")
    )
    axe_check(phone)

    # The producer gets it in Hindi, by SMS.
    run_tasks()
    assert [message.to for message in sms_outbox] == ["+919839012345"]
    assert "टेराकोटा घोड़ा की 200 नग की पूछताछ" in sms_outbox[0].text

    # The centre's staff see it, answer it and follow it to a sample.
    desk = new_context().new_page()
    login(desk, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    desk.get_by_role("link", name="Enquiries").first.click()
    row = desk.locator("tbody tr", has_text="Anna Schmidt")
    expect(row).to_contain_text("Terracotta horse")
    expect(row).to_contain_text("new")
    axe_check(desk)
    row.get_by_role("link").click()
    expect(desk.locator(".details")).to_contain_text("<script>alert('x')</script>")
    desk.get_by_label("Where it stands").select_option("sample")
    desk.get_by_label("Answer or note").fill("Sample sent by India Post.")
    desk.get_by_role("button", name="Save").click()
    expect(desk.locator(".messages")).to_contain_text("The enquiry was updated.")
    expect(desk.locator(".details")).to_contain_text("sample sent")
    axe_check(desk)


def test_producer_withdraws_consent_and_leaves_the_showcase(
    new_context: Any,
    horse: Product,
    ramu: Producer,
    gorakhpur_staff: Persona,
    sms_outbox: list[SmsMessage],
) -> None:
    # A buyer has the product page open (and so it is in the cache).
    buyer: Page = new_context(**PHONE).new_page()
    buyer.goto(f"/showcase/products/{horse.uuid}/?lang=hi")
    expect(buyer.get_by_role("heading", level=1)).to_have_text("टेराकोटा घोड़ा")
    buyer.goto("/showcase/districts/148/")
    expect(buyer.get_by_role("link", name="टेराकोटा घोड़ा")).to_be_visible()
    axe_check(buyer)

    # The producer withdraws their consent on their phone, in Hindi.
    do_enable_producer_sign_in(ramu, acting_user=gorakhpur_staff.user)
    phone = new_context(**PHONE).new_page()
    producer_signs_in(phone, "98390 12345", sms_outbox)
    phone.get_by_role("link", name=hi("Withdraw my consent to be listed")).click()
    expect(phone.locator("#consequences")).to_contain_text(
        hi("The products leave the public showcase at once.")
    )
    phone.get_by_role("button", name=hi("Yes, withdraw my consent")).click()
    expect(phone.locator(".messages")).to_be_visible()

    # At once: the old address answers 410 Gone and says nothing of the product.
    response = buyer.goto(f"/showcase/products/{horse.uuid}/")
    assert response is not None
    assert response.status == 410
    expect(buyer.get_by_role("heading", level=1)).to_have_text(hi("No longer shown"))
    expect(buyer.locator("main")).not_to_contain_text("टेराकोटा घोड़ा")
    expect(buyer.locator("main")).not_to_contain_text("रामू")
    axe_check(buyer)
    buyer.goto("/showcase/districts/148/")
    expect(buyer.get_by_role("link", name="टेराकोटा घोड़ा")).to_have_count(0)
    buyer.goto("/showcase/search/?q=ramu")
    expect(buyer.get_by_role("link", name="टेराकोटा घोड़ा")).to_have_count(0)
    expect(buyer.locator("main")).to_contain_text(hi("No products found."))


def test_staff_record_an_mou_in_hindi_and_see_its_progress(
    new_context: Any,
    live_server: Any,
    horse: Product,
    gorakhpur_staff: Persona,
) -> None:
    # Staff on a phone, in Hindi, record the centre's MoU with Amazon and the khadi board.
    phone: Page = new_context(**PHONE).new_page()
    login(phone, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(phone, "hi")
    open_menu(phone)
    phone.get_by_role("link", name=hi("Partners and MoUs")).click()
    axe_check(phone)
    phone.get_by_role("link", name=hi("Record an MoU")).click()
    phone.get_by_label(hi("Partner"), exact=True).select_option(label="अमेज़न")
    phone.get_by_label(hi("Other parties")).fill("उत्तर प्रदेश खादी तथा ग्रामोद्योग बोर्ड")
    phone.get_by_label(hi("Title")).fill("कारीगर ऑनबोर्डिंग, गोरखपुर")
    phone.get_by_label(hi("Signed on")).fill("2026-04-01")
    phone.get_by_label(hi("Valid until")).fill("2027-03-31")
    axe_check(phone)
    phone.get_by_role("button", name=hi("Save")).click()
    expect(phone.locator(".messages")).to_contain_text(
        hi("The MoU was recorded. Add its commitments.")
    )

    # A commitment measured from the records: producers live on Flipkart, 500 by March.
    phone.get_by_label(hi("Commitment"), exact=True).fill("मार्च तक 500 कारीगर ऑनलाइन")
    phone.get_by_label(hi("Measured by")).select_option("sellers_live")
    phone.get_by_label(hi("Marketplace")).select_option("flipkart")
    phone.get_by_label(hi("Target")).fill("500")
    phone.get_by_label(hi("By"), exact=True).fill("2027-03-31")
    phone.get_by_role("button", name=hi("Add the commitment")).click()
    expect(phone.locator(".messages")).to_contain_text(hi("The commitment was added."))
    row = phone.locator("tbody tr", has_text="मार्च तक 500 कारीगर ऑनलाइन")
    # Ramu's horse is live on Flipkart: one artisan of 500.
    expect(row).to_contain_text("500 में से 1 (0 %)")
    axe_check(phone)
