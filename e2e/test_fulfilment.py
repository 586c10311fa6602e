"""An order shipped as centre staff do it, against the fake Amazon on loopback: packed, then
shipped with the courier and waybill (asked and refused in Hindi first), the marketplace shows it
shipped with that tracking number, the courier's delivery comes back with the next fetch, and the
producer is "sold" in the funnel without anyone moving them.

The task worker's part is played by the test (`drain`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from e2e.conftest import Persona, axe_check, login, producer_signs_in, switch_language
from e2e.test_channels import (  # noqa: F401 - fixtures, shared with the channel story
    fakes,
    khadi_unit,
    kurtas,
    live_elsewhere,
    marketplaces,
)
from niryat.catalog.models import Sku
from niryat.channels.actions import do_request_orders
from niryat.channels.models import ChannelAccount, Order
from niryat.messaging.backends.base import Delivery as SmsMessage
from niryat.registry.actions import do_enable_producer_sign_in
from niryat.registry.models import Producer, StageChange
from tests.channels.factories import drain


def hi(message: str) -> str:
    with translation.override("hi"):
        return gettext(message)


pytestmark = pytest.mark.e2e

WAYBILL = "EM123456789IN"


def test_staff_ship_an_amazon_order_with_its_waybill_and_see_it_delivered(
    page: Page,
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    fakes: dict[str, Any],  # noqa: F811
    khadi_unit: Producer,  # noqa: F811
    kurtas: list[Sku],  # noqa: F811
    live_elsewhere: None,  # noqa: F811
    sms_outbox: list[SmsMessage],
) -> None:
    amazon = fakes["amazon"]
    account = ChannelAccount.objects.get(channel="amazon")
    # A buyer orders one M on Amazon; the order comes home.
    placed = amazon.place_order("KHADI-KURTA-M", 1)
    order_id = placed["AmazonOrderId"]
    do_request_orders(account, acting_user=gorakhpur_staff.user)
    drain()
    order = Order.objects.get(account=account, channel_order_id=order_id)

    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto(f"{live_server.url}/channels/orders/{order.uuid}/")
    page.get_by_role("button", name="Mark as accepted").click()
    page.get_by_role("button", name="Mark as packed").click()
    expect(page.locator("main")).to_contain_text("The order is now packed.")

    # In Hindi: shipping without a waybill is refused, with the reason.
    switch_language(page, "hi")
    page.get_by_label("कूरियर").fill("India Post")
    page.get_by_role("button", name="भेजा गया दर्ज करें").click()
    expect(page.locator("main")).to_contain_text(
        "Amazon को खरीदार को बताने के लिए कूरियर और वेबिल (ट्रैकिंग) नंबर चाहिए"
    )
    axe_check(page)
    order.refresh_from_db()
    assert order.state == "packed"

    # With the courier and waybill, it ships.
    page.get_by_label("कूरियर").fill("India Post")
    page.get_by_label("वेबिल (ट्रैकिंग नंबर)").fill(WAYBILL)
    page.get_by_role("button", name="भेजा गया दर्ज करें").click()
    expect(page.locator(".tracking-number")).to_have_text(WAYBILL)
    expect(page.locator("main")).to_contain_text("भेजा गया")
    drain()

    # Amazon shows it shipped with that tracking number, once.
    state = httpx.get(f"{amazon.url}/_fake/state").json()
    assert state["orders"][order_id]["OrderStatus"] == "Shipped"
    assert [(p["carrierCode"], p["trackingNumber"]) for p in state["shipments"][order_id]] == [
        ("India Post", WAYBILL)
    ]

    # The courier reports it out for delivery: staff mark it from a phone, in Hindi.
    page.set_viewport_size({"width": 360, "height": 740})
    out = page.get_by_role("button", name="“डिलीवरी के लिए निकला” के रूप में दर्ज करें")
    box = out.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 360
    out.click()
    expect(page.locator("main")).to_contain_text("ऑर्डर अब डिलीवरी के लिए निकला है।")
    axe_check(page)
    order.refresh_from_db()
    assert order.state == "out_for_delivery"
    page.set_viewport_size({"width": 1280, "height": 800})

    # The courier delivers it; the next fetch brings that home.
    moved = httpx.post(f"{amazon.url}/_fake/orders/{order_id}/status", json={"status": "delivered"})
    assert moved.status_code == 200
    switch_language(page, "en")
    page.goto(f"{live_server.url}/channels/accounts/{account.uuid}/")
    page.get_by_role("button", name="Fetch orders now").click()
    drain()
    page.goto(f"{live_server.url}/channels/orders/{order.uuid}/")
    expect(page.locator("main p").first).to_contain_text("delivered")
    expect(page.locator(".tracking-number")).to_have_text(WAYBILL)
    axe_check(page)

    switch_language(page, "hi")
    expect(page.locator("main p").first).to_contain_text("पहुँचाया गया")
    expect(page.locator("main")).to_contain_text("वेबिल (ट्रैकिंग नंबर)")

    # Nobody moved the producer along the funnel, yet their own page says "sold"...
    do_enable_producer_sign_in(khadi_unit, acting_user=gorakhpur_staff.user)
    phone = new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    producer_signs_in(phone, "98390 54321", sms_outbox)
    expect(phone.locator("#stages [aria-current=step]")).to_contain_text(hi("Sold"))
    history = StageChange.objects.filter(producer=khadi_unit, to_stage="sold").get()
    assert history.reason == f"Order {order_id} on Amazon was delivered"

    # ...and the district's funnel counts them there.
    switch_language(page, "en")
    page.goto(f"{live_server.url}/funnel/")
    expect(page.locator('#funnel-stages tr[data-stage="sold"] td').first).to_have_text("1")
