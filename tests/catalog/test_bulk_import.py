"""The catalogue import as centre staff use it: a sheet of products and SKUs with a zip of photos,
errors row by row, corrections, re-imports that change nothing, and bad zips refused."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from niryat.catalog import bulk_import
from niryat.catalog.actions import do_add_image, do_add_sku
from niryat.catalog.attributes import ATTRIBUTES
from niryat.catalog.bulk_import import (
    ATTRIBUTE_HEADERS,
    CATALOGUE_SHEET,
    COLUMNS,
    made_seller_sku,
    run_import_job,
    start_import,
)
from niryat.catalog.completeness import checklist
from niryat.catalog.models import CatalogImportJob, Product, ProductImage, Sku
from niryat.core.models import AuditEntry
from niryat.core.sheets.reading import field_for_header, norm
from niryat.registry.actions import do_erase_producer
from tests.catalog.factories import add_sku, run_tasks
from tests.conftest import client_for
from tests.registry.factories import register
from tests.registry.fixtures.sheets import csv_bytes, read_csv, read_xlsx, xlsx_bytes
from tests.test_imaging import a_photo, jpeg

HEADER = [column.header for column in COLUMNS]
FIELDS = [column.field for column in COLUMNS]
FIXTURES = Path(__file__).parent / "fixtures"
RAMU = "98390 12345"  # the mobile of `ramu` (tests/catalog/conftest.py)


def row(**values: str) -> list[str]:
    """A row under HEADER; keyword names are the columns' fields, attribute_<key> for attributes."""
    values = {name.replace("attribute_", "attribute:"): value for name, value in values.items()}
    unknown = set(values) - set(FIELDS)
    assert not unknown, unknown
    return [values.get(name, "") for name in FIELDS]


def column(header_field: str) -> int:
    return FIELDS.index(header_field)


HORSE = {
    "producer": RAMU,
    "product_key": "HORSE-01",
    "category": "Handicrafts",
    "name_hi": "टेराकोटा घोड़ा",
    "name_en": "Terracotta horse",
    "hs_code": "6913.90.00",
    "gst_rate": "5%",
    "handmade": "Yes",
    "generic_name": "Terracotta figurine",
    "manufacturer_name": "Ramu Prajapati",
    "manufacturer_address": "Aurangabad, Gorakhpur 273001",
}
HORSE_SKU = {
    "title_hi": "गोरखपुर टेराकोटा घोड़ा",
    "bullets_en": "Hand-shaped from local clay | Fired in a wood kiln",
    "description_en": "A traditional terracotta horse from Aurangabad village, Gorakhpur.",
    "material": "terracotta clay",
    "attribute_dimensions": "25 × 10 × 30",
    "attribute_finish": "matt",
    "net_quantity": "1",
    "net_quantity_unit": "piece",
    "manufactured_on": "2026-10",
}


def two_products() -> list[list[str]]:
    """Ramu's horse (two SKUs with their own codes, both photos on the first row) and vase (two
    SKUs without codes, its product columns on its first row only)."""
    return [
        row(
            **HORSE,
            **HORSE_SKU,
            seller_sku="HORSE-S",
            size="small",
            title_en="Gorakhpur terracotta horse, handmade, 20 cm",
            mrp="₹ 800",
            price="650",
            weight_g="900",
            length_cm="25",
            width_cm="12",
            height_cm="25",
            stock="12",
            photos="horse-front.jpg; HORSE-SIDE.JPG",
        ),
        row(
            **HORSE,
            **HORSE_SKU,
            seller_sku="HORSE-L",
            size="large",
            title_en="Gorakhpur terracotta horse, handmade, 35 cm",
            mrp="1,200",
            price="950.5",
            weight_g="1800",
            length_cm="40",
            width_cm="18",
            height_cm="40",
            stock="5",
            photos="horse-front.jpg",
        ),
        row(
            producer="+91 98390 12345",
            product_key="vase-01",
            category="हस्तशिल्प",
            name_en="Terracotta vase",
            hs_code="69139000",
            gst_rate="5",
            generic_name="Terracotta vase",
            manufacturer_name="Ramu Prajapati",
            manufacturer_address="Aurangabad, Gorakhpur 273001",
            **{**HORSE_SKU, "attribute_dimensions": "15 × 15 × 30"},
            title_en="Terracotta vase, 30 cm",
            colour="red",
            mrp="600",
            price="500",
            weight_g="1200",
            length_cm="20",
            width_cm="20",
            height_cm="35",
            stock="3",
            photos="vase.jpg",
        ),
        row(
            producer=RAMU,
            product_key="VASE-01",
            **{**HORSE_SKU, "attribute_dimensions": "15 × 15 × 30"},
            title_en="Terracotta vase, 30 cm, black",
            colour="black",
            mrp="600",
            price="550",
            weight_g="1200",
            length_cm="20",
            width_cm="20",
            height_cm="35",
            stock="2",
        ),
    ]


