"""The export desk as centre staff use it, on a phone: a Moradabad brassware unit's export
readiness, item by item, with a scan of each certificate, until the LUT lapses with its
financial year.

Time moves by setting the date the app sees (`timezone.localdate`); the live server runs in this
process, so the pages see it too. Nothing sleeps.
"""

from __future__ import annotations

import datetime
import importlib
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.urls import get_resolver
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

from e2e.conftest import Persona, axe_check, login, make_persona, open_menu, switch_language
from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.core.models import District, OdopProduct, Role
from niryat.exportdesk.actions import (
    LineInput,
    do_create_export_order,
    do_record_shipment,
    do_update_readiness_item,
)
from niryat.exportdesk.models import Council, ReadinessItem
from niryat.registry.actions import do_register_producer
from niryat.registry.models import Kind, Producer
from tests.catalog.factories import add_sku, make_product

pytestmark = pytest.mark.e2e

MORADABAD = 171
PHONE = {"width": 360, "height": 740}
TODAY = datetime.date(2026, 12, 7)


def hi(message: str) -> str:
    with translation.override("hi"):
        translated = gettext(message)
    assert translated != message, f"no Hindi for {message!r}"
    return translated


@pytest.fixture
def councils(live_server: Any) -> None:
    """The RCMC councils. The first migration seeds them, but the live server's database is
    emptied after each test, so the test loads them again, with the migration's own code."""
    seed = importlib.import_module("niryat.exportdesk.migrations.0001_initial")
    seed.add_councils(apps, None)


@pytest.fixture
def moradabad_staff(reference_data: Any) -> Persona:
    district = District.objects.get(lgd_code=MORADABAD)
    return make_persona("rehana", "Rehana Ansari", Role.CENTRE_STAFF, district)


@pytest.fixture
def brass_unit(moradabad_staff: Persona) -> Producer:
    district = District.objects.get(lgd_code=MORADABAD)
    return do_register_producer(
        district,
        {
            "name_hi": "अंसारी ब्रास वर्क्स",
            "name_latin": "Ansari Brass Works",
            "kind": Kind.MSME,
            "odop_product": OdopProduct.objects.get(
                district=district, name_en="Brass and metal ware"
            ),
            "village": "मुरादाबाद",
            "pin": "244001",
            "mobile": "+919837011111",
        },
        acting_user=moradabad_staff.user,
    )


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime.date]:
    """The date the app sees; a test moves it by assigning `today["date"]`."""
    clock = {"date": TODAY}
    # Every page's module first: a form imported while the clock is patched (`initial=
    # timezone.localdate`) would keep the patched function after this test.
    get_resolver().url_patterns  # noqa: B018
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: clock["date"])
    return clock


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    scan = tmp_path / "lut-2026-27.pdf"
    scan.write_bytes(b"%PDF-1.4\n% LUT acknowledgement ARN AD0904260012345\n")
    return scan


def item(page: Page, key: str) -> Locator:
    return page.locator(f"#item-{key}")


def fill_item(page: Page, key: str, values: dict[str, str], upload: Path | None = None) -> None:
    section = item(page, key)
    details = section.locator("details")
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    for field, value in values.items():
        control = section.locator(f"#id_{key}-{field}")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    if upload is not None:
        section.locator(f"#id_{key}-evidence").set_input_files(str(upload))
    section.locator("button[type=submit]").click()


