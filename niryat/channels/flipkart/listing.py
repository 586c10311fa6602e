"""What Flipkart asks of a SKU: its rules (`problems`), the catalogue vertical it goes into, and the
Listing API v3 payload for a SKU whose FSN is known.

A Flipkart listing is an offer on a product of Flipkart's catalogue, named by its FSN (Flipkart
Serial Number, 16 letters and digits). The API lists only products already in the catalogue; a
new product enters it through the bulk catalogue sheet staff upload in Seller Hub (sheet.py), and
the FSN Flipkart gives it is recorded on our Listing (`external_id`). So the rules here are those
of the sheet and of the listing alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Category, ProductImage, Sku
from niryat.channels.english import devanagari_problems

CHECK = "flipkart"
FSN_PATTERN = re.compile(r"^[A-Z0-9]{16}$")
# Seller Hub's model name (from which Flipkart composes the buyer's title), in characters.
MODEL_NAME_MAX = 100
# Flipkart shows at most this many photos per listing; more are left out of the sheet.
MAX_IMAGES = 10
# Days to dispatch a product in stock, unless the account's settings say otherwise.
DEFAULT_DISPATCH_SLA = 2
PRODUCT_URL = "https://www.flipkart.com/product/p/itme?pid={fsn}"


@dataclass(frozen=True)
class VerticalAttribute:
    header: str  # Flipkart's attribute name, as its templates spell it
    value: Callable[[Sku], str]
    field: str  # our field that holds it
    required: bool = True


@dataclass(frozen=True)
class Vertical:
    """A Flipkart catalogue vertical: one sheet of the bulk catalogue, with its own attributes.
    Apparel is taxed by price (`GST_APPAREL`); everything else at the product's GST rate."""

    name: str
    label: str
    apparel: bool
    attributes: tuple[VerticalAttribute, ...]


def _fabric(sku: Sku) -> str:
    attributes = sku.attributes or {}
    return str(
        attributes.get("fabric") or sku.in_english("material") or attributes.get("fibre") or ""
    ).strip()


def _attribute(key: str) -> Callable[[Sku], str]:
    return lambda sku: str((sku.attributes or {}).get(key, "")).strip()


def _style_code(sku: Sku) -> str:
    # Variants (sizes, colours) of one product share Flipkart's style code.
    return f"NIR-{sku.product.uuid.hex[:10].upper()}"


def _fabric_field(sku: Sku) -> str:
    return "attributes.fabric" if sku.product.category == Category.GARMENTS else "material"


COLOUR = VerticalAttribute("Color", lambda sku: sku.in_english("colour"), "colour")
KURTA = Vertical(
    "kurta",
    "Kurta",
    apparel=True,
    attributes=(
        VerticalAttribute("Style Code", _style_code, "", required=False),
        VerticalAttribute("Size", lambda sku: sku.in_english("size"), "size"),
        COLOUR,
        VerticalAttribute("Fabric", _fabric, "attributes.fabric"),
        VerticalAttribute("Weave Type", _attribute("weave"), "attributes.weave", required=False),
        VerticalAttribute("Fabric Care", _attribute("care"), "attributes.care", required=False),
    ),
)
SAREE = Vertical(
    "saree",
    "Saree",
    apparel=False,
    attributes=(
        VerticalAttribute("Style Code", _style_code, "", required=False),
        COLOUR,
        VerticalAttribute("Fabric", _fabric, "attributes.fabric"),
        VerticalAttribute("Weave Type", _attribute("weave"), "attributes.weave", required=False),
    ),
)
FABRIC = Vertical(
    "fabric",
    "Fabric",
    apparel=False,
    attributes=(
        COLOUR,
        VerticalAttribute("Fabric", _fabric, "attributes.fabric"),
        VerticalAttribute(
            "Width (cm)", _attribute("fabric_width"), "attributes.fabric_width", required=False
        ),
        VerticalAttribute("Weave Type", _attribute("weave"), "attributes.weave", required=False),
    ),
)
SHOWPIECE = Vertical(
    "showpiece",
    "Showpiece",
    apparel=False,
    attributes=(
        VerticalAttribute("Material", lambda sku: sku.in_english("material"), "material"),
        VerticalAttribute("Color", lambda sku: sku.in_english("colour"), "colour", required=False),
        VerticalAttribute("Finish", _attribute("finish"), "attributes.finish", required=False),
        VerticalAttribute(
            "Product Dimensions (cm)",
            _attribute("dimensions"),
            "attributes.dimensions",
            required=False,
        ),
    ),
)
VERTICALS = {vertical.name: vertical for vertical in (KURTA, SAREE, FABRIC, SHOWPIECE)}
# Words of a textile's name or title that choose its vertical; the first that matches wins.
TEXTILE_WORDS = ((KURTA, ("kurta", "kurti")), (SAREE, ("saree", "sari")))


def vertical_for(sku: Sku) -> Vertical | None:
    """The vertical a SKU is catalogued in; None when we have no mapping (staff list it by hand)."""
    category = sku.product.category
    if category == Category.HANDICRAFTS:
        return SHOWPIECE
    if category in (Category.KHADI, Category.GARMENTS):
        text = f"{sku.product.name_en} {sku.title_en}".lower()
        for vertical, words in TEXTILE_WORDS:
            if any(word in text for word in words):
                return vertical
        return FABRIC
    return None


def rupees(amount: Decimal) -> int:
    """Flipkart's prices are whole rupees."""
    return int(amount.to_integral_value(rounding=ROUND_HALF_UP))


def is_whole(amount: Decimal) -> bool:
    return amount == amount.to_integral_value()