@cache
def photo(name: str) -> bytes:
    """Three photos a perceptual hash tells apart (of one synthetic scene, turned differently)."""
    pictures = {
        "front": lambda: a_photo(seed=1),
        "side": lambda: a_photo(seed=2, vase=(0.45, 0.6)).transpose(
            Image.Transpose.FLIP_LEFT_RIGHT
        ),
        "vase": lambda: a_photo(seed=3, vase=(0.25, 0.75)).transpose(Image.Transpose.ROTATE_180),
    }
    return jpeg(pictures[name]())


def photos_zip(members: dict[str, bytes] | None = None) -> bytes:
    if members is None:
        members = {
            "photos/horse-front.jpg": photo("front"),
            "photos/horse-side.jpg": photo("side"),
            "photos/vase.jpg": photo("vase"),
        }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(
    client: Client, name: str, sheet: bytes, photos: bytes | None = None, **fields: Any
) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, sheet), **fields}
    if photos is not None:
        data["photos"] = SimpleUploadedFile("photos.zip", photos)
    return client.post("/catalogue/import/", data)


def import_file(
    client: Client, name: str, sheet: bytes, photos: bytes | None = None, **fields: Any
) -> CatalogImportJob:
    """Upload a sheet (and zip), let the worker check and import it, and return its job."""
    response = upload(client, name, sheet, photos, **fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    job = CatalogImportJob.objects.get(uuid=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    run_tasks()
    job.refresh_from_db()
    return job


def errors_of(job: CatalogImportJob) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors if e["kind"] == "error"]


def snapshot() -> tuple[int, ...]:
    return (
        Product.objects.count(),
        Sku.objects.count(),
        ProductImage.objects.count(),
        AuditEntry.objects.filter(action__regex=r"^(product|sku|image)\.").count(),
    )


def header(field_name: str) -> str:
    return HEADER[column(field_name)]


# --- The whole journey ---------------------------------------------------------------------


def test_two_products_with_photos_import_whole_and_again_change_nothing(ramu, ganesh):
    client = client_for(ganesh)

    # when Ganesh uploads the sheet of two products, two SKUs each, with a zip of three photos
    sheet, zipped = xlsx_bytes(two_products(), HEADER), photos_zip()
    job = import_file(client, "ramu.xlsx", sheet, zipped)

    # then everything is imported, and the photos are processed
    assert job.status == CatalogImportJob.Status.DONE, job.errors
    assert (job.total_rows, job.error_rows) == (4, 0)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (4, 0, 0)
    assert job.photo_count == 3
    assert job.errors == []
    # and the uploaded sheet and zip are gone: nothing more is to be done with them
    assert (job.file.name, job.photos.name) == ("", "")
    assert job.file_deleted_at is not None
    horse = Product.objects.get(name_en="Terracotta horse")
    vase = Product.objects.get(name_en="Terracotta vase")
    assert (horse.producer, horse.district.name_en, horse.created_by) == (ramu, "Gorakhpur", ganesh)
    assert (horse.category, horse.hs_code, horse.gst_rate, horse.handmade) == (
        "handicrafts",
        "69139000",
        "5",
        True,
    )
    assert horse.odop_product == ramu.odop_product
    assert (vase.category, vase.name_hi) == ("handicrafts", "")
    small, large = horse.skus.order_by("id")
    assert (small.seller_sku, small.size, small.mrp, small.price) == (
        "HORSE-S",
        "small",
        Decimal("800.00"),
        Decimal("650.00"),
    )
    assert (large.seller_sku, large.mrp, large.price, large.stock) == (
        "HORSE-L",
        Decimal("1200.00"),
        Decimal("950.50"),
        5,
    )
    assert large.bullets_en == "Hand-shaped from local clay\nFired in a wood kiln"
    assert large.material == "terracotta clay"
    assert large.attributes == {"dimensions": "25 × 10 × 30", "finish": "matt"}
    assert large.manufactured_on == datetime.date(2026, 10, 1)
    assert (large.weight_g, large.height_cm, large.net_quantity_unit) == (
        1800,
        Decimal("40.0"),
        "piece",
    )
    # The vase's rows had no seller SKU: codes are made from its key and the rows' order.
    assert list(vase.skus.order_by("id").values_list("seller_sku", "colour", "price")) == [
        ("VASE-01-01", "red", Decimal("500.00")),
        ("VASE-01-02", "black", Decimal("550.00")),
    ]
    # "horse-front.jpg" is named on both horse rows: the product has it once, as its main photo.
    assert list(horse.images.values_list("position", "file_name", "status")) == [
        (0, "horse-front.jpg", "ready"),
        (1, "horse-side.jpg", "ready"),
    ]
    assert list(vase.images.values_list("file_name", "status")) == [("vase.jpg", "ready")]
    # completeness is worked out from what was imported: nothing is missing, photos included
    horse.refresh_from_db()
    assert (horse.completeness, horse.missing_codes, checklist(horse).score) == (100, [], 100)
    assert list(Sku.objects.values_list("completeness", flat=True)) == [100, 100, 100, 100]
    assert AuditEntry.objects.filter(action="catalogue.import").count() == 1
    assert AuditEntry.objects.filter(action="sku.create", actor=ganesh).count() == 4
    page = client.get(f"/catalogue/import/{job.uuid}/").content.decode()
    assert "4 new SKUs added." in page
    assert "3 new photos added." in page
    after_first = snapshot()

    # when he uploads the same files once more
    again = import_file(client, "ramu.xlsx", sheet, zipped)

    # then nothing changes
    assert again.status == CatalogImportJob.Status.DONE, again.errors
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)
    assert again.photo_count == 0
    assert again.sha256 == job.sha256
    assert snapshot() == after_first
    page = client.get(f"/catalogue/import/{again.uuid}/").content.decode()
    assert "4 SKUs unchanged." in page
    assert "0 new photos added." in page
    assert "These same files were imported before" in page


