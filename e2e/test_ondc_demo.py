"""The demo's ONDC story, as a visitor of `make run` plays it: the demo seeds Gorakhpur's node and
lists it in the fake registry; the fake buyer app orders a terracotta horse over real HTTP with
real signatures (what `curl -X POST localhost:8705/_fake/order` does); Gorakhpur's staff, on a
phone in Hindi, accept, pack, ship, send out for delivery and deliver it; the buyer app hears each
step, and the horse's stock is one less on Amazon too.

Then the buyer app pays for the order and sends its settlement reconciliation; staff and the
producer see the money on the payouts pages.

The task worker's part is played by the test (`run_tasks`, `drain`)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from e2e.conftest import axe_check, login, switch_language
from e2e.test_channels import fakes, marketplaces  # noqa: F401 - fixtures
from fakes.ondc_bap import FakeOndcBuyerApp
from fakes.ondc_registry import FakeOndcRegistry
from niryat.catalog.models import Sku
from niryat.channels.actions import do_set_order_state
from niryat.channels.ebay.api import forget_tokens as forget_ebay_tokens
from niryat.channels.flipkart.api import forget_tokens as forget_flipkart_tokens
from niryat.channels.models import Order
from niryat.core.dates import format_date
from niryat.core.demo import seed_demo
from niryat.core.models import User
from niryat.core.money import rupees
from niryat.payouts.models import Settlement
from niryat.site.demo import ONDC_SUBSCRIBER, seed
from tests.catalog.factories import run_tasks
from tests.channels.factories import drain

pytestmark = pytest.mark.e2e

PASSWORD = "demo-kiln-2026"


def mark_as(state: str) -> str:
    """The order page's button that moves an order to `state`, in Hindi."""
    with translation.override("hi"):
        return gettext("Mark as %(label)s") % {"label": str(Order.State(state).label)}


@pytest.fixture(scope="module")
def ondc_network() -> Iterator[tuple[FakeOndcRegistry, FakeOndcBuyerApp]]:
    registry, bap = FakeOndcRegistry(), FakeOndcBuyerApp()
    registry.start()
    bap.start()
    yield registry, bap
    bap.stop()
    registry.stop()


@pytest.fixture
def ondc_demo(
    reference_data: Any,
    fakes: dict[str, Any],  # noqa: F811
    media_root: Any,
    settings: Any,
    live_server: Any,
    ondc_network: tuple[FakeOndcRegistry, FakeOndcBuyerApp],
) -> FakeOndcBuyerApp:
    """`make run`'s demo, the ONDC node included, with the buyer app known to the registry as
    `python -m fakes` registers it."""
    registry, bap = ondc_network
    registry.reset()
    bap.reset()
    cache.clear()
    bap.register(registry.url)
    settings.ONDC_REGISTRY_URL = registry.url
    settings.ONDC_REGISTRY_ENCRYPTION_KEY = registry.encryption_public_key
    settings.ONDC_CALLBACK_RETRY_SECONDS = 0
    forget_ebay_tokens()
    forget_flipkart_tokens()
    settings.DEMO_MODE = True
    seed_demo(PASSWORD)
    report = seed(marketplaces=True, site=live_server.url, ondc_buyer_app=bap.url)
    assert any(ONDC_SUBSCRIBER in line for line in report.created), report.created
    return bap


def test_the_fake_buyer_app_orders_from_the_demo_node_and_hears_it_delivered(
    page: Page,
    live_server: Any,
    ondc_demo: FakeOndcBuyerApp,
    fakes: dict[str, Any],  # noqa: F811
) -> None:
    bap = ondc_demo
    horse = Sku.objects.get(seller_sku="GKP-HORSE-30")
    stock = horse.stock
    assert stock is not None
    amazon_before = fakes["amazon"].offered("GKP-HORSE-30")

    # A buyer in Bengaluru orders two horses through the buyer app.
    placed = bap.buy(ONDC_SUBSCRIBER, item="horse, handmade, 30", count=2, between=run_tasks)
    order_id = placed["on_confirm"]["message"]["order"]["id"]
    order = Order.objects.get(channel_order_id=order_id)
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [(horse, 2)]
    assert Sku.objects.get(pk=horse.pk).stock == stock - 2
    drain()
    assert fakes["amazon"].offered("GKP-HORSE-30") == amazon_before - 2

    # Gorakhpur's staff, on a phone in Hindi, take it from new to delivered.
    login(page, live_server, "gorakhpur.staff", PASSWORD)
    page.set_viewport_size({"width": 360, "height": 740})
    switch_language(page, "hi")
    page.goto(f"{live_server.url}/channels/orders/?channel=ondc")
    page.locator("main").get_by_text(order_id).click()
    expect(page.locator("main")).to_contain_text("ONDC")
    for state in ("accepted", "packed"):
        page.get_by_role("button", name=mark_as(state)).click()
        drain()
    page.get_by_label("कूरियर").fill("India Post")
    page.get_by_label("वेबिल (ट्रैकिंग नंबर)").fill("EK123456785IN")
    page.get_by_role("button", name="भेजा गया दर्ज करें").click()
    drain()
    page.get_by_role("button", name=mark_as("out_for_delivery")).click()
    drain()
    page.get_by_role("button", name=mark_as("delivered")).click()
    drain()
    expect(page.locator("main p").first).to_contain_text("पहुँचाया गया")
    axe_check(page)

    # The buyer app heard every step, signed by the node, the last "Order-delivered".
    told = [
        c.data
        for c in bap.received("on_status")
        if c.verified and c.context["transaction_id"] == placed["transaction_id"]
    ]
    assert [
        c["message"]["order"]["fulfillments"][0]["state"]["descriptor"]["code"] for c in told
    ] == [
        "Pending",
        "Packed",
        "Order-picked-up",
        "Out-for-delivery",
        "Order-delivered",
    ]
    assert Order.objects.get(pk=order.pk).state == "delivered"


