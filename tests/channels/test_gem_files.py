"""GeM (no API): its catalogue rules, the upload sheet and the seller's document checklist; files
for manual upload: the generic sheet and any channel's listing data as a sheet."""

from __future__ import annotations

import json
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from niryat.catalog.models import Sku
from niryat.channels.files import FilesChannel, listing_sheet
from niryat.channels.files.workbook import cell, flatten
from niryat.channels.gem import GemChannel, document_checklist
from niryat.channels.models import ExchangeRate
from niryat.channels.registry import channel_class
from niryat.registry.models import Producer
from tests.channels.factories import PAYLOADS


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def read(sheet_bytes: bytes) -> dict[str, list[list[Any]]]:
    workbook = load_workbook(BytesIO(sheet_bytes))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def fields(problems: list[Any]) -> list[str]:
    return [problem.field for problem in problems]


@pytest.fixture
def usd(db) -> ExchangeRate:  # type: ignore[no-untyped-def]
    return ExchangeRate.objects.create(currency="USD", inr_per_unit=Decimal("83.2500"))


# -- GeM -------------------------------------------------------------------------------------


def test_gem_takes_the_horse(horse_sku: Sku) -> None:
    # when / then
    assert GemChannel().validate(horse_sku) == []
    assert channel_class("gem") is GemChannel
    assert not GemChannel.has_api


def test_gem_needs_an_eight_digit_hsn_and_the_mrp(horse_sku: Sku) -> None:
    # given
    horse_sku.product.hs_code = "691390"
    horse_sku.mrp = None

    # when
    problems = GemChannel().validate(horse_sku)

    # then
    assert [(p.check, p.field, str(p.message)) for p in problems] == [
        ("gem", "mrp", "GeM needs the MRP."),
        ("gem", "hs_code", "GeM needs the 8-digit HSN code."),
    ]


def test_gem_needs_a_local_content_declaration_for_imported_goods(horse_sku: Sku) -> None:
    # given
    horse_sku.product.country_of_origin = "NP"

    # when / then
    assert fields(GemChannel().validate(horse_sku)) == ["attributes.local_content"]
    horse_sku.attributes = {**horse_sku.attributes, "local_content": "40"}
    assert GemChannel().validate(horse_sku) == []


def test_gem_asks_for_the_category_specifications(khadi_sku: Sku) -> None:
    # given
    khadi_sku.colour = ""
    khadi_sku.stock = 0

    # when
    problems = GemChannel().validate(khadi_sku)

    # then
    assert fields(problems) == ["stock", "colour"]


def test_gem_sheet_has_one_row_per_sku_in_gems_columns(horse_sku: Sku, khadi_sku: Sku) -> None:
    # given
    expected = payload("gem/catalogue_sheet.json")

    # when
    sheets = read(GemChannel().build([horse_sku, khadi_sku]))

    # then
    header, horse, khadi = sheets["Catalogue"]
    assert header == expected["header"]
    image = header.index("Image 1")
    assert horse[:image] == expected["rows"][0]
    assert horse[image].startswith("https://niryat.example.org/media/catalogue/")
    assert horse[image + 1 :] == [None, None, None]
    assert khadi[:3] == ["Handspun khadi cotton kurta, white, M", "Unbranded", "KHADI-KURTA-M"]
    assert khadi[header.index("Specifications")] == (
        "yarn count: 40s; weave: plain; fibre: cotton; fabric width (cm): 110"
    )


def test_gem_sheet_lists_each_producers_documents(horse_sku: Sku, ramu: Producer) -> None:
    # when
    sheets = read(GemChannel().build([horse_sku]))

    # then
    header, *rows = sheets["Documents"]
    assert header == ["Producer", "Document", "Held", "Note"]
    assert [(row[1], row[2]) for row in rows] == [
        (str(item.document), "Yes" if item.present else "No") for item in document_checklist(ramu)
    ]
    assert {row[0] for row in rows} == {str(ramu)}