def test_a_changed_row_updates_its_sku_and_the_others_stay(ramu, ganesh):
    client = client_for(ganesh)
    rows = two_products()
    import_file(client, "ramu.csv", csv_bytes(rows, HEADER), photos_zip())
    before = Sku.objects.get(seller_sku="VASE-01-02").updated_at

    # when the horse's second row gets a new price, and the CSV is imported again
    rows[1][column("price")] = "999"
    job = import_file(client, "ramu.csv", csv_bytes(rows, HEADER), photos_zip())

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 3)
    assert Sku.objects.get(seller_sku="HORSE-L").price == Decimal("999.00")
    assert Sku.objects.get(seller_sku="VASE-01-02").updated_at == before
    assert AuditEntry.objects.filter(action="sku.update").count() == 1


def test_two_bad_rows_are_listed_and_nothing_is_imported_until_corrected(ramu, ganesh):
    client = client_for(ganesh)
    # given the sheet with a price above the MRP (row 3) and an HS code that does not exist (row 4)
    rows = two_products()
    rows[1][column("price")] = "1500"
    rows[2][column("hs_code")] = "99999999"

    # when Ganesh uploads it
    job = import_file(client, "ramu.xlsx", xlsx_bytes(rows, HEADER), photos_zip())

    # then both rows are listed by their numbers and columns, and nothing is saved
    assert job.status == CatalogImportJob.Status.HAS_ERRORS
    assert (job.total_rows, job.error_rows, job.created_count) == (4, 3, 0)
    assert errors_of(job) == [
        (3, header("price"), "The selling price cannot be above the MRP."),
        (4, header("hs_code"), "There is no HS code 999999 in the HS nomenclature."),
        (5, header("product_key"), "Not imported: the product vase-01 has errors in row 4."),
    ]
    assert snapshot() == (0, 0, 0, 0)
    page = client.get(f"/catalogue/import/{job.uuid}/").content.decode()
    assert "3 rows have errors. Nothing has been imported." in page
    assert f'<td class="num">3</td><td>{header("price")}</td>' in page
    assert "There is no HS code 999999 in the HS nomenclature." in page
    assert "Import the 1 valid row" in page

    # when he downloads the sheet with its errors
    download = client.get(f"/catalogue/import/{job.uuid}/errors/")
    assert download["Content-Disposition"] == 'attachment; filename="ramu-errors.xlsx"'
    sheet = read_xlsx(b"".join(download.streaming_content))
    # then it is his sheet, every row, with an error column
    assert sheet[0] == [*HEADER, "त्रुटि / Error"]
    assert [r[-1] for r in sheet[1:]] == [
        None,
        f"«{header('price')}»: The selling price cannot be above the MRP.",
        f"«{header('hs_code')}»: There is no HS code 999999 in the HS nomenclature.",
        f"«{header('product_key')}»: Not imported: the product vase-01 has errors in row 4.",
    ]

    # when he corrects the two cells in that sheet and uploads it again
    corrected = [list(r) for r in sheet[1:]]
    corrected[1][column("price")] = "950"
    corrected[2][column("hs_code")] = "69139000"
    fixed = import_file(client, "ramu-errors.xlsx", xlsx_bytes(corrected, sheet[0]), photos_zip())

    # then everything is imported
    assert fixed.status == CatalogImportJob.Status.DONE, fixed.errors
    assert (fixed.created_count, fixed.updated_count, fixed.unchanged_count) == (4, 0, 0)
    assert Sku.objects.get(seller_sku="HORSE-L").price == Decimal("950.00")
    assert Product.objects.get(name_en="Terracotta vase").hs_code == "69139000"


