"""A month of Amazon payouts, as the centre and a producer see them: the fake Amazon settles two
orders of the khadi unit's kurtas (fees, GST on fees, TCS, TDS; one order returned and refunded;
₹100 held in reserve) while a third, delivered three weeks ago, is not paid. Staff fetch the
payouts and see the unit's paid, withheld and owed with the reasons, and the unpaid order
flagged; the producer sees the same on their phone, in Hindi, and had an SMS when it landed.

The task worker's part is played by the test (`drain` for the channels' outbox, `run_tasks` for
the payouts' own tasks)."""

from __future__ import annotations

import datetime as dt
import importlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Sum
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login, producer_signs_in
from e2e.test_channels import (  # noqa: F401 - fixtures, shared with the channel story
    fakes,
    khadi_unit,
    kurtas,
    live_elsewhere,
    marketplaces,
)
from fakes.flipkart import settlement_report
from niryat.catalog.models import Sku
from niryat.channels.actions import do_request_orders
from niryat.channels.models import ChannelAccount, Listing, Order
from niryat.core.dates import format_date
from niryat.core.models import AuditEntry, District
from niryat.core.money import rupees
from niryat.messaging.backends.base import Delivery as SmsMessage
from niryat.messaging.models import MessageTemplate
from niryat.payouts.models import Settlement
from niryat.registry.actions import do_enable_producer_sign_in
from niryat.registry.models import Producer
from tests.catalog.factories import run_tasks
from tests.channels.factories import drain
from tests.payouts.conftest import book

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def ship(amazon: Any, order_id: str, status: str) -> None:
    """Amazon's courier picks the order up and then delivers it (or brings it back)."""
    with amazon.lock:
        amazon.orders[order_id]["OrderStatus"] = "Shipped"
    amazon.move_order(order_id, status)


def money(value: Any) -> str:
    return rupees(Decimal(str(value)))


