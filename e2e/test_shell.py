"""The shell as people use it: staff turn a producer's sign-in on and the producer signs in on
their phone and finds only their things in the menu; the staff's home lists the day's work; and
on a phone (360 × 740) the header stays small on the pages used most, in English and Hindi."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from e2e.conftest import (
    GORAKHPUR,
    Persona,
    axe_check,
    login,
    odop_product,
    open_menu,
    switch_language,
)
from niryat.catalog.actions import do_add_sku, do_create_product
from niryat.channels.models import ChannelAccount, Listing, Order, OrderLine
from niryat.core.models import Centre, District
from niryat.messaging.backends.base import Delivery as SmsMessage
from niryat.registry.actions import do_register_producer
from niryat.registry.models import Kind, Producer

LANGUAGES = ["en", "hi"]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
# The header may take at most this share of a phone's screen height.
HEADER_SHARE = 0.15


def hi(message: str) -> str:
    with translation.override("hi"):
        return gettext(message)


def text_in(language: str, message: str) -> str:
    return hi(message) if language == "hi" else message


def ramu(staff: Persona) -> Producer:
    return do_register_producer(
        District.objects.get(lgd_code=GORAKHPUR),
        {
            "kind": Kind.ARTISAN,
            "name_hi": "रामू प्रजापति",
            "name_latin": "Ramu Prajapati",
            "odop_product": odop_product(GORAKHPUR, "Terracotta"),
            "village": "औरंगाबाद",
            "pin": "273001",
            "mobile": "+919876543210",
        },
        acting_user=staff.user,
    )


def a_day_of_work(staff: Persona, producer: Producer) -> dict[str, Any]:
    """An order to pack by this afternoon and a listing Flipkart rejected."""
    product = do_create_product(
        producer,
        category="handicrafts",
        name_en="Terracotta horse",
        name_hi="टेराकोटा घोड़ा",
        acting_user=staff.user,
    )
    sku = do_add_sku(
        product,
        title_en="Terracotta horse, 30 cm",
        price=Decimal("450.00"),
        mrp=Decimal("500.00"),
        stock=4,
        acting_user=staff.user,
    )
    account = ChannelAccount.objects.create(
        district=producer.district, channel="flipkart", name="EDC Gorakhpur"
    )
    order = Order.objects.create(
        district=producer.district,
        account=account,
        producer=producer,
        channel_order_id="OD-DUE-1",
        ordered_at=timezone.now() - datetime.timedelta(days=1),
        ship_by=timezone.now() - datetime.timedelta(hours=1),
    )
    OrderLine.objects.create(
        order=order, sku=sku, seller_sku=sku.seller_sku, quantity=2, unit_price=450
    )
    listing = Listing.objects.create(
        sku=sku, account=account, state="rejected", external_id="TSHFZ6Y3ZGBYHXVZ"
    )
    return {"order": order, "listing": listing, "sku": sku}


def header_share(page: Page) -> float:
    box = page.locator("header.site-header").bounding_box()
    assert box is not None
    return float(box["height"]) / 740


def test_staff_turn_sign_in_on_and_the_producer_sees_only_their_things(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    craft_activities: None,
    sms_outbox: list[SmsMessage],
) -> None:
    Centre.objects.filter(district__lgd_code=GORAKHPUR).update(phone="0551 220 1234")
    producer = ramu(gorakhpur_staff)
    a_day_of_work(gorakhpur_staff, producer)

    # Staff turn Ramu's sign-in on from his page.
    page = new_context().new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto(f"/producers/{producer.uuid}/")
    expect(page.locator("#sign-in-state")).to_have_text("Sign-in is off")
    page.get_by_role("button", name="Turn their sign-in on and send them an SMS").click()
    expect(page.locator(".message")).to_contain_text("They got an SMS with the address.")
    expect(page.locator("#sign-in-state")).to_have_text("Sign-in is on")
    axe_check(page)
    assert len(sms_outbox) == 1
    assert "/producer/sign-in/" in sms_outbox[0].text
    assert "साइन इन" in sms_outbox[0].text  # in Hindi

    # Ramu signs in on his phone with the code from the SMS (in Hindi, the producers' default).
    phone = new_context(**PHONE).new_page()
    phone.goto("/producer/sign-in/")
    phone.locator("#id_mobile").fill("98765 43210")
    phone.locator("main form button[type=submit]").click()
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text)
    assert code is not None, sms_outbox[-1].text
    phone.locator("#id_code").fill(code.group(1))
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(f"{live_server.url}/")
    expect(phone.locator("html")).to_have_attribute("lang", "hi")
    assert header_share(phone) < HEADER_SHARE

    # His menu holds his things only.
    open_menu(phone)
    links = phone.get_by_role("navigation").get_by_role("link")
    expect(links).to_have_text(
        [
            hi("My page"),
            hi("My orders"),
            hi("My payments"),
            hi("My products"),
            hi("My feedback"),
            hi("Call the centre: %(phone)s") % {"phone": "0551 220 1234"},
        ]
    )
    expect(links.last).to_have_attribute("href", "tel:0551 220 1234")
    axe_check(phone)
    links.nth(1).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(hi("What to pack"))
    expect(phone.locator(".pack-list")).to_contain_text("OD-DUE-1")
    open_menu(phone)
    phone.get_by_role("navigation").get_by_role("link", name=hi("My products")).click()
    expect(phone.locator("#my-products")).to_contain_text("टेराकोटा घोड़ा")
    axe_check(phone)
    # No staff page opens for him.
    response = phone.goto("/producers/")
    assert response is not None
    assert response.status == 403


def test_staff_home_lists_a_due_order_and_a_rejected_listing(
    page: Page, live_server: Any, gorakhpur_staff: Persona, craft_activities: None
) -> None:
    producer = ramu(gorakhpur_staff)
    work = a_day_of_work(gorakhpur_staff, producer)
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto("/")
    orders = page.locator("#today-orders")
    expect(orders).to_contain_text("1 to pack and ship")
    expect(orders).to_contain_text("1 late")
    listings = page.locator("#today-listings")
    expect(listings).to_contain_text("1 Rejected by the marketplace")
    axe_check(page)

    orders.get_by_role("link", name=re.compile("OD-DUE-1")).click()
    expect(page).to_have_url(f"{live_server.url}/channels/orders/{work['order'].uuid}/")
    page.go_back()
    page.locator("#today-listings").get_by_role(
        "link", name=re.compile(work["sku"].seller_sku)
    ).click()
    expect(page).to_have_url(f"{live_server.url}/channels/listings/{work['listing'].uuid}/")
    page.go_back()
    page.locator("#today-listings").get_by_role("link", name=re.compile("Rejected")).click()
    expect(page).to_have_url(re.compile(r"/channels/listings/\?state=rejected$"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_stays_small_on_a_phone(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    craft_activities: None,
    language: str,
) -> None:
    producer = ramu(gorakhpur_staff)
    a_day_of_work(gorakhpur_staff, producer)
    page = new_context(**PHONE).new_page()
    page.goto("/login/")
    assert header_share(page) < HEADER_SHARE
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, language)
    for path in ("/", "/producers/", "/catalogue/", "/channels/orders/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        share = header_share(page)
        assert share < HEADER_SHARE, f"{path} in {language}: the header takes {share:.0%}"
        axe_check(page)
    # The folded menu opens with the keyboard, every link on screen, and is accessible open too.
    page.goto("/channels/orders/")
    page.locator("details.site-menu summary").focus()
    page.keyboard.press("Enter")
    links = page.get_by_role("navigation").get_by_role("link")
    expect(links.first).to_be_visible()
    for link in links.all():
        box = link.bounding_box()
        assert box is not None
        assert 0 <= box["x"] <= box["x"] + box["width"] <= 360
    axe_check(page)
    # The orders list starts with the status and the pack-by date.
    headings = page.locator("main table thead th")
    expect(headings.nth(0)).to_have_text(text_in(language, "Status"))
    expect(headings.nth(1)).to_have_text(text_in(language, "Pack and ship by"))


def test_on_a_wide_screen_the_menu_is_open_without_a_button(
    page: Page, live_server: Any, gorakhpur_staff: Persona
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    expect(page.locator("details.site-menu summary")).to_be_hidden()
    expect(page.get_by_role("navigation").get_by_role("link", name="Producers")).to_be_visible()
    expect(page.locator("#language-select")).to_be_visible()