def test_the_valid_rows_are_imported_only_when_staff_choose_so(ramu, ganesh):
    client = client_for(ganesh)
    rows = two_products()
    rows[3][column("stock")] = "many"
    job = import_file(client, "ramu.xlsx", xlsx_bytes(rows, HEADER), photos_zip())
    assert job.status == CatalogImportJob.Status.HAS_ERRORS
    assert errors_of(job) == [(5, header("stock"), "«many» is not a whole number.")]
    assert snapshot() == (0, 0, 0, 0)

    # when Ganesh chooses to import the three valid rows
    response = client.post(f"/catalogue/import/{job.uuid}/import-valid-rows/")
    assert response["Location"] == f"/catalogue/import/{job.uuid}/"
    run_tasks()

    job.refresh_from_db()
    assert job.status == CatalogImportJob.Status.DONE
    assert (job.created_count, job.unchanged_count, job.error_rows, job.photo_count) == (3, 0, 1, 3)
    assert sorted(Sku.objects.values_list("seller_sku", flat=True)) == [
        "HORSE-L",
        "HORSE-S",
        "VASE-01-01",
    ]
    page = client.get(f"/catalogue/import/{job.uuid}/").content.decode()
    assert "1 row with errors was skipped." in page
    # a second choice finds nothing waiting
    response = client.post(f"/catalogue/import/{job.uuid}/import-valid-rows/", follow=True)
    assert (
        "This sheet is not waiting for a choice; nothing was changed." in response.content.decode()
    )


def test_a_centres_own_sheet_imports(ramu, ganesh):
    """A sheet as a centre keeps it (tests/catalog/fixtures/make_samples.py): a title row,
    headers in English, Hindi or both, the product's cells merged down its SKU rows, numbers,
    an Excel boolean, a percentage and a date cell, an empty row, a remarks column."""
    zipped = photos_zip(
        {
            "horse-front.jpg": photo("front"),
            "horse-side.jpg": photo("side"),
            "elephant.jpg": photo("vase"),
        }
    )
    sheet = (FIXTURES / "gorakhpur_catalogue.xlsx").read_bytes()
    job = import_file(client_for(ganesh), "gorakhpur_catalogue.xlsx", sheet, zipped)
    assert job.status == CatalogImportJob.Status.DONE, job.errors
    assert (job.total_rows, job.created_count, job.photo_count) == (3, 3, 3)
    horse = Product.objects.get(name_en="Terracotta horse")
    assert (horse.name_hi, horse.hs_code, horse.gst_rate, horse.handmade) == (
        "टेराकोटा घोड़ा",
        "69139000",
        "5",
        True,
    )
    assert list(
        horse.skus.order_by("id").values_list(
            "seller_sku", "net_quantity_unit", "manufactured_on", "mrp", "weight_g"
        )
    ) == [
        ("HORSE-S", "piece", datetime.date(2026, 10, 1), Decimal("800.00"), 900),
        ("HORSE-L", "piece", datetime.date(2026, 10, 1), Decimal("1200.00"), 1800),
    ]
    elephant = Product.objects.get(name_en="Terracotta elephant")
    assert elephant.category == "handicrafts"
    assert list(elephant.skus.values_list("seller_sku", "material", "attributes")) == [
        (
            "ELEPHANT-01-01",
            "terracotta clay",
            {"dimensions": "20 × 10 × 18", "finish": "hand-painted"},
        )
    ]
    assert list(elephant.images.values_list("file_name", flat=True)) == ["elephant.jpg"]


def test_every_attribute_has_a_bilingual_column():
    attribute_columns = {c.field: c for c in COLUMNS if c.field.startswith("attribute:")}
    keys = {a.key for attributes in ATTRIBUTES.values() for a in attributes}
    assert set(attribute_columns) == {f"attribute:{key}" for key in keys}
    assert set(ATTRIBUTE_HEADERS) == keys
    assert attribute_columns["attribute:fabric"].header == "विशेषता: कपड़ा / Attribute: fabric"


def test_no_two_columns_answer_to_one_header():
    fields_of = defaultdict(set)
    for each in (*CATALOGUE_SHEET.columns, *CATALOGUE_SHEET.ignored):
        for text in (each.header, each.hindi, each.english, *each.aliases):
            fields_of[norm(text)].add(each.field)
    assert {name: fields for name, fields in fields_of.items() if len(fields) > 1} == {}
    # A handicraft's material is the SKU's own column, whichever language heads it.
    assert field_for_header("Material", CATALOGUE_SHEET) == "material"
    assert field_for_header("सामग्री", CATALOGUE_SHEET) == "material"
    assert field_for_header("Attribute: material", CATALOGUE_SHEET) is None
    assert field_for_header("fabric", CATALOGUE_SHEET) == "attribute:fabric"


# --- Rows -----------------------------------------------------------------------------------