def tax_code(sku: Sku, vertical: Vertical | None) -> str:
    """Flipkart's GST tax code: GST_APPAREL (rate by price) for apparel, else GST_<rate>."""
    if vertical is not None and vertical.apparel:
        return "GST_APPAREL"
    return f"GST_{sku.product.gst_rate}" if sku.product.gst_rate else ""


def dispatch_sla(sku: Sku, settings: dict[str, Any]) -> int:
    if sku.product.made_to_order and sku.product.lead_time_days:
        return int(sku.product.lead_time_days)
    return int(settings.get("dispatch_sla") or DEFAULT_DISPATCH_SLA)


def procurement_type(sku: Sku) -> str:
    return "MADE_TO_ORDER" if sku.product.made_to_order else "REGULAR"


def fulfilled_by_flipkart(settings: dict[str, Any]) -> bool:
    """Flipkart Assured (FBF): Flipkart holds the stock in its warehouses, sent by consignment."""
    return settings.get("fulfilment") == "flipkart"


def weight_kg(sku: Sku) -> float:
    return float((Decimal(sku.weight_g or 0) / 1000).quantize(Decimal("0.001")))


def _cm(value: Decimal | None) -> float:
    return float(value or 0)


def price_block(sku: Sku) -> dict[str, Any]:
    return {
        "mrp": rupees(sku.mrp or Decimal(0)),
        "selling_price": rupees(sku.price or Decimal(0)),
        "currency": "INR",
    }


def locations_block(settings: dict[str, Any], quantity: int) -> list[dict[str, Any]]:
    if fulfilled_by_flipkart(settings):
        return []
    return [
        {"id": str(settings.get("location_id", "")), "status": "ENABLED", "inventory": quantity}
    ]


def listing_payload(
    sku: Sku, fsn: str, settings: dict[str, Any], *, quantity: int, status: str = "ACTIVE"
) -> dict[str, Any]:
    """One SKU's CreateListingRequest (Listing API v3), also the body of an update."""
    by_flipkart = fulfilled_by_flipkart(settings)
    return {
        "product_id": fsn,
        "price": price_block(sku),
        "tax": {"hsn": sku.product.hs_code, "tax_code": tax_code(sku, vertical_for(sku))},
        "listing_status": status,
        "shipping_fees": {"local": 0, "zonal": 0, "national": 0, "currency": "INR"},
        "fulfillment_profile": "FBF" if by_flipkart else "NON_FBF",
        "fulfillment": {
            "dispatch_sla": dispatch_sla(sku, settings),
            "shipping_provider": "FLIPKART",
            "procurement_type": procurement_type(sku),
        },
        "packages": [
            {
                "name": sku.seller_sku,
                "dimensions": {
                    "length": _cm(sku.length_cm),
                    "breadth": _cm(sku.width_cm),
                    "height": _cm(sku.height_cm),
                },
                "weight": weight_kg(sku),
                "description": "",
                "handling": {"fragile": sku.product.category == Category.HANDICRAFTS},
            }
        ],
        "locations": locations_block(settings, quantity),
    }


def _ready_images(sku: Sku) -> list[ProductImage]:
    images = sku.product.images.all()
    return [image for image in images if image.status == ProductImage.Status.READY]


def problems(sku: Sku) -> list[Problem]:
    """Flipkart's own rules for a SKU (local, no network)."""
    product = sku.product
    vertical = vertical_for(sku)
    found: list[Problem] = []

    def add(field: str, message: Any) -> None:
        found.append(Problem(CHECK, field, message))

    if vertical is None:
        add(
            "category",
            _("Niryat has no Flipkart catalogue for this category: staff list it in Seller Hub."),
        )
    if sku.mrp is None or sku.price is None:
        add("price", _("Flipkart needs the MRP and the selling price."))
    else:
        if sku.price > sku.mrp:
            add("price", _("On Flipkart the selling price may not be above the MRP."))
        if sku.price <= 0:
            add("price", _("Flipkart needs a selling price above zero."))
        for name, amount in (("mrp", sku.mrp), ("price", sku.price)):
            if not is_whole(amount):
                add(name, _("Flipkart takes prices in whole rupees: remove the paise."))
    if not product.hs_code:
        add("hs_code", _("Flipkart needs the HSN code."))
    if not tax_code(sku, vertical):
        add("gst_rate", _("Flipkart needs the GST rate."))
    if product.made_to_order:
        if not product.lead_time_days:
            add("lead_time_days", _("Flipkart needs the lead time of a made-to-order product."))
    elif sku.stock == 0:
        add("stock", _("Flipkart lists what is in stock: enter it, or mark it made to order."))
    if not sku.weight_g:
        add("weight_g", _("Flipkart needs the packed weight."))
    if not (sku.length_cm and sku.width_cm and sku.height_cm):
        add("length_cm", _("Flipkart needs the package length, breadth and height."))
    if not _ready_images(sku):
        add("images", _("Flipkart needs at least one processed product photo."))
    title = sku.title_en.strip()
    if not title:
        add("title_en", _("Flipkart needs the English title (it becomes the model name)."))
    elif len(title) > MODEL_NAME_MAX:
        add(
            "title_en",
            format_lazy(
                _("Too long for Flipkart: {length} characters, at most {maximum}."),
                length=len(title),
                maximum=MODEL_NAME_MAX,
            ),
        )
    if vertical is not None:
        for attribute in vertical.attributes:
            if attribute.required and not attribute.value(sku):
                field = _fabric_field(sku) if attribute.header == "Fabric" else attribute.field
                add(
                    field,
                    format_lazy(
                        _("Flipkart's {vertical} catalogue needs the {attribute}."),
                        vertical=vertical.label,
                        attribute=attribute.header.lower(),
                    ),
                )
    # Flipkart's catalogue (API and listing sheet alike) takes attribute values in English.
    found.extend(devanagari_problems(sku, check=CHECK, marketplace="Flipkart"))
    return found
