"""What eBay needs of a SKU, and the Inventory API bodies made from it (no network here).

eBay counts a title in characters (80 at most), takes up to 24 photos by URL, and wants item
specifics ("aspects") by the category's own names. Prices are in the marketplace's currency,
converted from rupees at the rate staff keep (`ExchangeRate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Category, ProductImage, Sku
from niryat.channels.english import devanagari_problems
from niryat.channels.media import public_image_urls
from niryat.channels.models import ExchangeRate

CODE = "ebay"
TITLE_MAX = 80  # characters
DESCRIPTION_MAX = 4000  # characters, product.description of an inventory item
MAX_IMAGES = 24
DEFAULT_MARKETPLACE = "EBAY_US"
DEFAULT_CURRENCY = "USD"
CENT = Decimal("0.01")

# Marketplace → (buyer site, language of our English text there). Aspect names below are those of
# the English-language sites; a German site (EBAY_DE) names them in German.
MARKETPLACES: dict[str, tuple[str, str]] = {
    "EBAY_US": ("www.ebay.com", "en-US"),
    "EBAY_GB": ("www.ebay.co.uk", "en-GB"),
    "EBAY_AU": ("www.ebay.com.au", "en-AU"),
    "EBAY_CA": ("www.ebay.ca", "en-CA"),
    "EBAY_DE": ("www.ebay.de", "en-US"),
}
COLOUR_ASPECT = {"EBAY_GB": "Colour", "EBAY_AU": "Colour"}  # elsewhere "Color"

# Default leaf categories (EBAY_US ids) per catalogue category. They are defaults only: staff
# set `category_id` in the account's settings for another site or a closer category.
DEFAULT_CATEGORY_IDS: dict[str, str] = {
    Category.HANDICRAFTS: "73467",  # Collectibles > Decorative Collectibles > Other
    Category.GARMENTS: "53159",  # Clothing > Women > Women's Clothing > Tops
    Category.KHADI: "53159",
}
APPAREL = frozenset({Category.GARMENTS, Category.KHADI})
COUNTRY_NAMES = {"IN": "India"}


def account_settings(settings: Mapping[str, Any] | None) -> dict[str, str]:
    """The account's settings with eBay's defaults filled in."""
    settings = settings or {}
    return {
        "marketplace_id": str(settings.get("marketplace_id") or DEFAULT_MARKETPLACE),
        "currency": str(settings.get("currency") or DEFAULT_CURRENCY),
        "merchant_location_key": str(settings.get("merchant_location_key") or ""),
        "fulfillment_policy_id": str(settings.get("fulfillment_policy_id") or ""),
        "payment_policy_id": str(settings.get("payment_policy_id") or ""),
        "return_policy_id": str(settings.get("return_policy_id") or ""),
        "category_id": str(settings.get("category_id") or ""),
    }


Rates = dict[str, "Decimal | None"]


def converted_price(
    price_inr: Decimal, currency: str, rates: Rates | None = None
) -> Decimal | None:
    """The rupee price in `currency` at the staff's rate, to the cent (half up); None without a
    rate. `rates` keeps the rates looked up, for a batch of SKUs (one query, not one per SKU)."""
    rates = {} if rates is None else rates
    if currency not in rates:
        rate = ExchangeRate.objects.filter(currency=currency).first()
        rates[currency] = rate.inr_per_unit if rate is not None and rate.inr_per_unit else None
    per_unit = rates[currency]
    if per_unit is None:
        return None
    return (price_inr / per_unit).quantize(CENT, rounding=ROUND_HALF_UP)


def category_id(sku: Sku, settings: Mapping[str, str]) -> str:
    return settings["category_id"] or DEFAULT_CATEGORY_IDS.get(sku.product.category, "")


def _material(sku: Sku) -> str:
    attributes = sku.attributes or {}
    return str(
        sku.in_english("material") or attributes.get("fabric") or attributes.get("fibre") or ""
    ).strip()


def aspects(sku: Sku, marketplace_id: str) -> dict[str, list[str]]:
    """Item specifics, each a list of values as eBay takes them."""
    product = sku.product
    attributes = sku.attributes or {}
    found: dict[str, str] = {
        "Brand": str(attributes.get("brand") or "Unbranded"),
        "Material": _material(sku),
        COLOUR_ASPECT.get(marketplace_id, "Color"): sku.in_english("colour"),
        "Size": sku.in_english("size"),
        "Department": str(attributes.get("department") or ""),
        "Handmade": "Yes" if product.handmade else "No",
        "Country/Region of Manufacture": COUNTRY_NAMES.get(
            product.country_of_origin, product.country_of_origin
        ),
    }
    return {name: [value.strip()] for name, value in found.items() if value and value.strip()}


def description(sku: Sku) -> str:
    bullets = sku.bullet_list("en")
    parts = [sku.description_en.strip(), *(f"• {line}" for line in bullets)]
    return "\n".join(part for part in parts if part)


def _ready_images(sku: Sku) -> list[ProductImage]:
    return [
        image for image in sku.product.images.all() if image.status == ProductImage.Status.READY
    ]


def validate(sku: Sku, settings: Mapping[str, str], rates: Rates | None = None) -> list[Problem]:
    """eBay's own rules for one SKU, beyond the catalogue's checklist."""
    product = sku.product
    problems: list[Problem] = []

    def problem(field: str, message: Any) -> None:
        problems.append(Problem(CODE, field, message))

    title = sku.title_en.strip()
    if not title:
        problem("title_en", _("eBay shows the English title: write it."))
    elif len(title) > TITLE_MAX:
        problem(
            "title_en",
            format_lazy(
                _("eBay allows at most {maximum} characters in a title; this one has {length}."),
                maximum=TITLE_MAX,
                length=len(title),
            ),
        )
    text = description(sku)
    if not text:
        problem("description_en", _("eBay needs an English description or bullet points."))
    elif len(text) > DESCRIPTION_MAX:
        problem(
            "description_en",
            format_lazy(
                _("eBay allows at most {maximum} characters of description; this has {length}."),
                maximum=DESCRIPTION_MAX,
                length=len(text),
            ),
        )
    images = _ready_images(sku)
    if not images:
        problem("images", _("eBay needs at least one photo."))
    elif len(images) > MAX_IMAGES:
        problem(
            "images",
            format_lazy(
                _("eBay takes at most {maximum} photos; this product has {count}."),
                maximum=MAX_IMAGES,
                count=len(images),
            ),
        )
    currency = settings["currency"]
    if sku.price is None:
        problem("price", _("Enter the selling price."))
    elif converted_price(sku.price, currency, rates) is None:
        problem(
            "price",
            format_lazy(
                _(
                    "eBay prices are in {currency}: staff must set the exchange rate for "
                    "{currency} before this SKU can be listed."
                ),
                currency=currency,
            ),
        )
    if sku.stock == 0:
        problem("stock", _("eBay publishes a listing only with stock: enter the stock."))
    if not sku.weight_g:
        problem("weight_g", _("International shipping needs the packed weight."))
    if not (sku.length_cm and sku.width_cm and sku.height_cm):
        problem("length_cm", _("International shipping needs the package dimensions."))
    if not product.hs_code:
        problem("hs_code", _("Customs abroad need the HS code."))
    if not _material(sku):
        problem("material", _("eBay's item specifics need the material."))
    if product.category in APPAREL:
        if not sku.colour.strip():
            problem("colour", _("eBay needs the colour of clothing."))
        if not sku.size.strip():
            problem("size", _("eBay needs the size of clothing."))
    problems.extend(devanagari_problems(sku, check=CODE, marketplace="eBay"))
    if not category_id(sku, settings):
        problem(
            "category",
            _("eBay needs a category: staff set the category id in the eBay account's settings."),
        )
    return problems


def inventory_item(sku: Sku, settings: Mapping[str, str]) -> dict[str, Any]:
    """The createOrReplaceInventoryItem body."""
    item: dict[str, Any] = {
        "availability": {"shipToLocationAvailability": {"quantity": sku.stock}},
        "condition": "NEW",
        "product": {
            "title": sku.title_en.strip(),
            "description": description(sku),
            "aspects": aspects(sku, settings["marketplace_id"]),
            "imageUrls": public_image_urls(sku)[:MAX_IMAGES],
        },
    }
    package: dict[str, Any] = {}
    if sku.length_cm and sku.width_cm and sku.height_cm:
        package["dimensions"] = {
            "length": float(sku.length_cm),
            "width": float(sku.width_cm),
            "height": float(sku.height_cm),
            "unit": "CENTIMETER",
        }
    if sku.weight_g:
        package["weight"] = {"value": sku.weight_g, "unit": "GRAM"}
    if package:
        item["packageWeightAndSize"] = package
    return item


def price_amount(sku: Sku, currency: str, rates: Rates | None = None) -> dict[str, str] | None:
    """eBay's Amount: the value as a string, and the currency."""
    value = converted_price(sku.price, currency, rates) if sku.price is not None else None
    return None if value is None else {"value": str(value), "currency": currency}


def offer(sku: Sku, settings: Mapping[str, str], rates: Rates | None = None) -> dict[str, Any]:
    """The createOffer (and updateOffer) body."""
    body: dict[str, Any] = {
        "sku": sku.seller_sku,
        "marketplaceId": settings["marketplace_id"],
        "format": "FIXED_PRICE",
        "availableQuantity": sku.stock,
        "categoryId": category_id(sku, settings),
        "listingDescription": description(sku),
        "listingPolicies": {
            "fulfillmentPolicyId": settings["fulfillment_policy_id"],
            "paymentPolicyId": settings["payment_policy_id"],
            "returnPolicyId": settings["return_policy_id"],
        },
        "merchantLocationKey": settings["merchant_location_key"],
    }
    price = price_amount(sku, settings["currency"], rates)
    if price is not None:
        body["pricingSummary"] = {"price": price}
    return body
