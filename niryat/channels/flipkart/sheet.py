"""The files staff move by hand between Niryat and Flipkart's Seller Hub.

- `catalogue_sheet(skus)`: the bulk catalogue (listing) workbook for products not yet in
  Flipkart's catalogue, one sheet per vertical, laid out like Seller Hub's templates: a row of
  attribute names, a row saying what each needs, then one row per SKU.
- `parse_fsn_report(xlsx)`: Seller Hub's listing report, read back for the FSN that Flipkart gave
  each seller SKU ("Seller SKU Id" → "Flipkart Serial Number"), which staff then record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from niryat.catalog.models import Sku
from niryat.channels.flipkart.listing import (
    FSN_PATTERN,
    MAX_IMAGES,
    Vertical,
    VerticalAttribute,
    dispatch_sla,
    fulfilled_by_flipkart,
    procurement_type,
    rupees,
    tax_code,
    vertical_for,
    weight_kg,
)
from niryat.channels.media import public_image_urls
from niryat.core.text import xlsx_safe

HEADER_ROW = 1  # Flipkart's attribute names
HELP_ROW = 2  # mandatory or optional, and the unit
FIRST_DATA_ROW = 3
REPORT_SKU = "seller sku id"
REPORT_FSN = "flipkart serial number"


@dataclass(frozen=True)
class Column:
    header: str
    help: str
    value: Callable[[Sku, dict[str, Any]], Any]


def _images(sku: Sku, context: dict[str, Any]) -> list[str]:
    urls: list[str] = context["images"]
    return urls[:MAX_IMAGES]


def _image(position: int) -> Callable[[Sku, dict[str, Any]], str]:
    def value(sku: Sku, context: dict[str, Any]) -> str:
        urls = _images(sku, context)
        return urls[position] if position < len(urls) else ""

    return value


def _features(sku: Sku) -> str:
    return "::".join(sku.bullet_list("en"))


def _manufacturer(sku: Sku) -> str:
    product = sku.product
    parts = (product.manufacturer_name, product.manufacturer_address)
    return ", ".join(part for part in parts if part)


COMMON_BEFORE: tuple[Column, ...] = (
    Column("Seller SKU ID", "Mandatory", lambda sku, c: sku.seller_sku),
    Column("Listing Status", "Mandatory: Active / Inactive", lambda sku, c: "Active"),
    Column("MRP (INR)", "Mandatory, whole rupees", lambda sku, c: rupees(sku.mrp or Decimal(0))),
    Column(
        "Your selling price (INR)",
        "Mandatory, whole rupees",
        lambda sku, c: rupees(sku.price or Decimal(0)),
    ),
    Column(
        "Fullfilment by",
        "Mandatory: Seller / Flipkart",
        lambda sku, c: "Flipkart" if fulfilled_by_flipkart(c["settings"]) else "Seller",
    ),
    Column(
        "Procurement type",
        "Mandatory: REGULAR / MADE_TO_ORDER",
        lambda sku, c: procurement_type(sku),
    ),
    Column("Procurement SLA (DAY)", "Mandatory", lambda sku, c: dispatch_sla(sku, c["settings"])),
    Column("Stock", "Mandatory", lambda sku, c: sku.stock),
    Column("Shipping provider", "Mandatory", lambda sku, c: "Flipkart"),
    Column("Local delivery charge to customer (INR)", "Optional", lambda sku, c: 0),
    Column("Zonal delivery charge to customer (INR)", "Optional", lambda sku, c: 0),
    Column("National delivery charge to customer (INR)", "Optional", lambda sku, c: 0),
    Column("Length (CM)", "Mandatory, package", lambda sku, c: float(sku.length_cm or 0)),
    Column("Breadth (CM)", "Mandatory, package", lambda sku, c: float(sku.width_cm or 0)),
    Column("Height (CM)", "Mandatory, package", lambda sku, c: float(sku.height_cm or 0)),
    Column("Weight (KG)", "Mandatory, package", lambda sku, c: weight_kg(sku)),
    Column("HSN", "Mandatory", lambda sku, c: sku.product.hs_code),
    Column("Tax Code", "Mandatory", lambda sku, c: tax_code(sku, c["vertical"])),
    Column("Country Of Origin", "Mandatory", lambda sku, c: sku.product.country_of_origin),
    Column("Manufacturer Details", "Mandatory", lambda sku, c: _manufacturer(sku)),
    Column("Packer Details", "Mandatory", lambda sku, c: _manufacturer(sku)),
    Column(
        "Brand",
        "Mandatory: Generic if unbranded",
        lambda sku, c: str((sku.attributes or {}).get("brand") or "Generic"),
    ),
    Column("Model Name", "Mandatory", lambda sku, c: sku.title_en.strip()),
)
COMMON_AFTER: tuple[Column, ...] = (
    Column("Main Image URL", "Mandatory", _image(0)),
    *(Column(f"Other Image URL {n}", "Optional", _image(n)) for n in range(1, MAX_IMAGES)),
    Column("Description", "Optional", lambda sku, c: sku.description_en.strip()),
    Column("Key Features", "Optional, separated by ::", lambda sku, c: _features(sku)),
)


def _attribute_value(attribute: VerticalAttribute) -> Callable[[Sku, dict[str, Any]], str]:
    return lambda sku, context: attribute.value(sku)


def columns_for(vertical: Vertical) -> list[Column]:
    specific = [
        Column(
            attribute.header,
            "Mandatory" if attribute.required else "Optional",
            _attribute_value(attribute),
        )
        for attribute in vertical.attributes
    ]
    return [*COMMON_BEFORE, *specific, *COMMON_AFTER]


def catalogue_sheet(skus: Iterable[Sku], settings: dict[str, Any] | None = None) -> bytes:
    """The bulk catalogue workbook for these SKUs (those with no vertical are left out)."""
    by_vertical: dict[str, list[Sku]] = {}
    verticals: dict[str, Vertical] = {}
    for sku in skus:
        vertical = vertical_for(sku)
        if vertical is None:
            continue
        verticals[vertical.name] = vertical
        by_vertical.setdefault(vertical.name, []).append(sku)
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name in sorted(by_vertical):
        vertical = verticals[name]
        sheet = workbook.create_sheet(name)
        columns = columns_for(vertical)
        for index, column in enumerate(columns, start=1):
            sheet.cell(HEADER_ROW, index, column.header).font = Font(bold=True)
            sheet.cell(HELP_ROW, index, column.help).font = Font(italic=True)
        for row, sku in enumerate(by_vertical[name], start=FIRST_DATA_ROW):
            context = {
                "settings": settings or {},
                "vertical": vertical,
                "images": public_image_urls(sku),
            }
            for index, column in enumerate(columns, start=1):
                sheet.cell(row, index, xlsx_safe(column.value(sku, context)))
        sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 2)
    if not workbook.sheetnames:
        workbook.create_sheet("empty")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_positions(row: Sequence[Any]) -> tuple[int, int] | None:
    names = [str(cell).strip().lower() if cell is not None else "" for cell in row]
    if REPORT_SKU in names and REPORT_FSN in names:
        return names.index(REPORT_SKU), names.index(REPORT_FSN)
    return None


def parse_fsn_report(content: bytes) -> dict[str, str]:
    """Seller SKU → FSN from Seller Hub's listing report (any sheet; the header row may sit below
    a title row). Rows without a well-formed FSN are skipped: the product is not catalogued yet.
    Raises ValueError when the file is not such a report."""
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not xlsx
        raise ValueError(str(_("This is not an Excel (.xlsx) file."))) from exc
    found: dict[str, str] = {}
    header_seen = False
    for sheet in workbook.worksheets:
        positions = None
        for row in sheet.iter_rows(values_only=True):
            if positions is None:
                positions = _header_positions(row)
                continue
            header_seen = True
            sku_at, fsn_at = positions
            sku = str(row[sku_at] or "").strip() if sku_at < len(row) else ""
            fsn = str(row[fsn_at] or "").strip().upper() if fsn_at < len(row) else ""
            if sku and FSN_PATTERN.match(fsn):
                found[sku] = fsn
        header_seen = header_seen or positions is not None
    workbook.close()
    if not header_seen:
        raise ValueError(
            str(
                format_lazy(
                    _('No sheet has the columns "{sku}" and "{fsn}": is this the listing report?'),
                    sku="Seller SKU Id",
                    fsn="Flipkart Serial Number",
                )
            )
        )
    return found
