"""SKU label sheets: what a label shows, 24 to an A4 sheet, the Devanagari font embedded, a
barcode that reads back as the SKU code, and who may print whose labels."""

from __future__ import annotations

import base64
import io
import re
import zlib
from decimal import Decimal
from itertools import chain
from typing import Any

import pytest
import segno
from barcode.charsets.code128 import CODES, STOP
from django.urls import reverse
from PIL import Image
from weasyprint.formatting_structure.boxes import TextBox

from niryat.catalog import output_views
from niryat.catalog.labels import (
    label_for,
    label_sheet_document,
    label_sheet_pdf,
)
from niryat.catalog.models import Product, Sku
from niryat.core.money import rupees
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for
from tests.registry.factories import register

URL = "https://niryat.example/catalogue/horse/"


@pytest.fixture
def skus(horse: Product, ganesh: Any) -> list[Sku]:
    return [
        add_sku(horse, ganesh, seller_sku="GKP-HORSE-30", size="30 cm", colour="Red"),
        add_sku(horse, ganesh, seller_sku="GKP-HORSE-45", size="45 cm", mrp=Decimal("2150.50")),
    ]


@pytest.fixture
def kabir_sku(varanasi: Any, vani: Any, banarasi: Any) -> Sku:
    """A SKU of a Varanasi weaver."""
    kabir = register(varanasi, vani, name_hi="कबीर अंसारी", odop_product=banarasi, pin="221001")
    saree = make_product(kabir, vani, name_en="Banarasi silk saree", name_hi="बनारसी साड़ी")
    return add_sku(saree, vani, seller_sku="VNS-SAREE-1")


def page_texts(document: Any) -> list[list[str]]:
    """The text laid out on each page, box by box."""
    return [
        [
            box.text
            for box in page._page_box.descendants(placeholders=True)
            if isinstance(box, TextBox)
        ]
        for page in document.pages
    ]


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (where fonts and pages are described) inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL)
    return b"".join(zlib.decompress(stream) for stream in streams)


def png_of(uri: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :])))


def read_code128(modules: str) -> str:
    """Read a Code 128 barcode back: the symbols between start and stop, the check symbol, and
    the text in code sets A, B and C."""
    bars = modules.strip("0")
    assert bars.endswith(STOP + "11")
    values = [CODES.index(bars[i : i + 11]) for i in range(0, len(bars) - 13, 11)]
    *data, check = values
    assert check == (data[0] + sum(i * v for i, v in enumerate(data[1:], start=1))) % 103
    code_set = {103: "A", 104: "B", 105: "C"}[data[0]]
    text = ""
    for value in data[1:]:
        if code_set == "C":
            if value < 100:
                text += f"{value:02d}"
            else:
                code_set = {100: "B", 101: "A"}[value]
        elif value == 99:
            code_set = "C"
        elif (code_set, value) in (("B", 101), ("A", 100)):
            code_set = "A" if code_set == "B" else "B"
        else:
            text += chr(value + 32)
    return text


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1200"), "₹1,200"),
        (Decimal("999.5"), "₹999.50"),
        (Decimal("0.05"), "₹0.05"),
        (Decimal("100000"), "₹1,00,000"),
        (Decimal("1234567.456"), "₹12,34,567.46"),
        (Decimal("-1500"), "-₹1,500"),
    ],
)
def test_prices_are_in_rupees_with_indian_grouping(amount: Decimal, shown: str) -> None:
    assert rupees(amount) == shown


def test_a_label_shows_both_titles_the_variant_the_code_and_the_mrp(skus: list[Sku]) -> None:
    # when one label of the first SKU is laid out
    document = label_sheet_document(skus[:1], copies=1, product_url=lambda product: URL)
    # then it reads, line by line
    assert page_texts(document) == [
        [
            "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 30 सेमी",
            "Gorakhpur terracotta horse, handmade, 30 cm",
            "30 cm · Red · terracotta clay",
            "MRP ₹1,200 (incl. of all taxes)",
            "GKP-HORSE-30",
        ]
    ]


