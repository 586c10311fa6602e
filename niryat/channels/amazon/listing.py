"""A SKU in Amazon's words: the product type, and the listing attributes of the Listings Items
API and the JSON_LISTINGS_FEED (both take the same attributes), and back from Amazon's attribute
names to our fields.

Every attribute is a list of values, each tagged with the marketplace (and, for text, the
language): `"item_name": [{"value": ..., "language_tag": "en_IN", "marketplace_id": ...}]`.
On Amazon.in the Hindi title, bullets and description go along as `hi_IN` values.

Handmade goods without a brand are listed as brand "Generic" with the GTIN exemption
(`supplier_declared_has_product_identifier_exemption`): Amazon lets such goods go without a
barcode. Branded or factory-made goods need a GTIN (`attributes.gtin`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from niryat.catalog.models import Category, Sku
from niryat.catalog.vocabulary import has_devanagari
from niryat.channels.amazon.marketplaces import Marketplace
from niryat.channels.media import public_image_urls

# Our category -> Amazon product type (Product Type Definitions API names). Khadi here is
# mostly kurtas and shirts; handicrafts are decor and figurines, which Amazon files under HOME.
PRODUCT_TYPES: dict[str, str] = {
    Category.GARMENTS: "SHIRT",
    Category.KHADI: "SHIRT",
    Category.HANDICRAFTS: "HOME",
    Category.OTHER: "PRODUCT",
}
UNBRANDED = "Generic"  # Amazon's brand name for unbranded goods
HINDI = "hi_IN"
MAX_OTHER_IMAGES = 8

# Amazon attribute -> our field, for mapping schema problems and Amazon's issues back.
ATTRIBUTE_FIELDS = {
    "item_name": "title_en",
    "brand": "attributes.brand",
    "bullet_point": "bullets_en",
    "product_description": "description_en",
    "manufacturer": "manufacturer_name",
    "country_of_origin": "country_of_origin",
    "condition_type": "",
    "externally_assigned_product_identifier": "attributes.gtin",
    "supplier_declared_has_product_identifier_exemption": "attributes.gtin",
    "external_product_information": "hs_code",
    "list_price": "mrp",
    "purchasable_offer": "price",
    "fulfillment_availability": "stock",
    "main_product_image_locator": "images",
    "item_package_weight": "weight_g",
    "item_package_dimensions": "length_cm",
    "color": "colour",
    "size": "size",
    "material": "material",
    "care_instructions": "attributes.care",
    "department": "attributes.department",
}
HINDI_FIELDS = {
    "item_name": "title_hi",
    "bullet_point": "bullets_hi",
    "product_description": "description_hi",
}


def product_type(sku: Sku) -> str:
    return PRODUCT_TYPES.get(sku.product.category, "PRODUCT")


def our_field(attribute: str, sku: Sku | None = None, language_tag: str = "") -> str:
    """Which of our fields an Amazon attribute comes from ("" when none of ours)."""
    attribute = attribute.split(".")[0].split("[")[0]
    if language_tag == HINDI and attribute in HINDI_FIELDS:
        return HINDI_FIELDS[attribute]
    if attribute.startswith("other_product_image_locator"):
        return "images"
    if attribute == "fabric_type":
        category = sku.product.category if sku is not None else ""
        return "attributes.fibre" if category == Category.KHADI else "attributes.fabric"
    return ATTRIBUTE_FIELDS.get(attribute, "")


def is_exempt(sku: Sku) -> bool:
    """Handmade and unbranded: Amazon's GTIN exemption applies."""
    return sku.product.handmade and not sku.attributes.get("brand")


def _money(amount: Decimal) -> float:
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def hindi_only(value: str) -> str:
    """A value as written, when it is Hindi (its English is sent anyway)."""
    return value if has_devanagari(value) else ""


def price_in(marketplace: Marketplace, rupees: Decimal | None) -> float | None:
    """A rupee price in the marketplace's currency, at the staff's exchange rate (None: no rate)."""
    if rupees is None:
        return None
    if marketplace.currency == "INR":
        return _money(rupees)
    from niryat.channels.models import ExchangeRate

    rate = (
        ExchangeRate.objects.filter(currency=marketplace.currency)
        .values_list("inr_per_unit", flat=True)
        .first()
    )
    if not rate:
        return None
    return _money(rupees / rate)


def offer_attributes(sku: Sku, marketplace: Marketplace) -> dict[str, list[dict[str, Any]]]:
    """Price (purchasable_offer) and MRP (list_price), each only when known."""
    mp = marketplace.id
    attributes: dict[str, list[dict[str, Any]]] = {}
    price = price_in(marketplace, sku.price)
    if price is not None:
        attributes["purchasable_offer"] = [
            {
                "currency": marketplace.currency,
                "our_price": [{"schedule": [{"value_with_tax": price}]}],
                "marketplace_id": mp,
            }
        ]
    mrp = price_in(marketplace, sku.mrp)
    if mrp is not None:
        attributes["list_price"] = [
            {"currency": marketplace.currency, "value_with_tax": mrp, "marketplace_id": mp}
        ]
    return attributes


