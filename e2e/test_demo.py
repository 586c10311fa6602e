"""The living demo, as a visitor of `make run` meets it: seeded against the fake marketplaces, the
Gorakhpur centre's staff sign in with the demo password and find live listings and orders in every
state, and the Flipkart listing waiting for its FSN says what to type in demo mode; the demo
producer signs in and sees their own orders.

The task worker's part is played by the seeding itself and by `drain_outbox`."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import login
from e2e.test_channels import fakes, marketplaces  # noqa: F401 - fixtures
from niryat.channels.ebay.api import forget_tokens as forget_ebay_tokens
from niryat.channels.flipkart.api import forget_tokens as forget_flipkart_tokens
from niryat.channels.models import Listing, Order
from niryat.core.demo import seed_demo
from niryat.site.demo import drain_outbox, seed

pytestmark = pytest.mark.e2e

PASSWORD = "demo-kiln-2026"


@pytest.fixture
def demo(
    reference_data: Any,
    fakes: dict[str, Any],  # noqa: F811
    media_root: Any,
    settings: Any,
) -> dict[str, Any]:
    forget_ebay_tokens()
    forget_flipkart_tokens()
    settings.DEMO_MODE = True
    seed_demo(PASSWORD)
    seed(marketplaces=True)
    return fakes


def test_gorakhpur_staff_find_live_listings_orders_and_the_fsn_to_type(
    page: Page, live_server: Any, demo: dict[str, Any]
) -> None:
    login(page, live_server, "gorakhpur.staff", PASSWORD)

    # Live listings on the three marketplaces
    page.goto(f"{live_server.url}/channels/listings/?state=live")
    main = page.locator("main")
    for code in ("GKP-HORSE-30", "GKP-LAMP-01", "GKP-VASE-01"):
        expect(main).to_contain_text(code)
    expect(main).not_to_contain_text("VNS-DUPATTA-01")  # Varanasi's, not theirs

    # Orders in every state, the shipped one with its waybill
    page.goto(f"{live_server.url}/channels/orders/")
    for state in ("new", "accepted", "packed", "shipped", "delivered", "cancelled", "returned"):
        expect(main).to_contain_text(re.compile(state, re.IGNORECASE))
    shipped = Order.objects.get(state="shipped")
    page.goto(f"{live_server.url}/channels/orders/{shipped.uuid}/")
    expect(main).to_contain_text("EM123456785IN")

    # The Flipkart listing waiting for its FSN says what to type; typed, it goes live
    waiting = Listing.objects.get(sku__seller_sku="GKP-DIYA-12", account__channel="flipkart")
    fsn = f"DEMO{waiting.uuid.hex[:12].upper()}"
    page.goto(f"{live_server.url}/channels/listings/{waiting.uuid}/")
    expect(page.locator("#demo-fsn")).to_contain_text(f"Type {fsn} and save")
    page.locator("#id_fsn").fill(fsn)
    page.get_by_role("button", name="Save the FSN").click()
    expect(main).to_contain_text("FSN saved.")
    drain_outbox()
    assert "GKP-DIYA-12" in demo["flipkart"].state()["listings"]
    page.reload()
    expect(page.locator("#demo-fsn")).to_have_count(0)


def test_the_demo_producer_signs_in_and_sees_their_orders(
    page: Page, live_server: Any, demo: dict[str, Any]
) -> None:
    login(page, live_server, "gorakhpur.producer", PASSWORD)
    page.goto(f"{live_server.url}/channels/orders/")
    main = page.locator("main")
    theirs = Order.objects.filter(producer__user__username="gorakhpur.producer")
    assert theirs.count() == 7
    for order in theirs:
        expect(main).to_contain_text(order.channel_order_id)
    # Another producer's order is not shown
    other = Order.objects.exclude(producer__user__username="gorakhpur.producer").get()
    expect(main).not_to_contain_text(other.channel_order_id)