def test_staff_complete_readiness_and_see_the_lut_expire(
    new_context: Any,
    live_server: Any,
    moradabad_staff: Persona,
    brass_unit: Producer,
    councils: None,
    today: dict[str, datetime.date],
    evidence: Path,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page = new_context(viewport=PHONE, locale="en-IN").new_page()
    login(page, live_server, moradabad_staff.username, moradabad_staff.password)
    switch_language(page, "hi")

    # From the producer's page to their checklist: nothing done yet, each item explained in Hindi.
    page.goto(f"/producers/{brass_unit.uuid}/")
    page.get_by_role("link", name=hi("Export readiness")).click()
    expect(page.locator("#readiness-summary")).to_contain_text("0")
    expect(item(page, "lut")).to_contain_text("वचन पत्र (LUT)")
    expect(item(page, "lut").locator("p[lang=hi]")).to_contain_text("हर अप्रैल में नया भरें")
    expect(item(page, "iec").locator(".badge")).to_have_text(hi("Not yet"))
    axe_check(page)

    # An IEC that is not in PAN form is refused, in Hindi, and nothing is saved.
    fill_item(page, "iec", {"status": "done", "reference": "0512345678"})
    expect(item(page, "iec").get_by_role("alert")).to_contain_text("2017 से IEC ही PAN है")
    assert not ReadinessItem.objects.filter(producer=brass_unit).exists()

    fill_item(page, "iec", {"status": "done", "reference": "aafca1234k"})
    expect(item(page, "iec").locator(".badge")).to_have_text(hi("Done"))
    expect(item(page, "iec").locator(".reference")).to_have_text("AAFCA1234K")

    # The RCMC from EPCH, the council for handicrafts: five years, to 31 March.
    fill_item(
        page,
        "rcmc",
        {
            "status": "done",
            "council": str(Council.objects.get(code="epch").pk),
            "reference": "EPCH/2025/4411",
            "valid_from": "2025-05-14",
        },
    )
    expect(item(page, "rcmc").locator(".badge")).to_have_text(hi("Done"))
    rcmc = ReadinessItem.objects.get(producer=brass_unit, kind="rcmc")
    assert rcmc.expires_on == datetime.date(2030, 3, 31)
    assert rcmc.council is not None
    assert rcmc.council.code == "epch"

    # The LUT for 2026-27, with the scan of its acknowledgement.
    council_option = page.locator("#id_rcmc-council option").filter(has_text="EPCH")
    assert council_option.count() == 1
    fill_item(
        page,
        "lut",
        {"status": "done", "reference": "AD0904260012345", "valid_from": "2026-04-01"},
        evidence,
    )
    lut = item(page, "lut")
    expect(lut.locator(".badge")).to_have_text(hi("Done"))
    expect(lut.locator(".evidence")).to_have_text("lut-2026-27.pdf")
    with page.expect_download() as download:
        lut.locator(".evidence").click()
    assert Path(download.value.path()).read_bytes() == evidence.read_bytes()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Twenty days before 31 March the page warns; from 1 April the LUT has lapsed.
    today["date"] = datetime.date(2027, 3, 11)
    page.reload()
    expect(item(page, "lut").locator(".badge")).to_have_attribute("data-state", "lapses_soon")
    expect(item(page, "lut").locator(".badge")).to_have_text(hi("Lapses soon"))
    open_menu(page)
    page.get_by_role("link", name=hi("Export desk")).click()
    expect(page.locator("#lapsing + .table-wrap")).to_contain_text("अंसारी ब्रास वर्क्स")

    today["date"] = datetime.date(2027, 4, 1)
    page.goto(f"/producers/{brass_unit.uuid}/export-readiness/")
    expect(item(page, "lut").locator(".badge")).to_have_attribute("data-state", "expired")
    expect(item(page, "lut").locator(".badge")).to_have_text(hi("Expired"))
    expect(item(page, "iec").locator(".badge")).to_have_attribute("data-state", "done")
    expect(page.locator("#readiness-summary")).to_contain_text(re.compile(r"2"))
    axe_check(page)


def pdf_text(path: str) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", path, "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return out.stdout


def pdf_fonts(path: str) -> str:
    return subprocess.run(["pdffonts", path], capture_output=True, check=True, text=True).stdout


def first_number(text: str) -> str:
    """The document's number, as its first line after the title gives it ("No. 171/INV/...")."""
    found = re.search(r"No\. (\S+)", text)
    assert found
    return found.group(1)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_staff_create_an_order_to_the_usa_and_issue_its_documents(
    new_context: Any,
    live_server: Any,
    moradabad_staff: Persona,
    brass_unit: Producer,
    councils: None,
    today: dict[str, datetime.date],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    do_update_readiness_item(
        brass_unit, "iec", status="done", reference="AAFCA1234K", acting_user=moradabad_staff.user
    )
    do_update_readiness_item(
        brass_unit,
        "lut",
        status="done",
        reference="AD0904260012345",
        valid_from=datetime.date(2026, 4, 1),
        acting_user=moradabad_staff.user,
    )
    page = new_context(viewport=PHONE).new_page()
    login(page, live_server, moradabad_staff.username, moradabad_staff.password)

    page.goto(f"/producers/{brass_unit.uuid}/")
    page.get_by_role("link", name="New export order").click()
    page.locator("#id_buyer_name").fill("Brooklyn Brass Co.")
    page.locator("#id_buyer_country").select_option("US")
    page.locator("#id_importer_reference").fill("EIN 98-7654321")
    page.locator("#id_incoterm").select_option("FOB")
    page.locator("#id_currency").fill("USD")
    page.locator("#id_exchange_rate").fill("83.25")
    page.locator("#id_packages").fill("1")
    page.locator("#id_gross_weight_kg").fill("6.5")
    page.locator("#id_lines-0-description").fill("Brass flower vase, 25 cm")
    page.locator("#id_lines-0-hs_code").fill("74181021")
    page.locator("#id_lines-0-quantity").fill("20")
    page.locator("#id_lines-0-unit_price").fill("14.00")
    page.locator("#id_lines-0-net_weight_kg").fill("5.2")
    page.get_by_role("button", name="Save the order").click()
    expect(page.locator("#order-fob-inr")).to_have_text("₹23,310")  # 280 × 83.25

    for kind in ("invoice", "packing_list", "cn23"):
        page.locator("#id_kind").select_option(kind)
        page.get_by_role("button", name="Issue the document").click()
        expect(page.locator(".message").first).to_contain_text("Issued")
    documents = page.locator("ul.documents li")
    expect(documents).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_download() as download:
        page.locator("ul.documents a", has_text="CN 23").click()
    cn23 = pdf_text(download.value.path())
    assert "CUSTOMS DECLARATION CN 23" in cn23
    assert "74181021" in cn23
    assert "280.00" in cn23
    assert "Brooklyn Brass Co." in cn23

    invoice_link = page.locator("ul.documents a", has_text="Commercial invoice")
    with page.expect_download() as download:
        invoice_link.click()
    first = pdf_text(download.value.path())
    assert "Brooklyn Brass Co." in first
    assert "23310.00" in first
    # pdftotext splits Devanagari clusters with spaces, and reads a reph (the र् of वर्क्स) out
    # of order: the name is compared without spaces, up to its last word.
    assert "अंसारीब्रास" in "".join(first.split())

    # The Devanagari font is embedded (pdffonts' "emb" column), so any reader shows the name.
    fonts = pdf_fonts(download.value.path())
    devanagari = [row.split() for row in fonts.splitlines() if "Devanagari" in row]
    assert devanagari
    assert all(row[-5] == "yes" for row in devanagari)

    # The buyer takes 24 vases, not 20: staff amend the order, and the invoice issued again is
    # version 2 under the same number; the first stays downloadable as it was.
    page.get_by_role("link", name="Amend the order").click()
    expect(page.locator("#id_lines-0-quantity")).to_have_value("20")
    page.locator("#id_lines-0-quantity").fill("24")
    page.get_by_role("button", name="Save the amended order").click()
    expect(page.locator("#order-fob-inr")).to_have_text("₹27,972")  # 336 × 83.25
    page.locator("#id_kind").select_option("invoice")
    page.get_by_role("button", name="Issue the document").click()
    invoices = page.locator("ul.documents a", has_text="Commercial invoice")
    expect(invoices).to_have_count(2)
    expect(page.locator("ul.documents li", has_text="version 2")).to_have_count(1)
    number = first_number(first)
    with page.expect_download() as download:
        invoices.nth(1).click()  # the older one, listed after the newer
    older = pdf_text(download.value.path())
    assert "Version 2" not in older
    assert "23310.00" in older
    with page.expect_download() as download:
        invoices.nth(0).click()
    amended = pdf_text(download.value.path())
    assert "Version 2 (amended)" in amended
    assert number in amended
    assert "27972.00" in amended
    assert "336.00" in amended
    axe_check(page)

    # Shipped by post: the unit is now exporting; the PBE-III data names the parcel.
    page.locator("#id_mode").select_option("post")
    page.locator("#id_tracking_number").fill("EE123456785IN")
    page.get_by_role("button", name="Record the shipment").click()
    expect(page.locator(".tracking")).to_have_text("EE123456785IN")
    brass_unit.refresh_from_db()
    assert brass_unit.stage == "exporting"
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("PBE-III")).click()
    assert "EE123456785IN" in Path(download.value.path()).read_text()

    # India Post delivers it on 3 December... as staff record from its tracking page.
    expect(page.locator(".parcel-status")).to_have_text("Booked")
    shipment = page.locator("section.shipment")
    shipment.locator("select[name$='-status']").select_option("delivered")
    shipment.locator("input[name$='-on']").fill("2026-12-07")
    shipment.get_by_role("button", name="Save the status").click()
    expect(page.locator(".parcel-status")).to_have_text("Delivered")

    # A sale through a merchant exporter to South Africa, and the district page sets the two
    # side by side, by country.
    page.goto(f"/producers/{brass_unit.uuid}/merchant-sales/new/")
    page.locator("#id_merchant_name").fill("Moradabad Handicraft Exports")
    page.locator("#id_merchant_iec").fill("AAFCM1234K")
    page.locator("#id_country").select_option("ZA")
    page.locator("#id_sold_on").fill("2026-11-02")
    page.locator("#id_value_inr").fill("150000")
    page.get_by_role("button", name="Save").click()
    page.goto(f"/districts/{MORADABAD}/")
    table = page.locator("table.exports-by-country")
    expect(table.locator("tr", has_text="United States")).to_contain_text("₹27,972")
    expect(table.locator("tr", has_text="South Africa")).to_contain_text("₹1,50,000")
    expect(table.locator("tr", has_text="South Africa")).to_contain_text("100%")
    axe_check(page)


def test_staff_keep_rates_and_a_cn22_over_its_limit_is_refused_in_hindi(
    new_context: Any,
    live_server: Any,
    moradabad_staff: Persona,
    brass_unit: Producer,
    today: dict[str, datetime.date],
    settings: Any,
    tmp_path: Path,
) -> None:
    """In Hindi on a phone: the SDR's rate and the dollar's entered and imported; an order
    without a rate takes the dollar's; a parcel over 300 SDR is refused a CN 22, with the reason,
    and takes a CN 23."""
    settings.MEDIA_ROOT = tmp_path / "media"
    do_update_readiness_item(
        brass_unit, "iec", status="done", reference="AAFCA1234K", acting_user=moradabad_staff.user
    )
    page = new_context(viewport=PHONE, locale="en-IN").new_page()
    login(page, live_server, moradabad_staff.username, moradabad_staff.password)
    switch_language(page, "hi")

    open_menu(page)
    page.get_by_role("link", name=hi("Export desk")).click()
    page.get_by_role("link", name=hi("Reference exchange rates and the SDR")).click()
    page.locator("#id_currency").fill("XDR")
    page.locator("#id_on").fill("2026-12-01")
    page.locator("#id_inr_per_unit").fill("120")
    page.locator("#id_source").fill("IMF SDR valuation, 01.12.2026")
    page.get_by_role("button", name=hi("Save the rate")).click()
    expect(page.locator("table.rates")).to_contain_text("XDR")

    # A list with a wrong date is refused whole, row named, in Hindi.
    rates = tmp_path / "rates.csv"
    rates.write_text("मुद्रा,तारीख,दर,स्रोत\nUSD,31.02.2026,84.20,CBIC 80/2026\n")
    page.locator("#id_file").set_input_files(str(rates))
    page.get_by_role("button", name=hi("Import the rates")).click()
    expect(page.get_by_role("alert")).to_contain_text("पंक्ति 2: 31.02.2026 तारीख नहीं है")
    rates.write_text("मुद्रा,तारीख,दर,स्रोत\nUSD,04.12.2026,84.20,CBIC 80/2026\n")
    page.locator("#id_file").set_input_files(str(rates))
    page.get_by_role("button", name=hi("Import the rates")).click()
    expect(page.locator("table.rates")).to_contain_text("84.2000")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)

    # An order without a rate takes the dollar's: 5 × 90 USD × 84.20 = ₹37,890 > 300 SDR.
    page.goto(f"/producers/{brass_unit.uuid}/export-orders/new/")
    page.locator("#id_buyer_name").fill("Brooklyn Brass Co.")
    page.locator("#id_buyer_country").select_option("US")
    page.locator("#id_incoterm").select_option("FOB")
    page.locator("#id_currency").fill("USD")
    page.locator("#id_igst_paid").check()
    page.locator("#id_igst_rate").fill("12")
    page.locator("#id_lines-0-description").fill("Brass candle stand")
    page.locator("#id_lines-0-hs_code").fill("74181021")
    page.locator("#id_lines-0-quantity").fill("5")
    page.locator("#id_lines-0-unit_price").fill("90.00")
    page.locator("#id_lines-0-net_weight_kg").fill("4")
    page.get_by_role("button", name=hi("Save the order")).click()
    expect(page.locator("#order-fob-inr")).to_have_text("₹37,890")
    expect(page.locator(".postal-declaration")).to_contain_text("CN 23")

    page.locator("#id_kind").select_option("cn22")
    page.get_by_role("button", name=hi("Issue the document")).click()
    alert = page.locator("#issue-document").get_by_role("alert")
    expect(alert).to_contain_text("CN 22 केवल 300 SDR")
    expect(alert).to_contain_text("CN 23 जारी करें")
    page.locator("#id_kind").select_option("cn23")
    page.get_by_role("button", name=hi("Issue the document")).click()
    expect(page.locator("ul.documents li")).to_have_count(1)
    expect(page.locator("ul.documents")).to_contain_text("/CN23/2026-27/0001")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)


