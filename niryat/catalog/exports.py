"""A product list as an XLSX sheet: one row per SKU, with its product's columns beside it.

The header is in the reader's language; the Hindi and English texts sit in columns side by side.
Numbers (prices, stock, weight, package) stay numbers so that a centre can sum and sort them;
every text cell is escaped as the registry's sheets are, so that "=HYPERLINK(...)" typed as a
title never runs as a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, cast

from django.db.models import Field, Model
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from niryat.catalog.completeness import all_check_labels
from niryat.catalog.models import Product, Sku
from niryat.core.sheets.writing import escape_cell
from niryat.core.text import xlsx_safe

Cell = str | int | Decimal | None


def _field_label(model: type[Model], field: str) -> str | Promise:
    """The field's label as the forms show it, so that its Hindi comes with the model's."""
    return capfirst(cast("Field[Any, Any]", model._meta.get_field(field)).verbose_name)


@dataclass(frozen=True)
class Column:
    """A column of the export: its header, width, and its value for a product's SKU (None for a
    product without SKUs, which still gets a row)."""

    header: str | Promise
    width: int
    value: Callable[[Product, Sku | None], Cell]


def _sku(field: str) -> Callable[[Product, Sku | None], Cell]:
    def value(product: Product, sku: Sku | None) -> Cell:
        return getattr(sku, field) if sku is not None else None

    return value


def _missing(product: Product) -> str:
    labels = all_check_labels()
    return ", ".join(str(labels.get(code, code)) for code in product.missing_codes)


COLUMNS: tuple[Column, ...] = (
    Column(_("District"), 14, lambda product, sku: product.district.name),
    Column(_field_label(Product, "producer"), 24, lambda product, sku: str(product.producer)),
    Column(
        _field_label(Product, "odop_product"),
        20,
        lambda product, sku: product.odop_product.name if product.odop_product else "",
    ),
    Column(_("Product (Hindi)"), 28, lambda product, sku: product.name_hi),
    Column(_("Product (English)"), 28, lambda product, sku: product.name_en),
    Column(
        _field_label(Product, "category"),
        16,
        lambda product, sku: product.get_category_display(),
    ),
    Column(_field_label(Product, "hs_code"), 10, lambda product, sku: product.hs_code),
    Column(
        _field_label(Product, "gst_rate"),
        8,
        lambda product, sku: product.get_gst_rate_display() if product.gst_rate else "",
    ),
    Column(_field_label(Sku, "seller_sku"), 18, _sku("seller_sku")),
    Column(_("Variant"), 20, _sku("variant")),
    Column(_field_label(Sku, "title_hi"), 40, _sku("title_hi")),
    Column(_field_label(Sku, "title_en"), 40, _sku("title_en")),
    Column(_field_label(Sku, "mrp"), 10, _sku("mrp")),
    Column(_field_label(Sku, "price"), 10, _sku("price")),
    Column(_field_label(Sku, "stock"), 8, _sku("stock")),
    Column(_field_label(Sku, "weight_g"), 10, _sku("weight_g")),
    Column(_field_label(Sku, "length_cm"), 10, _sku("length_cm")),
    Column(_field_label(Sku, "width_cm"), 10, _sku("width_cm")),
    Column(_field_label(Sku, "height_cm"), 10, _sku("height_cm")),
    Column(_field_label(Product, "completeness"), 10, lambda product, sku: product.completeness),
    Column(_("Still missing"), 40, lambda product, sku: _missing(product)),
)


def export_header() -> list[str]:
    return [str(column.header) for column in COLUMNS]


def export_rows(products: Iterable[Product]) -> Iterator[list[Cell]]:
    """A row per SKU of each product (one row for a product without SKUs). Expects `district`,
    `producer`, `odop_product` and `skus` fetched with the products."""
    for product in products:
        skus: list[Sku | None] = [*product.skus.all()] or [None]
        for sku in skus:
            yield [column.value(product, sku) for column in COLUMNS]


def _xlsx_value(value: Cell) -> Cell:
    if value is None or isinstance(value, int | Decimal):
        return value
    return xlsx_safe(escape_cell(value)) or None


def write_products_xlsx(products: Iterable[Product], title: str, target: IO[bytes]) -> None:
    """Write the export of `products` as one worksheet, streamed (openpyxl's write-only mode
    keeps the rows on disk, not in memory)."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=title[:31])
    worksheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    header = []
    for text in export_header():
        cell = WriteOnlyCell(worksheet, value=_xlsx_value(text))
        cell.font = bold
        cell.alignment = wrap
        header.append(cell)
    worksheet.append(header)
    for row in export_rows(products):
        worksheet.append([_xlsx_value(value) for value in row])
    workbook.save(target)
