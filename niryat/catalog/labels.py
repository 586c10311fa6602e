"""SKU labels for the centre's shelves: an A4 sheet of 24 labels (3 × 8, 63.5 × 33.9 mm, the size of
common label stock), each with the Hindi and English title, the variant, the seller SKU code, the
MRP, a Code 128 barcode of the code and a QR code linking to the product's page.

The PDF is drawn by WeasyPrint from a Django template. Devanagari is set in Noto Sans Devanagari
from its PyPI package, so a machine needs no system font, only Pango (which shapes the conjuncts).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import segno
from barcode import Code128
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from PIL import Image, ImageFile
from weasyprint.document import Document

from niryat.catalog.models import Product, Sku
from niryat.core.money import rupees
from niryat.core.pdf import font_context, layout

# Importing WeasyPrint makes Pillow accept truncated images for the whole process; our labels
# hold only images we draw, and uploaded photos must still be refused when cut off.
ImageFile.LOAD_TRUNCATED_IMAGES = False

LABELS_PER_SHEET = 24
MAX_COPIES = 100
# A sheet of 24 takes about a quarter of a second to lay out and write: 20 sheets, a few seconds.
MAX_LABELS = 480
# Code 128 wants ten modules of white on each side for a scanner to find the bars.
QUIET_ZONE = 10
# A module (the narrowest bar) of 0.33 mm scans well from paper; a long code gets narrower bars so
# that it fits the label's width.
MODULE_MM = Decimal("0.33")
BARCODE_MAX_MM = Decimal("60.5")


@dataclass(frozen=True)
class Label:
    """What one label shows."""

    title_hi: str
    title_en: str
    variant: str
    seller_sku: str
    mrp: str
    barcode_uri: str
    barcode_width: str
    qr_uri: str


def mrp_text(mrp: Decimal | None) -> str:
    if mrp is None:
        return ""
    return _("MRP %(amount)s (incl. of all taxes)") % {"amount": rupees(mrp)}


def code128_modules(code: str) -> str:
    """The bars (1) and spaces (0) of a Code 128 barcode of `code`, with its quiet zones."""
    return f"{'0' * QUIET_ZONE}{Code128(code).build()[0]}{'0' * QUIET_ZONE}"


def code128_png(modules: str) -> bytes:
    """The barcode as a PNG one pixel high, a pixel per module, for the PDF to stretch (without
    smoothing, so every bar keeps its exact width)."""
    image = Image.new("1", (len(modules), 1), 1)
    image.putdata([0 if module == "1" else 1 for module in modules])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def qr_png(url: str) -> bytes:
    """A QR code of `url` as a PNG, a pixel per module, with its quiet zone."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=1, border=2)
    return buffer.getvalue()


def png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def label_for(sku: Sku, product_url: str) -> Label:
    product = sku.product
    modules = code128_modules(sku.seller_sku)
    return Label(
        title_hi=sku.title_hi or product.name_hi,
        title_en=sku.title_en or product.name_en,
        variant=sku.variant,
        seller_sku=sku.seller_sku,
        mrp=mrp_text(sku.mrp),
        barcode_uri=png_uri(code128_png(modules)),
        barcode_width=f"{min(MODULE_MM * len(modules), BARCODE_MAX_MM)}mm",
        qr_uri=png_uri(qr_png(product_url)),
    )


def _repeated(labels: Iterable[Label], copies: int) -> Iterator[Label]:
    for label in labels:
        for _copy in range(copies):
            yield label


def sheets_of(labels: Sequence[Label]) -> list[Sequence[Label]]:
    return [
        labels[start : start + LABELS_PER_SHEET]
        for start in range(0, len(labels), LABELS_PER_SHEET)
    ]


def label_sheet_document(
    skus: Sequence[Sku], *, copies: int, product_url: Callable[[Product], str]
) -> Document:
    """The laid-out label sheets: `copies` labels of each SKU, in order. Expects each SKU's
    product fetched with it."""
    if not 1 <= copies <= MAX_COPIES:
        raise ValueError(f"copies must be 1 to {MAX_COPIES}, not {copies}")
    labels = list(_repeated((label_for(sku, product_url(sku.product)) for sku in skus), copies))
    html = render_to_string(
        "catalog/labels.html",
        {"sheets": sheets_of(labels), **font_context()},
    )
    return layout(html, data_urls=True)


def label_sheet_pdf(
    skus: Sequence[Sku], *, copies: int, product_url: Callable[[Product], str]
) -> bytes:
    """The label sheets as a PDF (see `label_sheet_document`)."""
    pdf: bytes = label_sheet_document(skus, copies=copies, product_url=product_url).write_pdf()
    return pdf
