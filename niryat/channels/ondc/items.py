"""One producer's goods in ONDC's words: the provider (the producer's own legal entity; the centre
operates the node, np_type MSN), its location, and each SKU as an item of Fashion (RET12) or Home
and kitchen (RET16), with what ONDC still needs when the catalogue lacks it.

The same function decides both: `describe_item` gives an item only when nothing is missing, so a
SKU is offered on ONDC exactly when `ondc_problems` (catalogue.py) is empty. Nothing here reads
the database: the caller loads the rows (catalogue.py loads a district's at once)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Category, Product, QuantityUnit, Sku
from niryat.channels.media import public_image_urls
from niryat.channels.models import OndcDomainMapping, OndcLocation
from niryat.channels.ondc import taxonomy
from niryat.channels.ondc.barcodes import is_valid_ean13
from niryat.channels.ondc.std_codes import std_codes
from niryat.core.models import Centre
from niryat.registry.models import Producer

CHECK = "ondc"  # the checklist item ONDC's problems belong to
PAN = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]")
FULFILMENT_ID = "F1"

# Our units → ONDC's (item.quantity.unitized.measure.unit). A pair or a set is sold as one unit.
UNITS: dict[str, str] = {
    QuantityUnit.PIECE: "unit",
    QuantityUnit.PAIR: "unit",
    QuantityUnit.SET: "unit",
    QuantityUnit.GRAM: "gram",
    QuantityUnit.KILOGRAM: "kilogram",
    QuantityUnit.MILLILITRE: "millilitre",
    QuantityUnit.LITRE: "litre",
}
# Where a product has no ODOP product (or its ODOP product no mapping), its category decides.
CATEGORY_DEFAULTS: dict[str, tuple[str, str]] = {
    Category.GARMENTS: (taxonomy.FASHION, "Kurtas & Kurta Sets"),
    Category.KHADI: (taxonomy.FASHION, "Kurtas & Kurta Sets"),
    Category.HANDICRAFTS: (taxonomy.HOME, "Home Decor"),
}


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def phone_digits(phone: str) -> str:
    """A phone number as ONDC takes it, 10 or 11 digits ("+91 551 220 0123" → "5512200123");
    "" when it is not one."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    return digits if len(digits) in (10, 11) else ""


def domain_of(product: Product, mappings: dict[int, OndcDomainMapping]) -> tuple[str, str]:
    """(domain, ONDC category) of a product's goods: its ODOP product's mapping, else the default
    for the ODOP product's name, else its catalogue category's; ("", "") when not on ONDC."""
    if product.odop_product_id is not None:
        mapping = mappings.get(product.odop_product_id)
        if mapping is not None:
            return mapping.domain, mapping.category if mapping.domain else ""
        if product.odop_product is not None:
            found = taxonomy.default_mapping(product.odop_product.name_en)
            if found[0]:
                return found
    return CATEGORY_DEFAULTS.get(product.category, ("", ""))


def provider_tax_number(producer: Producer) -> str:
    """The provider's tax number ONDC asks for (bpp_terms provider_tax_number): the producer's
    PAN, or the PAN inside their GSTIN (its 3rd to 12th characters); "" without a valid one."""
    gstin = producer.gstin.strip().upper()
    pan = producer.pan.strip().upper() or (gstin[2:12] if len(gstin) == 15 else "")
    return pan if PAN.fullmatch(pan) else ""