def stock_attributes(sku: Sku, quantity: int) -> dict[str, list[dict[str, Any]]]:
    availability: dict[str, Any] = {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
    if sku.product.made_to_order and sku.product.lead_time_days:
        availability["lead_time_to_ship_max_days"] = min(30, sku.product.lead_time_days)
    return {"fulfillment_availability": [availability]}


def attributes(
    sku: Sku, marketplace: Marketplace, image_urls: list[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The listing attributes for one SKU; an attribute we have no value for is left out (the
    schema check then names it)."""
    product = sku.product
    mp = marketplace.id
    english = marketplace.language_tag
    hindi = marketplace.country == "IN"
    out: dict[str, list[dict[str, Any]]] = {}

    # Each value is made once, in its final form: a feed builds these for thousands of SKUs,
    # and every dict copied is time (and garbage collection) spent.
    def text(name: str, english_value: str, hindi_value: str = "") -> None:
        english_value = english_value.strip()
        hindi_value = hindi_value.strip() if hindi else ""
        values = []
        if english_value:
            values.append({"value": english_value, "language_tag": english, "marketplace_id": mp})
        if hindi_value:
            values.append({"value": hindi_value, "language_tag": HINDI, "marketplace_id": mp})
        if values:
            out[name] = values

    def many(name: str, english_values: list[str], hindi_values: list[str]) -> None:
        values = [
            {"value": v, "language_tag": english, "marketplace_id": mp} for v in english_values
        ]
        if hindi:
            values += [
                {"value": v, "language_tag": HINDI, "marketplace_id": mp} for v in hindi_values
            ]
        if values:
            out[name] = values

    def plain(name: str, value: Any) -> None:
        if value not in (None, ""):
            out[name] = [{"value": value, "marketplace_id": mp}]

    text("item_name", sku.title_en, sku.title_hi)
    text("brand", str(sku.attributes.get("brand") or UNBRANDED))
    many("bullet_point", sku.bullet_list("en"), sku.bullet_list("hi"))
    text("product_description", sku.description_en, sku.description_hi)
    text("manufacturer", product.manufacturer_name)
    plain("country_of_origin", product.country_of_origin)
    plain("condition_type", "new_new")
    if is_exempt(sku):
        plain("supplier_declared_has_product_identifier_exemption", True)
    elif sku.attributes.get("gtin"):
        out["externally_assigned_product_identifier"] = [
            {"type": "ean", "value": str(sku.attributes["gtin"]), "marketplace_id": mp}
        ]
    if product.hs_code and marketplace.country == "IN":
        out["external_product_information"] = [
            {"entity": "HSN Code", "value": product.hs_code, "marketplace_id": mp}
        ]
    out.update(offer_attributes(sku, marketplace))
    out.update(stock_attributes(sku, sku.stock))
    urls = public_image_urls(sku) if image_urls is None else image_urls
    for number, url in enumerate(urls[: 1 + MAX_OTHER_IMAGES]):
        name = f"other_product_image_locator_{number}" if number else "main_product_image_locator"
        out[name] = [{"media_location": url, "marketplace_id": mp}]
    if sku.weight_g:
        weight = {"value": sku.weight_g, "unit": "grams", "marketplace_id": mp}
        out["item_package_weight"] = [weight]
    if sku.length_cm and sku.width_cm and sku.height_cm:
        out["item_package_dimensions"] = [
            {
                **{
                    side: {"value": float(getattr(sku, f"{side}_cm")), "unit": "centimeters"}
                    for side in ("length", "width", "height")
                },
                "marketplace_id": mp,
            }
        ]
    plain("supplier_declared_dg_hz_regulation", "not_applicable")
    plain("batteries_required", False)
    # The English value under the store's language, the Hindi (as written) beside it in India.
    text("color", sku.in_english("colour"), hindi_only(sku.colour))
    if product.category in (Category.GARMENTS, Category.KHADI):
        text("size", sku.in_english("size"), hindi_only(sku.size))
        fabric = (
            sku.attributes.get("fabric")
            or sku.attributes.get("fibre")
            or sku.in_english("material")
        )
        text("fabric_type", str(fabric or ""))
        text("care_instructions", str(sku.attributes.get("care") or ""))
        text("department", str(sku.attributes.get("department") or ""))
    else:
        text("material", sku.in_english("material"), hindi_only(sku.material))
    return out