def test_a_varanasi_producer_is_an_error_for_gorakhpur_staff(ramu, ganesh, vani, varanasi):
    weaver = register(varanasi, vani, name_hi="कबीर अंसारी", mobile="+919839054321", pin="221001")
    rows = two_products()[:1]
    rows.append(row(**{**HORSE, "producer": "9839054321", "product_key": "SAREE-01"}, stock="1"))
    rows.append(row(**{**HORSE, "producer": str(weaver.uuid), "product_key": "SAREE-02"}))

    job = import_file(client_for(ganesh), "mixed.xlsx", xlsx_bytes(rows, HEADER), photos_zip())

    assert errors_of(job) == [
        (3, header("producer"), "No producer of Gorakhpur has the mobile number 9839054321."),
        (4, header("producer"), f"No producer of Gorakhpur has the ID {weaver.uuid}."),
    ]
    assert Product.objects.count() == 0


def test_cells_that_cannot_be_read_say_what_to_write(ramu, ganesh):
    rows = [
        row(
            producer="12345",
            product_key="",
            category="Furniture",
            gst_rate="7",
            made_to_order="perhaps",
            mrp="eight hundred",
            manufactured_on="13/2026",
            net_quantity_unit="bucket",
            attribute_fit="baggy",
        ),
        row(**HORSE, made_to_order="yes", attribute_fabric="cotton", stock="2"),
        row(**{**HORSE, "hs_code": "69139010", "name_en": "Horse"}, stock="2"),
    ]
    client = client_for(ganesh)
    job = import_file(client, "bad.csv", csv_bytes(rows, HEADER))
    assert errors_of(job) == [
        (2, header("producer"), "«12345» is neither a mobile number nor a producer ID."),
        (
            2,
            header("product_key"),
            "Write the product key: the same on each row of one product, like HORSE-01.",
        ),
        (
            2,
            header("category"),
            "«Furniture» is not one of: Garments and textiles, Handicrafts, Khadi, Other goods.",
        ),
        (2, header("gst_rate"), "«7» is not a GST rate. Write one of: 0, 3, 5, 12, 18, 28, 40."),
        (2, header("made_to_order"), "Write yes or no, not «perhaps»."),
        (
            2,
            header("attribute:fit"),
            "«baggy» is not one of: Regular, Slim, Relaxed, Free size.",
        ),
        (2, header("mrp"), "«eight hundred» is not an amount; write it like 1250 or 1250.50."),
        (
            2,
            header("net_quantity_unit"),
            "«bucket» is not one of: piece, pair, set, gram, kilogram, millilitre, litre, metre, "
            "square metre.",
        ),
        (
            2,
            header("manufactured_on"),
            "«13/2026» is not a month; write it like 2026-10 or 10/2026.",
        ),
        (3, header("lead_time_days"), "A made-to-order product needs its lead time in days."),
        (
            3,
            header("attribute:fabric"),
            "A product of the category Handicrafts has no attribute «fabric»; "
            "leave this cell empty.",
        ),
        (4, header("product_key"), "Not imported: the product HORSE-01 has errors in row 3."),
        (
            4,
            header("name_en"),
            "This differs from row 3 of the same product (HORSE-01). Write a product's details "
            "the same on each of its rows, or on its first row only.",
        ),
        (
            4,
            header("hs_code"),
            "This differs from row 3 of the same product (HORSE-01). Write a product's details "
            "the same on each of its rows, or on its first row only.",
        ),
    ]
    assert Product.objects.count() == 0
    # The sheet comes back as CSV, as it was sent, with what to correct beside each row.
    download = client.get(f"/catalogue/import/{job.uuid}/errors/")
    assert download["Content-Disposition"] == 'attachment; filename="bad-errors.csv"'
    sheet = read_csv(b"".join(download.streaming_content))
    assert sheet[0] == [*HEADER, "त्रुटि / Error"]
    assert sheet[2][-1] == (
        f"«{header('lead_time_days')}»: A made-to-order product needs its lead time in days.; "
        f"«{header('attribute:fabric')}»: A product of the category Handicrafts has no attribute "
        "«fabric»; leave this cell empty."
    )


def test_a_row_of_an_existing_sku_updates_it_and_a_new_code_adds_one(horse, ganesh):
    # given Ramu's horse, made on its page, with a SKU
    add_sku(horse, ganesh, seller_sku="HORSE-1")
    # when a sheet names that SKU with a new stock, and a second SKU under the same key
    rows = [
        row(producer=RAMU, product_key="H", seller_sku="horse-1", stock="40"),
        row(producer=RAMU, product_key="H", seller_sku="HORSE-2", mrp="500", price="400"),
    ]
    job = import_file(client_for(ganesh), "stock.xlsx", xlsx_bytes(rows, HEADER))
    # then the SKU is updated (an empty cell leaves its value) and the new one joins the product
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 1, 0), job.errors
    assert list(horse.skus.order_by("id").values_list("seller_sku", "stock", "mrp")) == [
        ("horse-1", 40, Decimal("1200.00")),
        ("HORSE-2", 0, Decimal("500.00")),
    ]
    horse.refresh_from_db()
    assert horse.name_en == "Terracotta horse"


def test_made_seller_skus():
    assert made_seller_sku("horse 01", 2) == "HORSE-01-02"
    assert made_seller_sku("घोड़ा", 1) == ""
    assert len(made_seller_sku("x" * 60, 100)) == 40