@dataclass
class Seller:
    """What a provider needs besides its goods: the producer, their pickup location, the centre
    (the operator: fulfilment contact and consumer care)."""

    producer: Producer
    location: OndcLocation | None
    centre: Centre | None
    district_name: str
    state_name: str
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.problems = self._problems()

    def _problems(self) -> list[Problem]:
        problems = []
        if self.location is None:
            problems.append(
                Problem(
                    CHECK,
                    "ondc_location",
                    _("Record where the producer's goods are picked up (GPS and street) for ONDC."),
                )
            )
        if not self.tax_number:
            problems.append(
                Problem(
                    CHECK,
                    "pan",
                    _("ONDC gives buyers the producer's PAN (or GSTIN) as the seller's: add it."),
                )
            )
        if not std_codes(self.producer.pin):
            problems.append(
                Problem(CHECK, "pin", _("The producer's PIN code is not a known Indian PIN code."))
            )
        centre = self.centre
        if centre is None or not phone_digits(centre.phone) or not centre.email:
            problems.append(
                Problem(
                    CHECK,
                    "centre",
                    _("ONDC buyers need the centre's phone (10 digits) and email; add them."),
                )
            )
        return problems

    @property
    def tax_number(self) -> str:
        return provider_tax_number(self.producer)

    @property
    def location_id(self) -> str:
        """Unique across the catalogue (ONDC refuses two providers' locations with one id)."""
        return f"L{self.producer.pk}"

    @property
    def phone(self) -> str:
        return phone_digits(self.centre.phone) if self.centre else ""

    @property
    def email(self) -> str:
        return self.centre.email if self.centre else ""

    @property
    def consumer_care(self) -> str:
        """ "name,email,phone", as ONDC asks: the centre answers buyers for its producers."""
        name = " ".join(self.centre.name_en.replace(",", " ").split()) if self.centre else ""
        return f"{name},{self.email},{self.phone}"

    def address(self) -> dict[str, str]:
        """The five fields ONDC's location address takes, and no others."""
        location = self._location()
        producer = self.producer
        return {
            "locality": location.locality,
            "street": location.street,
            "city": self.district_name,
            "area_code": producer.pin,
            "state": self.state_name,
        }

    def gps(self) -> str:
        location = self._location()
        return f"{location.latitude:.6f},{location.longitude:.6f}"

    def _location(self) -> OndcLocation:
        if self.location is None:
            raise ValueError(f"{self.producer} has no pickup location")  # see `problems`
        return self.location


@dataclass
class Described:
    """A SKU as ONDC sees it: its domain and category, the item (None while something is
    missing) and what is missing."""

    domain: str
    category: str
    item: dict[str, Any] | None
    problems: list[Problem]
    variant_group: str = ""


