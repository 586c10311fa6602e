"""GeM as a Niryat channel: its catalogue rules, and the catalogue sheet for a GeM upload.

GeM has no public seller API (`has_api` is false): staff upload the sheet's data on the GeM
portal and record the catalogue id and status by hand. The sheet's column names are GeM's own
field names, as the portal shows them, so they stay in English.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from niryat.catalog.attributes import attributes_for
from niryat.catalog.completeness import Problem
from niryat.catalog.models import Category, ProductImage, Sku
from niryat.channels.base import Channel
from niryat.channels.files.workbook import Sheet, workbook_bytes
from niryat.channels.gem.documents import document_checklist
from niryat.channels.media import public_image_urls
from niryat.registry.models import Producer

CODE = "gem"
HSN_DIGITS = 8
MAX_IMAGES = 4
COUNTRY_NAMES = {"IN": "India"}
# Specifications GeM's product forms ask for, by our category: (our field, what to say).
SPECIFICATIONS: dict[str, tuple[tuple[str, StrOrPromise], ...]] = {
    Category.GARMENTS: (
        ("size", _("GeM's garment specifications need the size.")),
        ("colour", _("GeM's garment specifications need the colour.")),
        ("attributes.fabric", _("GeM's garment specifications need the fabric.")),
    ),
    Category.KHADI: (
        ("colour", _("GeM's khadi specifications need the colour.")),
        ("attributes.fibre", _("GeM's khadi specifications need the fibre.")),
    ),
    Category.HANDICRAFTS: (
        ("material", _("GeM's handicraft specifications need the material.")),
        ("attributes.dimensions", _("GeM's handicraft specifications need the dimensions.")),
    ),
}
HEADER = (
    "Product Title",
    "Brand",
    "Model / Seller SKU",
    "Category",
    "HSN Code",
    "GST Rate (%)",
    "MRP (INR)",
    "Offer Price (INR)",
    "Minimum Order Quantity",
    "Stock Quantity",
    "Country of Origin",
    "Local Content (%)",
    "Warranty",
    "Colour",
    "Size",
    "Material",
    "Specifications",
    "Weight (g)",
    "Length (cm)",
    "Width (cm)",
    "Height (cm)",
    "Lead Time (days)",
    "Description",
    *(f"Image {n}" for n in range(1, MAX_IMAGES + 1)),
)


def _value(sku: Sku, field: str) -> str:
    if field.startswith("attributes."):
        return str((sku.attributes or {}).get(field.split(".", 1)[1], "")).strip()
    return str(getattr(sku, field, "")).strip()


def brand(sku: Sku) -> str:
    """The producer's brand, if it has one approved on GeM; an artisan's goods go as Unbranded."""
    return str((sku.attributes or {}).get("brand") or "Unbranded")


def local_content(sku: Sku) -> int | None:
    """The local content share (Make in India order) the seller declares: what staff entered, or
    100 for handmade goods made in India."""
    entered = str((sku.attributes or {}).get("local_content", "")).strip()
    if entered.isdigit():
        return int(entered)
    product = sku.product
    return 100 if product.country_of_origin == "IN" and product.handmade else None


def specifications(sku: Sku) -> str:
    labels = {attribute.key: attribute.label for attribute in attributes_for(sku.product.category)}
    return "; ".join(
        f"{labels.get(key, key)}: {value}" for key, value in (sku.attributes or {}).items() if value
    )


class GemChannel(Channel):
    """GeM: validate against its catalogue rules, build the upload sheet; no API to call."""

    code: ClassVar[str] = CODE
    name: ClassVar[StrOrPromise] = "GeM"
    has_api: ClassVar[bool] = False

    def validate(self, sku: Sku) -> list[Problem]:
        product = sku.product
        problems: list[Problem] = []

        def problem(field: str, message: Any) -> None:
            problems.append(Problem(CODE, field, message))

        if not sku.title_en.strip():
            problem("title_en", _("GeM needs the English product title."))
        if sku.mrp is None:
            problem("mrp", _("GeM needs the MRP."))
        if sku.price is None:
            problem("price", _("GeM needs the offer price."))
        if len(product.hs_code) != HSN_DIGITS:
            problem(
                "hs_code",
                format_lazy(_("GeM needs the {digits}-digit HSN code."), digits=HSN_DIGITS),
            )
        if not product.gst_rate:
            problem("gst_rate", _("GeM needs the GST rate."))
        if not product.country_of_origin:
            problem("country_of_origin", _("GeM needs the country of origin."))
        elif local_content(sku) is None:
            problem(
                "attributes.local_content",
                _("GeM needs the local content share (per cent) the seller declares."),
            )
        if not any(image.status == ProductImage.Status.READY for image in product.images.all()):
            problem("images", _("GeM needs at least one photo."))
        if sku.stock == 0 and not product.made_to_order:
            problem("stock", _("GeM needs the stock that buyers can order."))
        for field, message in SPECIFICATIONS.get(product.category, ()):
            if not _value(sku, field):
                problem(field, message)
        return problems

    def row(self, sku: Sku) -> list[Any]:
        product = sku.product
        images = public_image_urls(sku)[:MAX_IMAGES]
        return [
            sku.title_en,
            brand(sku),
            sku.seller_sku,
            product.get_category_display(),
            product.hs_code,
            int(product.gst_rate) if product.gst_rate else None,
            sku.mrp,
            sku.price,
            1,
            sku.stock,
            COUNTRY_NAMES.get(product.country_of_origin, product.country_of_origin),
            local_content(sku),
            "Not applicable",
            sku.colour,
            sku.size,
            sku.material,
            specifications(sku),
            sku.weight_g,
            sku.length_cm,
            sku.width_cm,
            sku.height_cm,
            product.lead_time_days,
            sku.description_en,
            *(images + [None] * (MAX_IMAGES - len(images))),
        ]

    def build(self, skus: Sequence[Sku]) -> bytes:
        """The catalogue sheet (one row per SKU) and, beside it, each producer's documents."""
        producers: dict[int, Producer] = {}
        for sku in skus:
            producers.setdefault(sku.product.producer_id, sku.product.producer)
        documents = [
            [str(producer), str(item.document), item.present, str(item.note)]
            for producer in producers.values()
            for item in document_checklist(producer)
        ]
        return workbook_bytes(
            [
                Sheet("Catalogue", HEADER, [self.row(sku) for sku in skus]),
                Sheet(
                    str(_("Documents")),
                    [str(_("Producer")), str(_("Document")), str(_("Held")), str(_("Note"))],
                    documents,
                    width=40,
                ),
            ]
        )