def test_hindi_headers_and_a_product_written_once_import(ramu, ganesh):
    hindi_header = [column.hindi for column in COLUMNS]
    rows = two_products()
    for cells in rows[1:2]:  # the horse's second row leaves the product's columns empty
        for name in HORSE:
            if name not in {"producer", "product_key"}:
                cells[column(name)] = ""
    job = import_file(
        client_for(ganesh), "हिन्दी.xlsx", xlsx_bytes(rows, hindi_header), photos_zip()
    )
    assert job.status == CatalogImportJob.Status.DONE, job.errors
    assert job.created_count == 4


# --- Photos ---------------------------------------------------------------------------------


def test_a_corrupt_or_missing_photo_is_an_error_on_the_rows_naming_it(ramu, ganesh):
    members = {
        "horse-front.jpg": photo("front"),
        "horse-side.jpg": b"this is not a photo",
        # A photo's first bytes and then garbage, as a failing memory card leaves it.
        "vase.jpg": photo("vase")[:600] + bytes(range(256)) * 20,
        "notes.txt": b"unused",
    }
    rows = two_products()
    rows[3][column("photos")] = "vase-back.jpg"
    job = import_file(
        client_for(ganesh), "ramu.xlsx", xlsx_bytes(rows, HEADER), photos_zip(members)
    )
    assert errors_of(job) == [
        (
            2,
            header("photos"),
            "«horse-side.jpg»: This file is not a photo we can read. "
            "Please upload a JPEG, PNG, WebP or HEIC photo.",
        ),
        (
            4,
            header("photos"),
            "«vase.jpg»: This photo is damaged or incomplete (perhaps the upload was cut off).",
        ),
        (5, header("photos"), "The zip of photos has no file named «vase-back.jpg»."),
    ]
    warnings = [e["message"] for e in job.errors if e["kind"] == "warning"]
    assert warnings == [
        "1 file in the zip is not named in any row, and was not imported: notes.txt."
    ]
    assert snapshot() == (0, 0, 0, 0)


def test_a_photo_named_without_a_zip_is_an_error(ramu, ganesh):
    job = import_file(client_for(ganesh), "ramu.xlsx", xlsx_bytes(two_products()[:1], HEADER))
    assert errors_of(job) == [
        (
            2,
            header("photos"),
            "The photo «horse-front.jpg» is named here, but no zip of photos was uploaded.",
        ),
        (
            2,
            header("photos"),
            "The photo «HORSE-SIDE.JPG» is named here, but no zip of photos was uploaded.",
        ),
    ]