def test_staff_and_the_producer_see_a_months_payouts_with_reasons(
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
    # The tax rates and the payout's message template, as their migrations put them (a
    # live-server test empties every table after it).
    importlib.import_module("niryat.payouts.migrations.0002_tax_rates").add_rates(apps, None)
    MessageTemplate.objects.get_or_create(
        key="payout_landed",
        defaults={
            "purpose": "A marketplace paid the producer's money for an order.",
            "body_en": "Niryat: {amount} for order #{order} reached your account on {date}.",
            "body_hi": "निर्यात: ऑर्डर #{order} का {amount} आपके खाते में {date} को आया।",
        },
    )
    amazon = fakes["amazon"]
    account = ChannelAccount.objects.get(channel="amazon")
    # Three orders: the first delivered, the second returned, the third delivered long ago.
    sold, returned, unpaid = (
        amazon.place_order(sku, 1)["AmazonOrderId"]
        for sku in ("KHADI-KURTA-M", "KHADI-KURTA-L", "KHADI-KURTA-M")
    )
    do_request_orders(account, acting_user=gorakhpur_staff.user)
    drain()
    ship(amazon, sold, "delivered")
    ship(amazon, returned, "returned")
    ship(amazon, unpaid, "delivered")
    do_request_orders(account, acting_user=gorakhpur_staff.user)
    drain()
    late = Order.objects.get(channel_order_id=unpaid)
    assert late.state == "delivered"
    AuditEntry.objects.filter(object_type="channels.order", object_id=str(late.pk)).update(
        created_at=timezone.now() - timedelta(days=21)
    )
    # Amazon settles the month: the first order, the return's refund, ₹100 held in reserve.
    amazon.settle([sold, returned], returned=(returned,), reserve={"KHADI-KURTA-M": 100})
    group = amazon.event_groups[-1]
    transferred = Decimal(str(group["group"]["OriginalTotal"]["CurrencyAmount"]))
    [item] = group["events"]["ShipmentEventList"][0]["ShipmentItemList"]
    withheld = Decimal(100) + sum(
        -Decimal(str(tax["ChargeAmount"]["CurrencyAmount"]))
        for tax in item["ItemTaxWithheldList"][0]["TaxesWithheld"]
    )

    # Staff fetch the payouts.
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto(f"{live_server.url}/payouts/")
    page.get_by_role("link", name=str(account)).click()
    page.get_by_role("button", name="Fetch payouts from the marketplace").click()
    expect(page.locator("main")).to_contain_text("The payouts are being fetched")
    run_tasks()
    run_tasks()
    page.reload()
    row = page.locator(f'tr[data-producer="{khadi_unit.uuid}"]')
    expect(row.locator(".paid")).to_have_text(money(transferred))
    expect(row.locator(".withheld")).to_have_text(money(withheld))
    expect(row.locator(".owed")).to_have_text(money("1100"))
    expect(row).to_contain_text("₹100 held in reserve by the marketplace.")
    expect(row).to_contain_text("claim it in your GST return")
    expect(row).to_contain_text("given back to buyers for returns, out of what was paid.")
    expect(row).to_contain_text(f"Order #{unpaid}: ₹1,100 owed.")
    flagged = page.locator(f'tr.payout-line.flagged[data-order="{unpaid}"]')
    expect(flagged).to_contain_text("not paid after the payment cycle of 7 days")
    expect(
        page.locator(f'tr.settlement[data-settlement="{group["group"]["FinancialEventGroupId"]}"]')
    ).to_contain_text(money(transferred))
    axe_check(page)

    # The unit's own page at the centre shows the same figures.
    row.get_by_role("link").click()
    expect(page.locator("dd.paid")).to_have_text(money(transferred))
    expect(page.locator("dd.withheld")).to_have_text(money(withheld))
    expect(page.locator("dd.owed")).to_have_text(money("1100"))
    # ...and gives the unit its month's statement, in Hindi.
    with page.expect_download() as download:
        page.locator(".statements a[lang=hi]").first.click()
    statement = Path(download.value.path()).read_bytes()
    assert statement.startswith(b"%PDF")
    assert download.value.suggested_filename.endswith("-hi.pdf")
    # The TCS and TDS the unit can claim, by month, at the rates in force on the orders' date.
    expect(page.locator("table.credits tbody tr")).to_have_count(1)
    expect(page.locator("table.credits tbody tr")).to_contain_text("0.5%")
    expect(page.locator("table.credits tbody tr")).to_contain_text("0.1%")

    # The producer heard when the payout landed, in Hindi...
    told = [m for m in sms_outbox if m.key.startswith("payout_landed:")]
    assert [m.to for m in told] == ["+919839054321"]
    paid_on = Settlement.objects.get().paid_on
    with translation.override("hi"):
        day = format_date(paid_on)
    sold_net = (
        Settlement.objects.get()
        .lines.filter(order__channel_order_id=sold)
        .aggregate(net=Sum("amount"))["net"]
    )
    # the returned order's refund brought nothing in: only the sold one is told
    assert told[0].text == f"निर्यात: ऑर्डर #{sold} का {money(sold_net)} आपके खाते में {day} को आया।"

    # ...and sees the same on their phone, in Hindi.
    do_enable_producer_sign_in(khadi_unit, acting_user=gorakhpur_staff.user)
    phone = new_context(viewport=PHONE, is_mobile=True).new_page()
    producer_signs_in(phone, "98390 54321", sms_outbox)
    phone.goto("/producer/payments/")
    expect(phone.locator("h1")).to_have_text("मेरे भुगतान")
    expect(phone.locator("dd.paid")).to_have_text(money(transferred))
    expect(phone.locator("dd.withheld")).to_have_text(money(withheld))
    expect(phone.locator("dd.owed")).to_have_text(money("1100"))
    expect(phone.locator(".reasons")).to_contain_text("₹100 ई-मार्केटप्लेस ने रिज़र्व में रोका है।")
    expect(phone.locator(".arrivals")).to_have_text(
        f"ऑर्डर #{sold} का {money(sold_net)} आपके खाते में {day} को आया।"
    )
    expect(phone.locator(".flagged")).to_contain_text(f"#{unpaid}")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    axe_check(phone)


def test_flipkarts_settlement_report_at_the_rates_of_each_orders_date_in_hindi(
    page: Page,
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    khadi_unit: Producer,  # noqa: F811
    kurtas: list[Sku],  # noqa: F811
    sms_outbox: list[SmsMessage],
) -> None:
    """Flipkart settles through its Seller Hub report: an order of June 2024 (TCS 1%, TDS 1%),
    one of November 2026 (TCS 0.5%, TDS 0.1%), one returned and refunded with the reverse
    shipping fee; a fourth, delivered three weeks ago, is in no report. Staff import the report
    and see the unit's paid, withheld and owed with reasons and the unpaid order flagged, the
    TCS and TDS by month at each order's rates, and the Hindi statement; the unit sees the same
    in Hindi on a phone."""
    importlib.import_module("niryat.payouts.migrations.0002_tax_rates").add_rates(apps, None)
    gorakhpur = District.objects.get(lgd_code=GORAKHPUR)
    account = ChannelAccount.objects.create(
        district=gorakhpur, channel="flipkart", name="EDC Gorakhpur on Flipkart"
    )
    kurta = next(sku for sku in kurtas if sku.seller_sku == "KHADI-KURTA-M")
    Listing.objects.create(sku=kurta, account=account, state="live", external_id="FSN-KURTA-M")
    price = Decimal(1120)
    old, new, back, unpaid = "OD3300001", "OD3300002", "OD3300003", "OD3300004"
    for order_id, ordered, status in (
        (old, dt.datetime(2024, 6, 15, 6, tzinfo=dt.UTC), "delivered"),
        (new, dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC), "delivered"),
        (back, dt.datetime(2026, 11, 3, 6, tzinfo=dt.UTC), "returned"),
        (unpaid, dt.datetime(2026, 11, 4, 6, tzinfo=dt.UTC), "delivered"),
    ):
        book(
            account,
            order_id,
            [("KHADI-KURTA-M", 1, price, f"{order_id}1")],
            ordered_at=ordered,
            status=status,
            delivered_at=timezone.now() - timedelta(days=21),
        )
    fees = {"Commission (Rs.)": "-112.00", "Fixed Fee  (Rs.)": "-20.00"}
    gst_on_fees = {"GST on MP Fees (Rs.)": "-23.76"}

    def row(neft: str, paid: str, order_id: str, ordered: str, **amounts: str) -> dict[str, str]:
        return {
            "NEFT ID": neft,
            "Payment Date": paid,
            "Order ID": order_id,
            "Order item ID": f"{order_id}1",
            "Seller SKU": "KHADI-KURTA-M",
            "Order Date": ordered,
            "Sale Amount (Rs.)": "1120.00",
            **fees,
            **gst_on_fees,
            **amounts,
        }

    # TCS and TDS on the value without GST (₹1,066.67) at the rates of each order's date.
    report = settlement_report(
        [
            row(
                "AXISCN24061",
                "2024-06-25",
                old,
                "2024-06-15",
                **{"TCS (Rs.)": "-10.67"},
                **{"TDS (Rs.)": "-10.67"},
            ),
            row(
                "AXISCN26111",
                "2026-11-18",
                new,
                "2026-11-02",
                **{"TCS (Rs.)": "-5.33"},
                **{"TDS (Rs.)": "-1.07"},
            ),
            row(
                "AXISCN26111",
                "2026-11-18",
                back,
                "2026-11-03",
                **{"Refund (Rs.)": "-1120.00", "Reverse Shipping Fee (Rs.)": "-40.00"},
            ),
        ]
    )
    paid = Decimal("942.90") + Decimal("957.84") - Decimal("195.76")
    withheld = Decimal("10.67") + Decimal("10.67") + Decimal("5.33") + Decimal("1.07")

    # Staff import the report.
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto(f"{live_server.url}/payouts/")
    page.get_by_role("link", name=str(account)).click()
    page.get_by_role("link", name="Import a settlement report").click()
    page.get_by_label("Settlement report (XLSX or CSV)").set_input_files(
        {"name": "settled-transactions.csv", "mimeType": "text/csv", "buffer": report}
    )
    page.get_by_role("button", name="Upload").click()
    run_tasks()
    assert Settlement.objects.filter(account=account).count() == 2
    page.goto(f"{live_server.url}/payouts/")
    page.get_by_role("link", name=str(account)).click()
    line = page.locator(f'tr[data-producer="{khadi_unit.uuid}"]')
    expect(line.locator(".paid")).to_have_text(money(paid))
    expect(line.locator(".withheld")).to_have_text(money(withheld))
    expect(line.locator(".owed")).to_have_text(money(price))
    expect(line).to_contain_text("claim it in your income-tax return")
    expect(line).to_contain_text(f"Order #{unpaid}: ₹1,120 owed.")
    expect(page.locator(f'tr.payout-line.flagged[data-order="{unpaid}"]')).to_contain_text(
        "not paid after the payment cycle of 7 days"
    )
    expect(page.locator("tr.payout-line.flagged")).to_have_count(1)

    # The unit's page: the same figures, TCS and TDS by month at the rates of the orders' dates.
    line.get_by_role("link").click()
    expect(page.locator("dd.paid")).to_have_text(money(paid))
    credits = page.locator("table.credits tbody tr")
    expect(credits).to_have_count(2)
    june, november = (
        page.locator('tr[data-month="2024-06"]'),
        page.locator('tr[data-month="2026-11"]'),
    )
    expect(june.locator(".tcs")).to_have_text(money("10.67"))
    expect(june.locator(".tds")).to_have_text(money("10.67"))
    expect(june).to_contain_text("1%")
    expect(november.locator(".tcs")).to_have_text(money("5.33"))
    expect(november.locator(".tds")).to_have_text(money("1.07"))
    expect(november).to_contain_text("0.5%")
    expect(november).to_contain_text("0.1%")
    with page.expect_download() as download:
        page.locator(".statements a[lang=hi]").first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith("-hi.pdf")

    # The unit sees the same on a phone, in Hindi.
    do_enable_producer_sign_in(khadi_unit, acting_user=gorakhpur_staff.user)
    phone = new_context(viewport=PHONE, is_mobile=True).new_page()
    producer_signs_in(phone, "98390 54321", sms_outbox)
    phone.goto("/producer/payments/")
    expect(phone.locator("dd.paid")).to_have_text(money(paid))
    expect(phone.locator("dd.withheld")).to_have_text(money(withheld))
    expect(phone.locator("dd.owed")).to_have_text(money(price))
    expect(phone.locator(".flagged")).to_contain_text(f"#{unpaid}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(phone)
