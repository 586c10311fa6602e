"""Stock converges, as centre staff see it: a khadi kurta live on Amazon, Flipkart and eBay, a
Flipkart order comes in, staff cancel it on the order page, the worker runs, and every fake
marketplace offers the stock Niryat shows on the product page (Flipkart too, though it adds the
cancelled unit back on its own). Then someone changes the quantity in Flipkart's Seller Hub, staff
check the quantities from the account page, and the listing says it was corrected.

The task worker's part is played by the test (`drain`), as in e2e/test_channels.py, whose
marketplace and catalogue fixtures this file uses."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login, switch_language
from e2e.test_channels import (  # noqa: F401 - fixtures
    fakes,
    khadi_unit,
    kurtas,
    live_elsewhere,
    marketplaces,
)
from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET
from niryat.catalog.models import Sku
from niryat.channels.actions import do_connect_account, do_push, do_request_orders
from niryat.channels.models import Listing, Order
from niryat.core.models import District
from tests.channels.factories import drain

pytestmark = pytest.mark.e2e

FSNS = {"KHADI-KURTA-M": "KTAFZ6Y3ZGBYHXVM", "KHADI-KURTA-L": "KTAFZ6Y3ZGBYHXVL"}


def stock_on_product_page(page: Page, live_server: Any, sku: Sku) -> int:
    page.goto(f"{live_server.url}/catalogue/{sku.product.uuid}/")
    row = page.locator("tbody tr").filter(has_text=sku.seller_sku)
    return int(row.locator("td").nth(5).inner_text())


def test_staff_cancel_a_flipkart_order_and_every_marketplace_offers_niryats_stock(
    page: Page,
    live_server: Any,
    gorakhpur_staff: Persona,
    fakes: dict[str, Any],  # noqa: F811
    kurtas: list[Sku],  # noqa: F811
    live_elsewhere: None,  # noqa: F811
) -> None:
    medium = kurtas[0]
    staff = gorakhpur_staff.user
    # given: the kurtas live on Flipkart too (their FSNs recorded), 5 M in stock
    flipkart = do_connect_account(
        district=District.objects.get(lgd_code=GORAKHPUR),
        channel="flipkart",
        name="EDC Gorakhpur on Flipkart",
        credentials={"application_id": APPLICATION_ID, "application_secret": APPLICATION_SECRET},
        settings={"location_id": "LOCGKP01"},
        producer=None,
        acting_user=staff,
    )
    for sku in kurtas:
        Listing.objects.create(sku=sku, account=flipkart, external_id=FSNS[sku.seller_sku])
    do_push(kurtas, flipkart, acting_user=staff)
    drain()
    assert {fake.offered("KHADI-KURTA-M") for fake in fakes.values()} == {5}

    # and a buyer orders one M on Flipkart, which comes home: 4 everywhere
    fakes["flipkart"].place_order("KHADI-KURTA-M", 1)
    do_request_orders(flipkart, acting_user=None)
    drain()
    order = Order.objects.get(account=flipkart)
    assert {fake.offered("KHADI-KURTA-M") for fake in fakes.values()} == {4}

    # when: staff cancel it on the order page
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto(f"{live_server.url}/channels/orders/{order.uuid}/")
    page.get_by_label("Why is the order cancelled?").fill("The kurta was damaged in the wash")
    page.get_by_role("button", name="Cancel the order").click()
    expect(page.locator("main")).to_contain_text("cancelled")
    axe_check(page)
    # and the worker runs
    drain()

    # then: Niryat shows 5 in stock, and every marketplace offers 5, Flipkart too
    shown = stock_on_product_page(page, live_server, medium)
    assert shown == 5
    assert {code: fake.offered("KHADI-KURTA-M") for code, fake in fakes.items()} == {
        "amazon": shown,
        "flipkart": shown,
        "ebay": shown,
    }
    assert len(fakes["flipkart"].state()["cancellations"]) == 1

    # when: someone sets the M to 9 in Flipkart's Seller Hub, and staff check the quantities
    fakes["flipkart"].set_offered("KHADI-KURTA-M", 9)
    page.goto(f"{live_server.url}/channels/accounts/{flipkart.uuid}/")
    page.get_by_role("button", name="Check quantities now").click()
    expect(page.locator(".messages, [role=alert]").first).to_contain_text(
        "will be checked in a moment"
    )
    drain()

    # then: Flipkart offers 5 again, and the listing says what was found and corrected
    assert fakes["flipkart"].offered("KHADI-KURTA-M") == 5
    page.goto(f"{live_server.url}/channels/listings/?channel=flipkart")
    row = page.locator("tbody tr").filter(has_text="KHADI-KURTA-M")
    expect(row).to_contain_text("quantity corrected")
    row.get_by_role("link", name="KHADI-KURTA-M").click()
    expect(page.locator("main")).to_contain_text("Flipkart offered 9, we hold 5: corrected")
    axe_check(page)
    switch_language(page, "hi")
    expect(page.locator("main")).to_contain_text(
        "Flipkart पर 9 दिख रहे थे, हमारे पास 5 हैं: ठीक किया गया"
    )