def test_a_photo_the_product_already_has_is_not_added_again(horse, ganesh):
    # given the horse with a SKU and a photo, uploaded on its page
    add_sku(horse, ganesh, seller_sku="HORSE-9")
    do_add_image(horse, photo("front"), file_name="IMG_0001.jpg", acting_user=ganesh)
    run_tasks()
    # when a sheet names the SKU with the same photo, smaller and saved again, and a new one
    rows = [row(producer=RAMU, product_key="H", seller_sku="HORSE-9", photos="a.jpg, b.jpg")]
    zipped = photos_zip(
        {"a.jpg": jpeg(a_photo(seed=1).resize((1400, 1050))), "b.jpg": photo("side")}
    )
    job = import_file(client_for(ganesh), "more.xlsx", xlsx_bytes(rows, HEADER), zipped)
    # then only the new photo is added
    assert (job.unchanged_count, job.photo_count) == (1, 1), job.errors
    assert [(e["row"], e["kind"], e["message"]) for e in job.errors] == [
        (2, "warning", "«a.jpg» was not added: H already has the same photo, «IMG_0001.jpg».")
    ]
    assert list(horse.images.values_list("file_name", flat=True)) == ["IMG_0001.jpg", "b.jpg"]


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (
            {"../evil.jpg": b"x"},
            "The zip holds «../evil.jpg», a path outside its folder, and was refused. "
            "Zip the photos again from their own folder.",
        ),
        (
            {"/etc/evil.jpg": b"x"},
            "The zip holds «/etc/evil.jpg», a path outside its folder, and was refused. "
            "Zip the photos again from their own folder.",
        ),
        (
            {"bomb.jpg": bytes(51 * 1024 * 1024)},
            "«bomb.jpg» in the zip is 51.0 MB; a photo may be up to 50 MB.",
        ),
    ],
)
def test_a_dangerous_zip_is_refused_before_anything_is_kept(ramu, ganesh, members, message):
    response = upload(
        client_for(ganesh), "ramu.xlsx", xlsx_bytes(two_products(), HEADER), photos_zip(members)
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert CatalogImportJob.objects.count() == 0


def test_too_many_files_or_bytes_in_the_zip_are_refused(ramu, ganesh, monkeypatch):
    client = client_for(ganesh)
    sheet = xlsx_bytes(two_products(), HEADER)
    monkeypatch.setattr(bulk_import, "MAX_ZIP_MEMBERS", 2)
    response = upload(client, "ramu.xlsx", sheet, photos_zip())
    assert "The zip holds 3 files; up to 2 can be imported at once." in response.content.decode()
    monkeypatch.setattr(bulk_import, "MAX_ZIP_MEMBERS", 10)
    monkeypatch.setattr(bulk_import, "MAX_ZIP_BYTES", 1024)
    response = upload(client, "ramu.xlsx", sheet, photos_zip({"a.jpg": bytes(2048)}))
    assert "The photos in the zip come to 0.0 MB unpacked; up to 0 MB" in response.content.decode()
    response = upload(client, "ramu.xlsx", sheet, b"not a zip")
    assert "The photos file is not a zip archive." in response.content.decode()
    assert CatalogImportJob.objects.count() == 0


# --- Pages and who may use them --------------------------------------------------------------


def test_the_template_has_bilingual_headers_and_its_example_imports(ramu, ganesh):
    client = client_for(ganesh)
    page = client.get("/catalogue/import/")
    assert page.status_code == 200
    assert 'href="/catalogue/import/template.xlsx"' in page.content.decode()
    response = client.get("/catalogue/import/template.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="catalogue-template.xlsx"'
    content = b"".join(response.streaming_content)
    assert read_xlsx(content, 0) == [HEADER]
    assert HEADER[:3] == [
        "उत्पादक (मोबाइल या आईडी) / Producer (mobile or ID)",
        "उत्पाद कुंजी / Product key",
        "श्रेणी / Category",
    ]
    instructions = read_xlsx(content, 1)
    assert instructions[0] == ["Column", "Required", "What to write", "Example"]
    assert instructions[1][:2] == [HEADER[0], "Required"]
    example = read_xlsx(content, 2)
    # when the example's rows are copied under the template's header, with its two photos zipped
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for cells in example[1:]:
        workbook.worksheets[0].append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    zipped = photos_zip({"horse-front.jpg": photo("front"), "horse-side.jpg": photo("side")})
    job = import_file(client, "template.xlsx", buffer.getvalue(), zipped)
    # then Ramu (whose mobile the example has) has a horse with two SKUs and two photos
    assert job.status == CatalogImportJob.Status.DONE, job.errors
    assert (job.created_count, job.photo_count) == (2, 2)
    assert ramu.products.get().skus.count() == 2


def test_who_may_import_and_see_imports(ramu, ganesh, gita, sam, prem, vani, alice, gorakhpur):
    job = import_file(
        client_for(ganesh), "ramu.xlsx", xlsx_bytes(two_products(), HEADER), photos_zip()
    )
    url = f"/catalogue/import/{job.uuid}/"
    # Gorakhpur's district officer reads the job but may not import
    assert client_for(gita).get(url).status_code == 200
    assert client_for(gita).get("/catalogue/import/").status_code == 403
    assert client_for(gita).post(f"{url}import-valid-rows/").status_code == 403
    # other districts' staff do not see it; producers see no import pages
    assert client_for(vani).get(url).status_code == 404
    assert client_for(vani).get(f"{url}errors/").status_code == 404
    assert client_for(prem).get(url).status_code == 403
    assert client_for(sam).get("/catalogue/import/").status_code == 403
    # a state administrator imports for the district chosen
    page = client_for(alice).get("/catalogue/import/").content.decode()
    assert 'name="district"' in page
    again = import_file(
        client_for(alice),
        "ramu.xlsx",
        xlsx_bytes(two_products(), HEADER),
        photos_zip(),
        district=gorakhpur.pk,
    )
    assert (again.district, again.unchanged_count) == (gorakhpur, 4)


def test_the_status_part_reloads_while_the_sheet_is_checked(ramu, ganesh):
    client = client_for(ganesh)
    response = upload(client, "ramu.xlsx", xlsx_bytes(two_products(), HEADER), photos_zip())
    job = CatalogImportJob.objects.get()
    assert response["Location"] == f"/catalogue/import/{job.uuid}/"
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/catalogue/import/{job.uuid}/status/"' in page
    assert "Checking the sheet and its photos, row by row…" in page
    run_tasks()
    status = client.get(f"/catalogue/import/{job.uuid}/status/").content.decode()
    assert "hx-get" not in status
    assert "Imported." in status
    job.refresh_from_db()
    assert job.progress is not None
    assert (job.progress.status, job.progress.done, job.progress.total) == ("done", 4, 4)


def test_a_sheet_of_other_columns_waits_for_them_to_be_mapped(ganesh):
    client = client_for(ganesh)
    response = upload(client, "producers.csv", csv_bytes([["x", "y"]], ["Name", "Village"]))
    job = CatalogImportJob.objects.get()
    assert response["Location"] == f"/catalogue/import/{job.uuid}/columns/"
    assert job.status == CatalogImportJob.Status.MAPPING
    assert job.progress is None
    page = client.get(response["Location"]).content.decode()
    assert "Columns of producers.csv" in page
    # mapped without the producer and product columns, it is refused, and nothing starts
    page = client.post(response["Location"], {"column_0": "-", "column_1": "-"}).content.decode()
    assert "Required, but no column holds it and no value is given for all rows" in page
    job.refresh_from_db()
    assert job.status == CatalogImportJob.Status.MAPPING
    assert snapshot() == (0, 0, 0, 0)


def test_importing_again_before_the_photos_are_processed_adds_none_twice(ramu, ganesh):
    # given a sheet imported whose photos wait for the worker
    sheet, zipped = xlsx_bytes(two_products(), HEADER), photos_zip()
    for _time in range(2):
        job = start_import(
            ramu.district,
            SimpleUploadedFile("ramu.xlsx", sheet),
            SimpleUploadedFile("photos.zip", zipped),
            acting_user=ganesh,
            language="en",
        )
        run_import_job(job, language="en")
        job.refresh_from_db()
        assert job.status == CatalogImportJob.Status.DONE, job.errors
    # then the second import found the photos by their kept originals
    assert (job.created_count, job.unchanged_count, job.photo_count) == (0, 4, 0)
    assert set(ProductImage.objects.values_list("status", "phash")) == {("processing", "")}
    assert ProductImage.objects.count() == 3


def test_an_error_while_saving_saves_nothing_and_keeps_no_photo_files(
    ramu, ganesh, media, monkeypatch
):
    # given an action that refuses the last SKU, as if the catalogue changed meanwhile
    calls = []

    def refuse_the_fourth(*args: Any, **kwargs: Any) -> Sku:
        calls.append(kwargs["seller_sku"])
        if len(calls) == 4:
            raise ValidationError({"seller_sku": "Someone took this code."})
        return do_add_sku(*args, **kwargs)

    monkeypatch.setattr(bulk_import, "do_add_sku", refuse_the_fourth)
    job = import_file(
        client_for(ganesh), "ramu.xlsx", xlsx_bytes(two_products(), HEADER), photos_zip()
    )
    # then the job says so, and no product, SKU, photo or photo file is left
    assert job.status == CatalogImportJob.Status.FAILED
    assert errors_of(job) == [
        (
            None,
            "",
            "The catalogue changed while this sheet was being imported (Someone took this code.). "
            "Nothing was saved; upload the sheet again.",
        )
    ]
    assert snapshot() == (0, 0, 0, 0)
    assert not list((media / "catalogue").rglob("*.jpg"))


def test_a_producer_reads_none_of_the_districts_catalogue_imports(ramu, ganesh, prem):
    job = import_file(client_for(ganesh), "ramu.xlsx", xlsx_bytes(two_products(), HEADER))
    assert job.progress is not None
    client = client_for(prem)
    pages = {
        "/catalogue/import/": 403,
        "/catalogue/import/template.xlsx": 403,
        f"/catalogue/import/{job.uuid}/": 403,
        f"/catalogue/import/{job.uuid}/status/": 403,
        f"/catalogue/import/{job.uuid}/errors/": 403,
        f"/progress/{job.progress.uuid}/": 404,
        f"/api/progress/{job.progress.uuid}": 404,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert "ramu.xlsx" not in response.content.decode(), url
    assert client.post(f"/catalogue/import/{job.uuid}/import-valid-rows/").status_code == 403
    assert not CatalogImportJob.objects.visible_to(prem).exists()
    assert CatalogImportJob.objects.visible_to(ganesh).get() == job


def test_erasing_a_producer_empties_their_rows_in_a_kept_catalogue_sheet(ramu, ganesh):
    client = client_for(ganesh)
    # given a catalogue sheet kept for its error sheet: Ramu's rows, one of them wrong, and a
    # row of another producer (named by ID) that is wrong too
    other = register(ganesh.district, ganesh, name_hi="सीता देवी", mobile="98390 55555")
    rows = two_products()
    rows[3][column("stock")] = "many"
    rows.append(row(**{**HORSE, "producer": str(other.uuid), "product_key": "SITA-01"}))
    job = import_file(client, "mixed.csv", csv_bytes(rows, HEADER))
    assert job.status == CatalogImportJob.Status.HAS_ERRORS
    # when Ramu's data is erased
    do_erase_producer(ramu, acting_user=ganesh)
    # then no row of the kept file names him, and the other producer's row is still there
    with job.file.open("rb") as kept:
        text = kept.read().decode("utf-8-sig")
    assert "98390" not in text.replace("98390 55555", "")
    assert "HORSE-01" not in text
    assert str(other.uuid) in text
    # and the error sheet holds only the other producer's row
    sheet = read_csv(
        b"".join(client.get(f"/catalogue/import/{job.uuid}/errors/").streaming_content)
    )
    assert [line[column("producer")] for line in sheet[1:]] == [str(other.uuid)]