def test_in_hindi_amend_origin_data_parcel_statuses_and_the_state_view(
    new_context: Any,
    live_server: Any,
    moradabad_staff: Persona,
    brass_unit: Producer,
    today: dict[str, datetime.date],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = moradabad_staff.user
    do_update_readiness_item(
        brass_unit, "iec", status="done", reference="AAFCA1234K", acting_user=staff
    )
    order = do_create_export_order(
        brass_unit,
        buyer={"name": "Seoul Brass Ltd", "country": "KR", "address": "Jongno-gu, Seoul"},
        order={
            "incoterm": "FOB",
            "currency": "USD",
            "exchange_rate": Decimal("83.25"),
            "igst_paid": True,
            "igst_rate": Decimal(12),
            "gross_weight_kg": Decimal("6.5"),
        },
        lines=[LineInput("Brass bowl", "74181021", 10, Decimal("20.00"), Decimal("5"))],
        acting_user=staff,
    )
    page = new_context(viewport=PHONE, locale="en-IN").new_page()
    login(page, live_server, moradabad_staff.username, moradabad_staff.password)
    switch_language(page, "hi")

    # Amend: 12 bowls, not 10.
    page.goto(f"/export/orders/{order.uuid}/")
    page.get_by_role("link", name=hi("Amend the order")).click()
    expect(page.locator("h1")).to_have_text(hi("Amend the export order"))
    page.locator("#id_lines-0-quantity").fill("12")
    page.get_by_role("button", name=hi("Save the amended order")).click()
    expect(page.locator("#order-fob-inr")).to_have_text("₹19,980")  # 240 × 83.25
    page.locator("#id_kind").select_option("invoice")
    page.get_by_role("button", name=hi("Issue the document")).click()
    expect(page.locator("ul.documents li")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)

    # The certificate of origin data: the India-Korea CEPA form applies.
    page.get_by_role("link", name=hi("Certificate of origin: application data")).click()
    expect(page.locator(".origin-lines")).to_contain_text("741810")
    expect(page.locator("section.agreement")).to_contain_text("India-Korea")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)

    # Shipped by post; India Post's list of statuses is imported: a wrong check digit first.
    do_record_shipment(
        order, shipped_on=TODAY, mode="post", tracking_number="EE123456785IN", acting_user=staff
    )
    statuses = tmp_path / "status.csv"
    statuses.write_text("ट्रैकिंग नंबर,स्थिति,तारीख\nEE123456784IN,पहुँच गया,07.12.2026\n")
    open_menu(page)
    page.get_by_role("link", name=hi("Export desk")).click()
    page.get_by_role("link", name=hi("Import parcel statuses")).click()
    page.locator("#id_file").set_input_files(str(statuses))
    page.get_by_role("button", name=hi("Import the statuses")).click()
    expect(page.get_by_role("alert")).to_contain_text("EE123456784IN")
    statuses.write_text("ट्रैकिंग नंबर,स्थिति,तारीख\nEE123456785IN,पहुँच गया,07.12.2026\n")
    page.locator("#id_file").set_input_files(str(statuses))
    page.get_by_role("button", name=hi("Import the statuses")).click()
    expect(page.locator(".message").first).to_contain_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    page.goto(f"/export/orders/{order.uuid}/")
    expect(page.locator(".parcel-status")).to_have_text(hi("Delivered"))

    # The state sees every district's exports, direct against through merchant exporters.
    viewer = make_persona("suman", "Suman Verma", Role.STATE_VIEWER, None)
    state_page = new_context(viewport=PHONE, locale="en-IN").new_page()
    login(state_page, live_server, viewer.username, viewer.password)
    switch_language(state_page, "hi")
    state_page.goto("/export/who-exports/")
    row = state_page.locator("table.exports-by-district tr", has_text="मुरादाबाद")
    expect(row).to_contain_text("₹19,980")
    expect(state_page.locator("table.exports-by-country")).to_contain_text("₹19,980")
    assert state_page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(state_page)


