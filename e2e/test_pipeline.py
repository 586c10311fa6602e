"""One pipeline, in the browser: a producer withdraws their consent on their phone, in Hindi, and
every listing ends on every fake marketplace; staff delete a listed SKU and are told its listings
end first, and they do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from e2e.conftest import Persona, axe_check, login, producer_signs_in
from e2e.test_channels import (  # noqa: F401 - fixtures
    fakes,
    khadi_unit,
    kurtas,
    live_elsewhere,
    marketplaces,
)
from niryat.catalog.actions import do_update_sku
from niryat.catalog.models import Sku
from niryat.channels.actions import do_connect_account, do_record_fsn
from niryat.channels.models import Listing
from niryat.core.models import District
from niryat.messaging.backends.base import Delivery as SmsMessage
from niryat.registry.actions import do_enable_producer_sign_in
from niryat.registry.models import Producer
from tests.channels.factories import drain
from tests.conftest import GORAKHPUR

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
FSNS = {"KHADI-KURTA-M": "KTAFZ8GHYQ2HNXJM", "KHADI-KURTA-L": "KTAFZ8GHYQ2HNXJL"}


def hi(message: str) -> str:
    with translation.override("hi"):
        return gettext(message)


@pytest.fixture
def live_everywhere(
    fakes: dict[str, Any],  # noqa: F811
    kurtas: list[Sku],  # noqa: F811
    live_elsewhere: None,  # noqa: F811
    gorakhpur_staff: Persona,
) -> list[Sku]:
    """Both kurtas live on Amazon, eBay and (with the FSNs Seller Hub gave) Flipkart."""
    staff = gorakhpur_staff.user
    flipkart = do_connect_account(
        district=District.objects.get(lgd_code=GORAKHPUR),
        channel="flipkart",
        name="EDC Gorakhpur on Flipkart",
        credentials={"application_id": "fk-app-0001", "application_secret": "fk-secret-0001"},
        settings={"location_id": "LOCGKP01"},
        producer=None,
        acting_user=staff,
    )
    # Flipkart takes whole rupees: the L's price loses its paise first.
    do_update_sku(kurtas[1], acting_user=staff, price=Decimal("1150.00"))
    for sku in kurtas:
        listing = Listing.objects.create(sku=sku, account=flipkart)
        do_record_fsn(listing, FSNS[sku.seller_sku], acting_user=staff)
    drain()
    assert list(Listing.objects.values_list("state", flat=True)) == ["live"] * 6
    return kurtas


def offered(fakes: dict[str, Any], seller_sku: str) -> list[str]:  # noqa: F811
    """The fake marketplaces that offer the SKU to buyers."""
    found = []
    if seller_sku in fakes["amazon"].state()["listings"]:
        found.append("amazon")
    flipkart = fakes["flipkart"].state()["listings"].get(seller_sku, {})
    if flipkart.get("requested_status") == "ACTIVE":
        found.append("flipkart")
    if any(
        offer["sku"] == seller_sku and offer["status"] == "PUBLISHED"
        for offer in fakes["ebay"].state()["offers"]
    ):
        found.append("ebay")
    return found


def test_producer_withdraws_consent_and_every_listing_ends(
    new_context: Any,
    live_server: Any,
    fakes: dict[str, Any],  # noqa: F811
    live_everywhere: list[Sku],
    khadi_unit: Producer,  # noqa: F811
    gorakhpur_staff: Persona,
    sms_outbox: list[SmsMessage],
) -> None:
    assert offered(fakes, "KHADI-KURTA-M") == ["amazon", "flipkart", "ebay"]
    do_enable_producer_sign_in(khadi_unit, acting_user=gorakhpur_staff.user)

    # The producer signs in on their phone, in Hindi.
    phone = new_context(**PHONE).new_page()
    producer_signs_in(phone, "98390 54321", sms_outbox)
    expect(phone.locator("html")).to_have_attribute("lang", "hi")

    # Withdrawing first shows what will end: six listings, each named.
    phone.get_by_role("link", name=hi("Withdraw my consent to be listed")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        hi("Withdraw my consent to be listed")
    )
    consequences = phone.locator("#consequences li")
    expect(consequences).to_have_count(6)
    expect(consequences.first).to_contain_text("Amazon")
    axe_check(phone)
    # Nothing ends before the producer confirms.
    assert Listing.objects.filter(state="live").count() == 6
    phone.get_by_role("button", name=hi("Yes, withdraw my consent")).click()
    expect(phone.locator(".messages")).to_contain_text(
        hi(
            "Your consent is withdrawn. Your listings are being taken off every marketplace; "
            "nothing new is listed."
        )
    )

    # Once the worker has run, no marketplace offers the kurtas.
    drain()
    for sku in live_everywhere:
        assert offered(fakes, sku.seller_sku) == []
    assert set(Listing.objects.values_list("state", flat=True)) == {"ended"}

    # Staff's push page refuses them, with the reason.
    page = new_context().new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto("/channels/push/")
    page.get_by_label("Account", exact=True).select_option(label="Amazon: EDC Gorakhpur on Amazon")
    page.get_by_role("button", name="Show").click()
    rows = page.locator(".push-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(
        "Gorakhpur Khadi Gramodyog has not given consent to be listed on marketplaces."
    )


def test_staff_delete_a_listed_sku_and_its_listings_end_first(
    page: Page,
    live_server: Any,
    fakes: dict[str, Any],  # noqa: F811
    live_everywhere: list[Sku],
    gorakhpur_staff: Persona,
) -> None:
    medium = live_everywhere[0]
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto(f"/catalogue/{medium.product.uuid}/")
    page.get_by_role("link", name="Delete KHADI-KURTA-M").click()

    # Staff are told the listings end first.
    consequences = page.locator("#consequences li")
    expect(consequences).to_have_count(3)
    for marketplace in ("Amazon", "Flipkart", "eBay"):
        expect(page.locator("#consequences")).to_contain_text(
            f"KHADI-KURTA-M: its listing on {marketplace} is ended first."
        )
    axe_check(page)
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".messages")).to_contain_text(
        "Its listings are being ended on the marketplaces"
    )
    expect(page.locator("tbody tr", has_text="KHADI-KURTA-M")).to_contain_text("being deleted")

    # The worker ends them; then the SKU is gone, and the other size is untouched.
    drain()
    assert offered(fakes, "KHADI-KURTA-M") == []
    assert offered(fakes, "KHADI-KURTA-L") == ["amazon", "flipkart", "ebay"]
    page.reload()
    expect(page.locator("tbody tr", has_text="KHADI-KURTA-M")).to_have_count(0)
    expect(page.locator("tbody tr", has_text="KHADI-KURTA-L")).to_have_count(1)