def test_document_checklist_reads_the_registry(horse_sku: Sku, ramu: Producer) -> None:
    # given
    ramu.pan = "ABCPP1234C"
    ramu.bank_ifsc = "SBIN0000123"
    ramu.bank_account_masked = "XXXXXX4321"

    # when
    checklist = document_checklist(ramu)

    # then
    assert [(str(item.document), item.present) for item in checklist] == [
        ("PAN", True),
        ("Aadhaar of the proprietor or authorised person", False),
        ("GSTIN", False),
        ("Udyam registration", False),
        ("Bank account", True),
        ("Address proof", True),
        ("Mobile and email", False),
        ("Maker's declaration (OEM) or reseller authorisation", True),
        ("Product photos", True),
    ]
    assert all(str(item.note) for item in checklist)


# -- files -----------------------------------------------------------------------------------


def test_files_need_only_a_title_a_price_and_the_code(horse_sku: Sku) -> None:
    # given
    assert FilesChannel().validate(horse_sku) == []
    horse_sku.title_en = horse_sku.title_hi = ""
    horse_sku.price = None

    # when / then
    assert fields(FilesChannel().validate(horse_sku)) == ["title_en", "price"]


def test_files_sheet_holds_the_catalogue_data(horse_sku: Sku) -> None:
    # given
    expected = payload("files/listing_sheet.json")

    # when
    [(title, rows)] = read(FilesChannel().build([horse_sku])).items()

    # then
    header, row = rows
    assert title == "Listings"
    assert header == expected["header"]
    photo = header.index("Photo 1")
    assert row[:photo] == expected["rows"][0]
    assert row[photo].startswith("https://niryat.example.org/media/catalogue/")


def test_formula_like_text_stays_text(horse_sku: Sku) -> None:
    # given
    horse_sku.title_en = '=HYPERLINK("http://example.com","horse")'
    horse_sku.title_hi = "@SUM(A1)"
    horse_sku.description_en = "-1 +1 horse"

    # when
    [(_, rows)] = read(FilesChannel().build([horse_sku])).items()

    # then
    assert rows[1][1:4] == [
        '\'=HYPERLINK("http://example.com","horse")',
        "'@SUM(A1)",
        "'-1 +1 horse",
    ]
    assert cell(Decimal("950.00")) == Decimal("950.00")
    assert cell("+919839012345") == "'+919839012345"


def test_flatten_names_each_field_by_its_path() -> None:
    # when
    flat = flatten(
        {
            "product": {"aspects": {"Brand": ["Unbranded"], "Size": ["M", "L"]}},
            "offers": [{"offerId": "1"}, {"offerId": "2"}],
            "quantity": 3,
        }
    )

    # then
    assert flat == {
        "product.aspects.Brand": "Unbranded",
        "product.aspects.Size": "M; L",
        "offers.0.offerId": "1",
        "offers.1.offerId": "2",
        "quantity": 3,
    }


def test_listing_sheet_flattens_ebays_payload(
    horse_sku: Sku, khadi_sku: Sku, usd: ExchangeRate
) -> None:
    # when
    [(title, rows)] = read(listing_sheet("ebay", [horse_sku, khadi_sku])).items()

    # then
    header, horse, khadi = rows
    assert title == "eBay"
    assert header[0] == "Seller SKU code"
    assert header[1:4] == [
        "inventory_item.availability.shipToLocationAvailability.quantity",
        "inventory_item.condition",
        "inventory_item.product.title",
    ]
    value = dict(zip(header, horse, strict=True))
    assert value["Seller SKU code"] == "TERR-HORSE-01"
    assert value["inventory_item.product.aspects.Brand"] == "Unbranded"
    assert value["offer.pricingSummary.price.value"] == "11.41"
    assert value["offer.pricingSummary.price.currency"] == "USD"
    assert value["offer.categoryId"] == "73467"
    assert value["inventory_item.packageWeightAndSize.weight.value"] == 1800
    assert value["inventory_item.product.aspects.Color"] is None  # a column of the kurta's
    kurta = dict(zip(header, khadi, strict=True))
    assert kurta["inventory_item.product.aspects.Color"] == "white"
    assert kurta["offer.categoryId"] == "53159"


def test_listing_sheet_of_channels_without_an_api_is_their_own_sheet(horse_sku: Sku) -> None:
    # when
    gem = read(listing_sheet("gem", [horse_sku]))
    files = read(listing_sheet("files", [horse_sku]))

    # then
    assert list(gem) == ["Catalogue", "Documents"]
    assert gem["Catalogue"][1][2] == "TERR-HORSE-01"
    assert list(files) == ["Listings"]
    assert files["Listings"][1][0] == "TERR-HORSE-01"