def _quantity_value(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def size_chart_url(subscriber_id: str, sku: Sku) -> str:
    return f"https://{subscriber_id}/ondc/size-chart/{sku.uuid}"


def describe_item(
    sku: Sku,
    seller: Seller,
    mappings: dict[int, OndcDomainMapping],
    *,
    subscriber_id: str = "",
) -> Described:
    """The SKU as an ONDC item, or what it lacks. `subscriber_id` is the node's (for the size
    chart's address); without it the item is not built, only checked."""
    product = sku.product
    domain, category = domain_of(product, mappings)
    problems: list[Problem] = list(seller.problems)
    if not domain:
        problems.append(
            Problem(
                CHECK,
                "odop_product",
                _("This product's ODOP product is not offered on ONDC (see ONDC domains)."),
            )
        )
        return Described("", "", None, problems)
    attributes: dict[str, str] = {k: str(v) for k, v in (sku.attributes or {}).items()}
    hs_code = product.hs_code.strip()
    if len(hs_code) not in (4, 6, 8) or not hs_code.isdigit():
        problems.append(Problem(CHECK, "hs_code", _("ONDC needs an HS code of 4, 6 or 8 digits.")))
    gtin = attributes.get("gtin", "").strip()
    if gtin and not is_valid_ean13(gtin):
        problems.append(
            Problem(
                CHECK,
                "attributes.gtin",
                _("The barcode is not a valid EAN-13 (13 digits, the last one a check digit)."),
            )
        )
    unit = UNITS.get(product_unit := sku.net_quantity_unit)
    if unit is None:
        problems.append(
            Problem(
                CHECK,
                "net_quantity_unit",
                _("ONDC sells by the piece, gram, kilogram, litre or millilitre, not by %(unit)s.")
                % {"unit": QuantityUnit(product_unit).label},
            )
        )
    if not sku.net_quantity or sku.net_quantity <= 0:
        problems.append(Problem(CHECK, "net_quantity", _("Enter the net quantity.")))
    if sku.price is None or sku.mrp is None or sku.price < 1:
        problems.append(
            Problem(CHECK, "price", _("ONDC needs a price of at least ₹1 and the MRP."))
        )
    declarations = {
        "manufacturer_or_packer_name": product.manufacturer_name.strip(),
        "manufacturer_or_packer_address": " ".join(product.manufacturer_address.split()),
        "common_or_generic_name_of_commodity": product.generic_name.strip(),
        "month_year_of_manufacture_packing_import": (
            sku.manufactured_on.strftime("%m/%Y") if sku.manufactured_on else ""
        ),
    }
    if not all(declarations.values()):
        problems.append(
            Problem(
                CHECK,
                "manufacturer_name",
                _(
                    "ONDC shows the packaged-goods declarations: the maker's name and address, "
                    "the generic name and the month of manufacture."
                ),
            )
        )
    images = public_image_urls(sku)
    if not images:
        problems.append(Problem(CHECK, "images", _("Add a photo of the product.")))
    if not sku.title_en.strip():
        problems.append(Problem(CHECK, "title_en", _("Write the English title.")))
    tags, tag_problems = _attribute_tags(sku, domain, category, attributes, subscriber_id)
    problems += tag_problems
    group = f"V{product.pk}"
    if (
        problems
        or not subscriber_id
        or sku.price is None
        or sku.mrp is None
        or sku.net_quantity is None
        or unit is None
    ):
        return Described(domain, category, None, problems, group)

    code = f"1:{gtin}" if domain == taxonomy.HOME and gtin else f"4:{hs_code}"
    in_stock = sku.stock > 0 or product.made_to_order
    if product.made_to_order and product.lead_time_days:
        time_to_ship = f"P{product.lead_time_days}D"
    else:
        time_to_ship = settings.ONDC_TIME_TO_SHIP
    description = sku.description_en.strip() or " ".join(sku.bullet_list("en")) or sku.title_en
    item: dict[str, Any] = {
        "id": str(sku.uuid),
        "time": {"label": "enable", "timestamp": timestamp(sku.updated_at)},
        "parent_item_id": group,
        "descriptor": {
            "name": sku.title_en.strip(),
            "code": code,
            "symbol": images[0],
            "short_desc": sku.title_en.strip(),
            "long_desc": description,
            "images": images,
        },
        "quantity": {
            "unitized": {"measure": {"unit": unit, "value": _quantity_value(sku.net_quantity)}},
            "available": {"count": "99" if in_stock else "0"},
            "maximum": {
                "count": "99" if product.made_to_order else str(min(sku.stock, 99)),
            },
        },
        "price": {
            "currency": "INR",
            "value": _money(sku.price),
            "maximum_value": _money(sku.mrp),
        },
        "category_id": category,
        "fulfillment_id": FULFILMENT_ID,
        "location_id": seller.location_id,
        # ONDC: returnable and cancellable "should default to true except for specific
        # make-to-order items" (shared/ONDC_FACTS.md §2.2).
        "@ondc/org/returnable": not product.made_to_order,
        "@ondc/org/cancellable": True,
        "@ondc/org/return_window": settings.ONDC_RETURN_WINDOW,
        "@ondc/org/seller_pickup_return": False,
        "@ondc/org/time_to_ship": time_to_ship,
        "@ondc/org/available_on_cod": False,
        "@ondc/org/contact_details_consumer_care": seller.consumer_care,
        "@ondc/org/statutory_reqs_packaged_commodities": declarations,
        "tags": [
            {"code": "origin", "list": [{"code": "country", "value": "IND"}]},
            {"code": "attribute", "list": tags},
        ],
    }
    return Described(domain, category, item, [], group)


def _attribute_tags(
    sku: Sku, domain: str, category: str, attributes: dict[str, str], subscriber_id: str
) -> tuple[list[dict[str, str]], list[Problem]]:
    """The item's `attribute` tag list for its domain and category, and what is missing."""
    product = sku.product
    problems: list[Problem] = []
    values: list[tuple[str, str]] = []
    colour = sku.in_english("colour")
    hex_code = taxonomy.colour_hex(colour, attributes.get("colour_code", ""))
    colour_required = not (domain == taxonomy.HOME and category in taxonomy.HOME_COLOUR_OPTIONAL)
    if colour and hex_code:
        values += [("colour", hex_code), ("colour_name", taxonomy.colour_name(colour))]
    elif colour_required:
        if not colour:
            problems.append(Problem(CHECK, "colour", _("Enter the colour.")))
        else:
            problems.append(
                Problem(
                    CHECK,
                    "attributes.colour_code",
                    _("“%(colour)s” has no standard colour code: write it as #RRGGBB.")
                    % {"colour": colour},
                )
            )
    brand = attributes.get("brand", "").strip()
    # An artisan's goods carry no brand; ONDC asks for one, and "Unbranded" says so (as GeM's
    # and eBay's listings do).
    values.append(("brand", brand or "Unbranded"))
    if domain == taxonomy.FASHION:
        rules = taxonomy.FASHION_CATEGORIES[category]
        gender = attributes.get("gender", "")
        if gender in taxonomy.GENDERS:
            values.append(("gender", gender))
        else:
            problems.append(
                Problem(CHECK, "attributes.gender", _("Choose whom the garment is made for."))
            )
        size = taxonomy.ondc_size(category, sku.in_english("size"))
        if size:
            values.append(("size", size))
        else:
            problems.append(
                Problem(
                    CHECK,
                    "size",
                    _("ONDC does not know the size “%(size)s” for %(category)s.")
                    % {"size": sku.in_english("size") or "—", "category": category},
                )
            )
        if rules.fabric:
            written = (
                attributes.get("fabric") or attributes.get("fibre") or sku.in_english("material")
            )
            fabric = taxonomy.ondc_fabric(written, khadi=product.category == Category.KHADI)
            if fabric:
                values.append(("fabric", fabric))
            else:
                problems.append(
                    Problem(
                        CHECK,
                        "attributes.fabric",
                        _("Name the fabric as ONDC knows it (cotton, khadi cotton, silk, ...)."),
                    )
                )
        if rules.size_chart:
            if attributes.get("size_chart", "").strip():
                if subscriber_id:
                    values.append(("size_chart", size_chart_url(subscriber_id, sku)))
            else:
                problems.append(Problem(CHECK, "attributes.size_chart", _("Enter the size chart.")))
        values.append(("handcrafted", "true" if product.handmade else "false"))
    else:
        material = sku.in_english("material").lower()
        if material:
            values.append(("material", material))
        else:
            problems.append(Problem(CHECK, "material", _("Enter the material.")))
    return [{"code": code, "value": value} for code, value in values], problems


def variant_group(group_id: str, items: list[dict[str, Any]], domain: str) -> dict[str, Any]:
    """The provider's category that ties one product's SKUs together (`parent_item_id`), naming
    the attributes they differ by (size and colour for garments; colour, size or material for
    home goods), in that order."""
    candidates = ("size", "colour") if domain == taxonomy.FASHION else ("colour", "material")
    seen: dict[str, set[str]] = {name: set() for name in candidates}
    for item in items:
        for entry in item["tags"][1]["list"]:
            if entry["code"] in seen:
                seen[entry["code"]].add(entry["value"])
    varying = [name for name in candidates if len(seen[name]) > 1] or [candidates[0]]
    return {
        "id": group_id,
        "descriptor": {"name": items[0]["descriptor"]["name"]},
        "tags": [
            {"code": "type", "list": [{"code": "type", "value": "variant_group"}]},
            *(
                {
                    "code": "attr",
                    "list": [
                        {"code": "name", "value": f"item.tags.attribute.{name}"},
                        {"code": "seq", "value": str(seq)},
                    ],
                }
                for seq, name in enumerate(varying, start=1)
            ),
        ],
    }