def test_in_hindi_staff_make_an_ebay_order_abroad_an_export_order(
    new_context: Any,
    live_server: Any,
    moradabad_staff: Persona,
    brass_unit: Producer,
    today: dict[str, datetime.date],
) -> None:
    staff = moradabad_staff.user
    sku = add_sku(
        make_product(brass_unit, staff, name_en="Brass bowl", hs_code="74181021"),
        staff,
        seller_sku="BRASS-BOWL-01",
        title_en="Moradabad brass bowl, hand engraved",
    )
    account = ChannelAccount.objects.create(
        district=brass_unit.district, channel="ebay", name="Moradabad EDC on eBay"
    )
    ebay_order = Order.objects.create(
        district=brass_unit.district,
        account=account,
        producer=brass_unit,
        channel_order_id="27-11111-22222",
        ordered_at=datetime.datetime(2026, 12, 5, tzinfo=datetime.UTC),
        currency="USD",
        total=Decimal("60.00"),
    )
    OrderLine.objects.create(
        order=ebay_order, sku=sku, seller_sku="BRASS-BOWL-01", quantity=3, unit_price=Decimal(20)
    )
    page = new_context(viewport=PHONE, locale="en-IN").new_page()
    login(page, live_server, moradabad_staff.username, moradabad_staff.password)
    switch_language(page, "hi")

    open_menu(page)
    page.get_by_role("link", name=hi("Export desk")).click()
    page.get_by_role("link", name=hi("Marketplace orders shipped abroad")).click()
    page.get_by_role("link", name=re.compile("27-11111-22222")).click()
    page.locator("#id_buyer_name").fill("Ann Carter")
    page.locator("#id_buyer_country").select_option("US")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    page.get_by_role("button", name=hi("Make the export order")).click()
    expect(page.locator("#order-total")).to_contain_text("60")
    expect(page.locator("main")).to_contain_text("74181021")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