def test_the_buyer_app_settles_a_delivered_order_and_staff_and_ramu_see_the_money(
    page: Page,
    new_context: Any,
    live_server: Any,
    ondc_demo: FakeOndcBuyerApp,
) -> None:
    """The buyer app pays for a delivered horse and sends its reconciliation (RSF 1.0
    receiver_recon); the node agrees, staff see the payout on the ONDC account's payouts page
    with the other marketplaces', and Ramu sees the money on his phone, in Hindi."""
    bap = ondc_demo
    add_rates = importlib.import_module("niryat.payouts.migrations.0002_tax_rates").add_rates
    add_rates(apps, None)  # a live-server test empties every table after it
    horse = Sku.objects.select_related("product").get(seller_sku="GKP-HORSE-30")
    placed = bap.buy(ONDC_SUBSCRIBER, item="horse, handmade, 30", count=1, between=run_tasks)
    order = Order.objects.get(channel_order_id=placed["on_confirm"]["message"]["order"]["id"])
    staff = User.objects.get(username="gorakhpur.staff")
    for state in ("accepted", "packed", "shipped", "out_for_delivery", "delivered"):
        extra = {"carrier": "India Post", "tracking_number": "EK123456785IN"}
        order = do_set_order_state(
            order, state, acting_user=staff, **(extra if state == "shipped" else {})
        )
        drain()

    # The buyer app pays the centre and says so; the node agrees with every figure.
    answer, sent = bap.settle(
        ONDC_SUBSCRIBER, [order.channel_order_id], gst_percent=str(horse.product.gst_rate)
    )
    assert answer.status_code == 200
    run_tasks()
    agreed = bap.wait_for("on_receiver_recon", message_id=sent["context"]["message_id"])
    assert agreed.verified
    assert agreed.data["message"]["orderbook"]["orders"][0]["counterparty_recon_status"] == "01"
    (sent_order,) = sent["message"]["orderbook"]["orders"]
    paid = Decimal(sent_order["payment"]["@ondc/org/settlement_details"][0]["settlement_amount"])

    # Staff find the ONDC account among the payouts and the payout on it, for Ramu.
    login(page, live_server, "gorakhpur.staff", PASSWORD)
    page.goto(f"{live_server.url}/payouts/")
    page.locator("main").get_by_role("link", name=re.compile("ONDC")).first.click()
    expect(page.locator("main")).to_contain_text("reconciliation messages")
    payout = page.locator(f"tr.settlement[data-settlement='{order.channel_order_id}']")
    expect(payout).to_contain_text(rupees(paid))
    expect(payout).to_contain_text("reconciliation message")
    ramu = horse.product.producer
    expect(page.locator(f"tr[data-producer='{ramu.uuid}'] .paid")).to_have_text(rupees(paid))
    expect(page.locator("main")).to_contain_text("Every order line adds up.")
    axe_check(page)

    # Ramu, on his phone in Hindi, sees the money reach his account.
    phone = new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    login(phone, live_server, "gorakhpur.producer", PASSWORD)
    switch_language(phone, "hi")
    phone.goto(f"{live_server.url}/producer/payments/")
    with translation.override("hi"):
        day = format_date(Settlement.objects.get().paid_on)
    expect(phone.locator(".arrivals")).to_contain_text(
        f"ऑर्डर #{order.channel_order_id} का {rupees(paid)} आपके खाते में {day} को आया।"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(phone)