def test_a_sku_without_titles_is_labelled_with_its_products_names(horse: Product, ganesh) -> None:
    sku = add_sku(horse, ganesh, seller_sku="GKP-1", title_en="", title_hi="", mrp=None, price=None)
    label = label_for(sku, URL)
    assert (label.title_hi, label.title_en, label.mrp) == ("टेराकोटा घोड़ा", "Terracotta horse", "")


@pytest.mark.parametrize(
    ("copies", "per_page"),
    [(1, [2]), (12, [24]), (13, [24, 2]), (24, [24, 24]), (25, [24, 24, 2])],
)
def test_a_sheet_holds_24_labels(skus: list[Sku], copies: int, per_page: list[int]) -> None:
    # given two SKUs, `copies` labels of each
    document = label_sheet_document(skus, copies=copies, product_url=lambda product: URL)
    # then a page holds 24, the first SKU's copies before the second's
    codes = [[text for text in page if text.startswith("GKP-")] for page in page_texts(document)]
    assert [len(page) for page in codes] == per_page
    assert list(chain(*codes)) == ["GKP-HORSE-30"] * copies + ["GKP-HORSE-45"] * copies


def test_the_pdf_sets_all_text_in_the_embedded_noto_font(skus: list[Sku]) -> None:
    pdf = label_sheet_pdf(skus, copies=13, product_url=lambda product: URL)
    assert pdf.startswith(b"%PDF-")
    content = inflated(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", content)) == 2
    # No Devanagari font is installed on the machine: only the packaged one can set the titles.
    fonts = {name.split(b"+")[1] for name in re.findall(rb"/BaseFont\s*/([\w+-]+)", content)}
    assert fonts == {
        b"Noto-Sans-Devanagari",
        b"Noto-Sans-Devanagari-Semi-Bold",
        b"Noto-Sans-Devanagari-Bold",
    }


@pytest.mark.parametrize("code", ["GKP-HORSE-30", "TERR-00012-01", "a.b_c-7", "12345678"])
def test_the_barcode_reads_back_as_the_sku_code(horse: Product, ganesh, code: str) -> None:
    sku = add_sku(horse, ganesh, seller_sku=code)
    barcode = png_of(label_for(sku, URL).barcode_uri)
    assert barcode.height == 1
    pixels = [barcode.getpixel((x, 0)) for x in range(barcode.width)]
    modules = "".join("1" if pixel == 0 else "0" for pixel in pixels)
    assert modules.startswith("0" * 10)  # the quiet zone a scanner needs
    assert modules.endswith("0" * 10)
    assert read_code128(modules) == code


def test_the_qr_code_holds_the_products_address(skus: list[Sku]) -> None:
    qr = png_of(label_for(skus[0], URL).qr_uri)
    expected = segno.make(URL, error="m", micro=False)
    width = len(expected.matrix) + 4  # two modules of quiet zone on each side
    assert qr.size == (width, width)
    dark = [[qr.getpixel((x, y)) == 0 for x in range(2, width - 2)] for y in range(2, width - 2)]
    assert dark == [[bool(module) for module in row] for row in expected.matrix]


def test_copies_are_1_to_100(skus: list[Sku]) -> None:
    for copies in (0, 101):
        with pytest.raises(ValueError, match="copies must be 1 to 100"):
            label_sheet_pdf(skus, copies=copies, product_url=lambda product: URL)


# --- the page --------------------------------------------------------------------------------


@pytest.fixture
def printed(monkeypatch) -> list[tuple[list[str], int, str]]:  # type: ignore[no-untyped-def]
    """What the page asked to print: the SKU codes, the copies, the first QR code's address."""
    calls: list[tuple[list[str], int, str]] = []

    def spy(skus: list[Sku], *, copies: int, product_url: Any) -> bytes:
        calls.append(([sku.seller_sku for sku in skus], copies, product_url(skus[0].product)))
        return label_sheet_pdf(skus, copies=copies, product_url=product_url)

    monkeypatch.setattr(output_views, "label_sheet_pdf", spy)
    return calls


def test_staff_print_labels_of_chosen_skus(ganesh, skus: list[Sku], printed) -> None:
    # when staff ask for 3 copies of the second SKU, then the first
    response = client_for(ganesh).get(
        reverse("sku_labels"), {"sku": [skus[1].uuid, skus[0].uuid], "copies": "3"}
    )
    # then the browser shows a PDF, with the SKUs in that order and QR codes to the product page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="labels.pdf"'
    assert response.content.startswith(b"%PDF-")
    product = skus[0].product
    assert printed == [
        (
            ["GKP-HORSE-45", "GKP-HORSE-30"],
            3,
            f"http://testserver/catalogue/{product.uuid}/",
        )
    ]


def test_a_product_prints_all_its_skus_once_each(ganesh, horse, skus, printed) -> None:
    response = client_for(ganesh).get(
        reverse("sku_labels"), {"product": horse.uuid, "sku": skus[1].uuid}
    )
    assert response.status_code == 200
    assert printed[0][:2] == (["GKP-HORSE-45", "GKP-HORSE-30"], 1)


def test_another_districts_sku_is_not_found_and_nothing_prints(
    vani, skus: list[Sku], kabir_sku: Sku, printed
) -> None:
    client = client_for(vani)
    # Varanasi staff print their own SKU ...
    assert client.get(reverse("sku_labels"), {"sku": kabir_sku.uuid}).status_code == 200
    # ... but not Gorakhpur's, alone or beside their own, nor a Gorakhpur product's
    for query in (
        {"sku": skus[0].uuid},
        {"sku": [kabir_sku.uuid, skus[0].uuid]},
        {"product": skus[0].product.uuid},
    ):
        assert client.get(reverse("sku_labels"), query).status_code == 404
    assert [codes for codes, _copies, _url in printed] == [["VNS-SAREE-1"]]


def test_a_malformed_id_is_not_found(ganesh, skus: list[Sku]) -> None:
    response = client_for(ganesh).get(reverse("sku_labels"), {"sku": [skus[0].uuid, "horse"]})
    assert response.status_code == 404


def test_producers_cannot_print_labels(prem, skus: list[Sku]) -> None:
    response = client_for(prem).get(reverse("sku_labels"), {"sku": skus[0].uuid})
    assert response.status_code == 403


def test_nothing_chosen_says_what_to_choose(ganesh, horse: Product, printed) -> None:
    client = client_for(ganesh)
    # neither SKUs nor a product, or a product without SKUs
    for query in ({}, {"product": horse.uuid}):
        response = client.get(reverse("sku_labels"), query)
        assert response.status_code == 400
        assert (
            "No SKUs to print labels for: choose SKUs, or a product that has some."
            in response.content.decode()
        )
    assert printed == []


@pytest.mark.parametrize("copies", ["0", "101", "two", "-1", "2.5", "²", "0" * 5000])
def test_copies_outside_1_to_100_are_refused(ganesh, skus: list[Sku], printed, copies) -> None:
    response = client_for(ganesh).get(
        reverse("sku_labels"), {"sku": skus[0].uuid, "copies": copies}
    )
    assert response.status_code == 400
    assert "Copies must be a whole number from 1 to 100." in response.content.decode()
    assert printed == []


def test_at_most_480_labels_at_once(ganesh, horse: Product, skus: list[Sku], printed) -> None:
    for number in range(3):
        add_sku(horse, ganesh, seller_sku=f"GKP-HORSE-{number}")
    client = client_for(ganesh)
    # 5 SKUs × 97 copies are 485 labels
    too_many = client.get(reverse("sku_labels"), {"product": horse.uuid, "copies": "97"})
    assert too_many.status_code == 400
    assert (
        "At most 480 labels at a time: choose fewer SKUs or fewer copies."
        in too_many.content.decode()
    )
    assert printed == []


def test_loading_the_label_module_keeps_truncated_photos_refused() -> None:
    import importlib

    import niryat.catalog.labels
    from niryat.core.imaging import ImagingError, open_photo
    from tests.test_imaging import a_photo, jpeg

    importlib.reload(niryat.catalog.labels)  # as a web worker does when it loads the URLs
    whole = jpeg(a_photo(800, 600))
    with pytest.raises(ImagingError, match="damaged or incomplete"):
        open_photo(whole[: len(whole) // 2])
